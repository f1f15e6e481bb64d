// HCI command encoders and event decoders (Core v5.x Vol 4 Part E), pure and byte-exact.
//
// Encoders return complete H4 command packets (`01 | opcode LE16 | plen | params`) ready for
// any transport. Decoders take an HCI event *without* the H4 indicator (`code | plen |
// params`, as in btsnoop 2001 records; strip the 0x04 of an H4 packet first) and check every
// length against the bytes present: a lying plen, num_reports or data_len yields Corruption,
// never an out-of-bounds read. Decoded spans point into the caller's buffer and live as long
// as it does. Controller status codes stay attached to the opcode that produced them
// (HciStatusError), so 0x0C Command Disallowed is never confused with 0x12 or 0x01.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

// ---- Opcodes (OGF << 10 | OCF) ----
inline constexpr uint16_t kHciSetEventMask = 0x0C01;
inline constexpr uint16_t kHciReset = 0x0C03;
inline constexpr uint16_t kHciReadLocalVersion = 0x1001;
inline constexpr uint16_t kHciReadLocalSupportedCommands = 0x1002;
inline constexpr uint16_t kHciReadBdAddr = 0x1009;
inline constexpr uint16_t kHciLeSetEventMask = 0x2001;
inline constexpr uint16_t kHciLeReadBufferSize = 0x2002;
inline constexpr uint16_t kHciLeReadLocalFeatures = 0x2003;
inline constexpr uint16_t kHciLeSetRandomAddress = 0x2005;
inline constexpr uint16_t kHciLeSetAdvParameters = 0x2006;
inline constexpr uint16_t kHciLeReadAdvTxPower = 0x2007;
inline constexpr uint16_t kHciLeSetAdvData = 0x2008;
inline constexpr uint16_t kHciLeSetScanResponseData = 0x2009;
inline constexpr uint16_t kHciLeSetAdvEnable = 0x200A;
inline constexpr uint16_t kHciLeSetScanParameters = 0x200B;
inline constexpr uint16_t kHciLeSetScanEnable = 0x200C;
inline constexpr uint16_t kHciLeRand = 0x2018;
inline constexpr uint16_t kHciLeSetAdvSetRandomAddress = 0x2035;
inline constexpr uint16_t kHciLeSetExtAdvParameters = 0x2036;
inline constexpr uint16_t kHciLeSetExtAdvData = 0x2037;
inline constexpr uint16_t kHciLeSetExtScanResponseData = 0x2038;
inline constexpr uint16_t kHciLeSetExtAdvEnable = 0x2039;
inline constexpr uint16_t kHciLeReadMaxAdvDataLength = 0x203A;
inline constexpr uint16_t kHciLeReadNumAdvSets = 0x203B;
inline constexpr uint16_t kHciLeRemoveAdvSet = 0x203C;
inline constexpr uint16_t kHciLeClearAdvSets = 0x203D;
inline constexpr uint16_t kHciLeSetExtScanParameters = 0x2041;
inline constexpr uint16_t kHciLeSetExtScanEnable = 0x2042;

// ---- Event codes, LE subevents, status codes ----
inline constexpr uint8_t kHciEvtCommandComplete = 0x0E;
inline constexpr uint8_t kHciEvtCommandStatus = 0x0F;
inline constexpr uint8_t kHciEvtHardwareError = 0x10;
inline constexpr uint8_t kHciEvtLeMeta = 0x3E;
inline constexpr uint8_t kHciLeSubAdvReport = 0x02;
inline constexpr uint8_t kHciLeSubExtAdvReport = 0x0D;

inline constexpr uint8_t kHciSuccess = 0x00;
inline constexpr uint8_t kHciUnknownCommand = 0x01;
inline constexpr uint8_t kHciMemoryCapacityExceeded = 0x07;
inline constexpr uint8_t kHciCommandDisallowed = 0x0C;
inline constexpr uint8_t kHciUnsupportedFeature = 0x11;
inline constexpr uint8_t kHciInvalidParameters = 0x12;
inline constexpr uint8_t kHciUnknownAdvertisingId = 0x42;

// Default masks: Set Event Mask with bit 61 (LE Meta); LE mask 0x1F + bit 12 (ext reports).
inline constexpr uint64_t kHciDefaultEventMask = 0x20001FFFFFFFFFFFull;
inline constexpr uint64_t kHciDefaultLeEventMask = 0x000000000000101Full;
inline constexpr uint64_t kLeFeatureExtendedAdvertising = 1ull << 12;

// Legacy PDU types (LE Set Advertising Parameters / LE Advertising Report event_type).
inline constexpr uint8_t kAdvInd = 0x00;
inline constexpr uint8_t kAdvScanInd = 0x02;
inline constexpr uint8_t kAdvNonconnInd = 0x03;
inline constexpr uint8_t kAdvScanRsp = 0x04;
// Extended advertising event properties for legacy PDUs.
inline constexpr uint16_t kExtPropsLegacyNonconn = 0x0010;
inline constexpr uint16_t kExtPropsLegacyScanInd = 0x0012;

// A device address in HCI (little-endian) byte order: bytes[5] is the most significant.
struct BdAddr {
    std::array<uint8_t, 6> bytes{};
    // "5A:1B:2C:3D:4E:5F": most significant byte first, upper-case, as btmon prints it.
    std::string ToString() const;
    friend bool operator==(const BdAddr&, const BdAddr&) = default;
};

// Human-readable names ("LE Set Random Address", "Command Disallowed"); never empty.
std::string HciOpcodeName(uint16_t opcode);
std::string HciStatusName(uint8_t status);

// The one translation of a controller status into a Status. Message names both, e.g.
// "HCI LE Set Random Address (0x2005) failed: Command Disallowed (0x0C)". Kind:
// 0x0C/0x42 -> FailedPrecondition, 0x11/0x12 -> InvalidArgument, 0x01/0x07 -> Unavailable,
// anything else -> IOError. Must not be called with status 0.
Status HciStatusError(uint16_t opcode, uint8_t status);

// ---- Command encoders (complete H4 packets) ----
std::vector<uint8_t> EncodeHciCommand(uint16_t opcode, std::span<const uint8_t> params);
std::vector<uint8_t> EncodeReset();
std::vector<uint8_t> EncodeSetEventMask(uint64_t mask);
std::vector<uint8_t> EncodeReadLocalVersion();
std::vector<uint8_t> EncodeReadLocalSupportedCommands();
std::vector<uint8_t> EncodeReadBdAddr();
std::vector<uint8_t> EncodeLeSetEventMask(uint64_t mask);
std::vector<uint8_t> EncodeLeReadBufferSize();
std::vector<uint8_t> EncodeLeReadLocalFeatures();
std::vector<uint8_t> EncodeLeRand();
std::vector<uint8_t> EncodeLeSetRandomAddress(const BdAddr& addr);

struct AdvParameters {
    uint16_t interval_min = 0x0140;  // x0.625 ms: 200 ms
    uint16_t interval_max = 0x01B0;  // 270 ms
    uint8_t type = kAdvNonconnInd;
    uint8_t own_addr_type = 0x01;  // random
    uint8_t peer_addr_type = 0x00;
    BdAddr peer_addr{};
    uint8_t channel_map = 0x07;
    uint8_t filter_policy = 0x00;
};
std::vector<uint8_t> EncodeLeSetAdvParameters(const AdvParameters& p);
// InvalidArgument if data exceeds 31 bytes; the command always carries 1 + 31 bytes.
Result<std::vector<uint8_t>> EncodeLeSetAdvData(std::span<const uint8_t> data);
Result<std::vector<uint8_t>> EncodeLeSetScanResponseData(std::span<const uint8_t> data);
std::vector<uint8_t> EncodeLeSetAdvEnable(bool enable);

struct ScanParameters {
    uint8_t type = 0x00;         // passive
    uint16_t interval = 0x0060;  // x0.625 ms: 60 ms
    uint16_t window = 0x0030;    // 30 ms
    uint8_t own_addr_type = 0x00;
    uint8_t filter_policy = 0x00;
};
std::vector<uint8_t> EncodeLeSetScanParameters(const ScanParameters& p);
std::vector<uint8_t> EncodeLeSetScanEnable(bool enable, bool filter_duplicates);

// ---- Extended (Bluetooth 5) advertising and scanning ----
std::vector<uint8_t> EncodeLeSetAdvSetRandomAddress(uint8_t handle, const BdAddr& addr);

struct ExtAdvParameters {
    uint8_t handle = 0;
    uint16_t properties = kExtPropsLegacyNonconn;
    uint32_t interval_min = 0x0140;  // 24-bit, x0.625 ms
    uint32_t interval_max = 0x01B0;
    uint8_t channel_map = 0x07;
    uint8_t own_addr_type = 0x01;
    uint8_t peer_addr_type = 0x00;
    BdAddr peer_addr{};
    uint8_t filter_policy = 0x00;
    int8_t tx_power = 0x7F;  // 0x7F: no preference
    uint8_t primary_phy = 0x01;
    uint8_t secondary_max_skip = 0x00;
    uint8_t secondary_phy = 0x01;
    uint8_t sid = 0x00;
    uint8_t scan_request_notification = 0x00;
};
std::vector<uint8_t> EncodeLeSetExtAdvParameters(const ExtAdvParameters& p);
// Operation 0x03 (complete data), fragment preference 0x01. InvalidArgument above 251 bytes.
Result<std::vector<uint8_t>> EncodeLeSetExtAdvData(uint8_t handle, std::span<const uint8_t> data);
Result<std::vector<uint8_t>> EncodeLeSetExtScanResponseData(uint8_t handle,
                                                            std::span<const uint8_t> data);
struct ExtAdvEnableSet {
    uint8_t handle = 0;
    uint16_t duration = 0;  // x10 ms, 0 = until disabled
    uint8_t max_events = 0;
};
// InvalidArgument when enabling with no sets or more than 63 sets.
Result<std::vector<uint8_t>> EncodeLeSetExtAdvEnable(bool enable,
                                                     std::span<const ExtAdvEnableSet> sets);
std::vector<uint8_t> EncodeLeReadMaxAdvDataLength();
std::vector<uint8_t> EncodeLeReadNumAdvSets();
std::vector<uint8_t> EncodeLeRemoveAdvSet(uint8_t handle);
std::vector<uint8_t> EncodeLeClearAdvSets();

// Scanning on the LE 1M PHY only (phys = 0x01), one {type interval window} block.
std::vector<uint8_t> EncodeLeSetExtScanParameters(const ScanParameters& p);
// filter_duplicates: 0 off, 1 on, 2 reset each period. duration x10 ms, period x1.28 s.
std::vector<uint8_t> EncodeLeSetExtScanEnable(bool enable, uint8_t filter_duplicates,
                                              uint16_t duration, uint16_t period);

// ---- Event decoding ----
struct HciEvent {
    uint8_t code = 0;
    std::span<const uint8_t> params;
};
// `event` = code | plen | params. Corruption unless plen matches the bytes exactly.
Result<HciEvent> ParseHciEvent(std::span<const uint8_t> event);

struct CommandComplete {
    uint8_t num_hci_commands = 0;
    uint16_t opcode = 0;
    uint8_t status = 0;                      // 0 for the opcode-0x0000 credit-only form
    std::span<const uint8_t> return_params;  // after the status byte
};
Result<CommandComplete> DecodeCommandComplete(const HciEvent& event);

struct CommandStatus {
    uint8_t status = 0;
    uint8_t num_hci_commands = 0;
    uint16_t opcode = 0;
};
Result<CommandStatus> DecodeCommandStatus(const HciEvent& event);

// Hardware Error: the one-byte hardware code.
Result<uint8_t> DecodeHardwareError(const HciEvent& event);

// One report of an LE Advertising Report (0x02) or LE Extended Advertising Report (0x0D).
struct AdvReport {
    bool extended = false;
    uint16_t event_type = 0;  // legacy: 0x00..0x04; extended: property bits (0x0010 legacy NONCONN)
    uint8_t addr_type = 0;
    BdAddr addr{};
    int8_t rssi = 127;  // 127: not available
    int8_t tx_power = 127;
    uint8_t sid = 0xFF;
    uint8_t primary_phy = 0x01;
    uint8_t secondary_phy = 0x00;
    std::span<const uint8_t> data;
    // Extended reports: data status bits 5-6 (0 complete, 1 more to come, 2 truncated).
    uint8_t DataStatus() const { return extended ? static_cast<uint8_t>(event_type >> 5 & 3) : 0; }
};

// Validates an LE Meta event carrying subevent 0x02 or 0x0D completely (num_reports,
// every data_len, no trailing bytes), then calls `fn` once per report in order. Nothing is
// emitted for a malformed event. Other subevents: NotFound. Returns the number of reports.
using AdvReportFn = std::function<void(const AdvReport& report)>;
Result<size_t> DecodeLeAdvertisingReports(const HciEvent& event, const AdvReportFn& fn);

// ---- Return parameters of Command Complete (status already checked = 0) ----
struct LocalVersion {
    uint8_t hci_version = 0;
    uint16_t hci_revision = 0;
    uint8_t lmp_version = 0;
    uint16_t manufacturer = 0;
    uint16_t lmp_subversion = 0;
};
Result<LocalVersion> DecodeReadLocalVersion(const CommandComplete& cc);
Result<BdAddr> DecodeReadBdAddr(const CommandComplete& cc);
Result<uint64_t> DecodeLeReadLocalFeatures(const CommandComplete& cc);
struct LeBufferSize {
    uint16_t acl_data_length = 0;
    uint8_t acl_num_packets = 0;
};
Result<LeBufferSize> DecodeLeReadBufferSize(const CommandComplete& cc);
Result<std::array<uint8_t, 64>> DecodeReadLocalSupportedCommands(const CommandComplete& cc);
Result<std::array<uint8_t, 8>> DecodeLeRand(const CommandComplete& cc);
Result<uint16_t> DecodeLeReadMaxAdvDataLength(const CommandComplete& cc);
Result<uint8_t> DecodeLeReadNumAdvSets(const CommandComplete& cc);
// LE Set Extended Advertising Parameters returns the selected TX power (int8 dBm).
Result<int8_t> DecodeLeSetExtAdvParametersTxPower(const CommandComplete& cc);

// True if the supported-commands bitmap has octet `octet` bit `bit` set (Core 6.27).
bool HciCommandSupported(const std::array<uint8_t, 64>& commands, int octet, int bit);

}  // namespace jejak
