// HCI command encoders, opcode/status names and the controller-status translation.
#include <cstdio>

#include "platform/codec/hci.h"

namespace jejak {
namespace {

// Builds `01 | opcode | plen | params` with little-endian appends.
class CommandBuilder {
public:
    explicit CommandBuilder(uint16_t opcode) {
        bytes_ = {0x01, static_cast<uint8_t>(opcode), static_cast<uint8_t>(opcode >> 8), 0};
    }
    CommandBuilder& U8(uint8_t v) {
        bytes_.push_back(v);
        return *this;
    }
    CommandBuilder& U16(uint16_t v) {
        return U8(static_cast<uint8_t>(v)).U8(static_cast<uint8_t>(v >> 8));
    }
    CommandBuilder& U24(uint32_t v) {
        return U16(static_cast<uint16_t>(v & 0xFFFF)).U8(static_cast<uint8_t>(v >> 16 & 0xFF));
    }
    CommandBuilder& U64(uint64_t v) {
        for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(v >> (8 * i) & 0xFF));
        return *this;
    }
    CommandBuilder& Bytes(std::span<const uint8_t> b) {
        bytes_.insert(bytes_.end(), b.begin(), b.end());
        return *this;
    }
    CommandBuilder& Addr(const BdAddr& a) { return Bytes(a.bytes); }
    std::vector<uint8_t> Done() {
        assert(bytes_.size() - 4 <= 255 && "HCI command parameters exceed 255 bytes");
        bytes_[3] = static_cast<uint8_t>(bytes_.size() - 4);
        return std::move(bytes_);
    }

private:
    std::vector<uint8_t> bytes_;
};

std::string Hex(unsigned v, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
    return buf;
}

// Legacy adv / scan response data: length byte + 31 bytes, zero padded.
Result<std::vector<uint8_t>> EncodeLegacyData(uint16_t opcode, std::span<const uint8_t> data) {
    if (data.size() > 31) {
        return Status::InvalidArgument(HciOpcodeName(opcode) + ": " + std::to_string(data.size()) +
                                       " bytes exceed 31");
    }
    std::array<uint8_t, 31> padded{};
    std::copy(data.begin(), data.end(), padded.begin());
    return CommandBuilder(opcode).U8(static_cast<uint8_t>(data.size())).Bytes(padded).Done();
}

Result<std::vector<uint8_t>> EncodeExtData(uint16_t opcode, uint8_t handle,
                                           std::span<const uint8_t> data) {
    if (data.size() > 251) {
        return Status::InvalidArgument(HciOpcodeName(opcode) + ": " + std::to_string(data.size()) +
                                       " bytes exceed 251");
    }
    return CommandBuilder(opcode)
        .U8(handle)
        .U8(0x03)  // operation: complete extended advertising data
        .U8(0x01)  // fragment preference: controller should not fragment
        .U8(static_cast<uint8_t>(data.size()))
        .Bytes(data)
        .Done();
}

}  // namespace

std::string BdAddr::ToString() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02X:%02X:%02X:%02X:%02X:%02X", bytes[5], bytes[4], bytes[3],
                  bytes[2], bytes[1], bytes[0]);
    return buf;
}

std::string HciOpcodeName(uint16_t opcode) {
    const char* name = nullptr;
    switch (opcode) {
        case kHciSetEventMask:
            name = "Set Event Mask";
            break;
        case kHciReset:
            name = "Reset";
            break;
        case kHciReadLocalVersion:
            name = "Read Local Version Information";
            break;
        case kHciReadLocalSupportedCommands:
            name = "Read Local Supported Commands";
            break;
        case kHciReadBdAddr:
            name = "Read BD_ADDR";
            break;
        case kHciLeSetEventMask:
            name = "LE Set Event Mask";
            break;
        case kHciLeReadBufferSize:
            name = "LE Read Buffer Size";
            break;
        case kHciLeReadLocalFeatures:
            name = "LE Read Local Supported Features";
            break;
        case kHciLeSetRandomAddress:
            name = "LE Set Random Address";
            break;
        case kHciLeSetAdvParameters:
            name = "LE Set Advertising Parameters";
            break;
        case kHciLeReadAdvTxPower:
            name = "LE Read Advertising Channel TX Power";
            break;
        case kHciLeSetAdvData:
            name = "LE Set Advertising Data";
            break;
        case kHciLeSetScanResponseData:
            name = "LE Set Scan Response Data";
            break;
        case kHciLeSetAdvEnable:
            name = "LE Set Advertising Enable";
            break;
        case kHciLeSetScanParameters:
            name = "LE Set Scan Parameters";
            break;
        case kHciLeSetScanEnable:
            name = "LE Set Scan Enable";
            break;
        case kHciLeRand:
            name = "LE Rand";
            break;
        case kHciLeSetAdvSetRandomAddress:
            name = "LE Set Advertising Set Random Address";
            break;
        case kHciLeSetExtAdvParameters:
            name = "LE Set Extended Advertising Parameters";
            break;
        case kHciLeSetExtAdvData:
            name = "LE Set Extended Advertising Data";
            break;
        case kHciLeSetExtScanResponseData:
            name = "LE Set Extended Scan Response Data";
            break;
        case kHciLeSetExtAdvEnable:
            name = "LE Set Extended Advertising Enable";
            break;
        case kHciLeReadMaxAdvDataLength:
            name = "LE Read Maximum Advertising Data Length";
            break;
        case kHciLeReadNumAdvSets:
            name = "LE Read Number of Supported Advertising Sets";
            break;
        case kHciLeRemoveAdvSet:
            name = "LE Remove Advertising Set";
            break;
        case kHciLeClearAdvSets:
            name = "LE Clear Advertising Sets";
            break;
        case kHciLeSetExtScanParameters:
            name = "LE Set Extended Scan Parameters";
            break;
        case kHciLeSetExtScanEnable:
            name = "LE Set Extended Scan Enable";
            break;
        default:
            return "command";
    }
    return name;
}

std::string HciStatusName(uint8_t status) {
    switch (status) {
        case kHciSuccess:
            return "Success";
        case kHciUnknownCommand:
            return "Unknown HCI Command";
        case 0x02:
            return "Unknown Connection Identifier";
        case 0x03:
            return "Hardware Failure";
        case kHciMemoryCapacityExceeded:
            return "Memory Capacity Exceeded";
        case kHciCommandDisallowed:
            return "Command Disallowed";
        case kHciUnsupportedFeature:
            return "Unsupported Feature or Parameter Value";
        case kHciInvalidParameters:
            return "Invalid HCI Command Parameters";
        case 0x1F:
            return "Unspecified Error";
        case kHciUnknownAdvertisingId:
            return "Unknown Advertising Identifier";
        case 0x43:
            return "Limit Reached";
        default:
            return "controller error";
    }
}

Status HciStatusError(uint16_t opcode, uint8_t status) {
    assert(status != kHciSuccess);
    std::string msg = "HCI " + HciOpcodeName(opcode) + " (" + Hex(opcode, 4) +
                      ") failed: " + HciStatusName(status) + " (" + Hex(status, 2) + ")";
    switch (status) {
        case kHciCommandDisallowed:
        case kHciUnknownAdvertisingId:
            return Status::FailedPrecondition(std::move(msg));
        case kHciUnsupportedFeature:
        case kHciInvalidParameters:
            return Status::InvalidArgument(std::move(msg));
        case kHciUnknownCommand:
        case kHciMemoryCapacityExceeded:
            return Status::Unavailable(std::move(msg));
        default:
            return Status::IOError(std::move(msg));
    }
}

std::vector<uint8_t> EncodeHciCommand(uint16_t opcode, std::span<const uint8_t> params) {
    return CommandBuilder(opcode).Bytes(params).Done();
}
std::vector<uint8_t> EncodeReset() { return CommandBuilder(kHciReset).Done(); }
std::vector<uint8_t> EncodeSetEventMask(uint64_t mask) {
    return CommandBuilder(kHciSetEventMask).U64(mask).Done();
}
std::vector<uint8_t> EncodeReadLocalVersion() {
    return CommandBuilder(kHciReadLocalVersion).Done();
}
std::vector<uint8_t> EncodeReadLocalSupportedCommands() {
    return CommandBuilder(kHciReadLocalSupportedCommands).Done();
}
std::vector<uint8_t> EncodeReadBdAddr() { return CommandBuilder(kHciReadBdAddr).Done(); }
std::vector<uint8_t> EncodeLeSetEventMask(uint64_t mask) {
    return CommandBuilder(kHciLeSetEventMask).U64(mask).Done();
}
std::vector<uint8_t> EncodeLeReadBufferSize() {
    return CommandBuilder(kHciLeReadBufferSize).Done();
}
std::vector<uint8_t> EncodeLeReadLocalFeatures() {
    return CommandBuilder(kHciLeReadLocalFeatures).Done();
}
std::vector<uint8_t> EncodeLeRand() { return CommandBuilder(kHciLeRand).Done(); }
std::vector<uint8_t> EncodeLeSetRandomAddress(const BdAddr& addr) {
    return CommandBuilder(kHciLeSetRandomAddress).Addr(addr).Done();
}

std::vector<uint8_t> EncodeLeSetAdvParameters(const AdvParameters& p) {
    return CommandBuilder(kHciLeSetAdvParameters)
        .U16(p.interval_min)
        .U16(p.interval_max)
        .U8(p.type)
        .U8(p.own_addr_type)
        .U8(p.peer_addr_type)
        .Addr(p.peer_addr)
        .U8(p.channel_map)
        .U8(p.filter_policy)
        .Done();
}
Result<std::vector<uint8_t>> EncodeLeSetAdvData(std::span<const uint8_t> data) {
    return EncodeLegacyData(kHciLeSetAdvData, data);
}
Result<std::vector<uint8_t>> EncodeLeSetScanResponseData(std::span<const uint8_t> data) {
    return EncodeLegacyData(kHciLeSetScanResponseData, data);
}
std::vector<uint8_t> EncodeLeSetAdvEnable(bool enable) {
    return CommandBuilder(kHciLeSetAdvEnable).U8(enable ? 1 : 0).Done();
}
std::vector<uint8_t> EncodeLeSetScanParameters(const ScanParameters& p) {
    return CommandBuilder(kHciLeSetScanParameters)
        .U8(p.type)
        .U16(p.interval)
        .U16(p.window)
        .U8(p.own_addr_type)
        .U8(p.filter_policy)
        .Done();
}
std::vector<uint8_t> EncodeLeSetScanEnable(bool enable, bool filter_duplicates) {
    return CommandBuilder(kHciLeSetScanEnable)
        .U8(enable ? 1 : 0)
        .U8(filter_duplicates ? 1 : 0)
        .Done();
}

std::vector<uint8_t> EncodeLeSetAdvSetRandomAddress(uint8_t handle, const BdAddr& addr) {
    return CommandBuilder(kHciLeSetAdvSetRandomAddress).U8(handle).Addr(addr).Done();
}
std::vector<uint8_t> EncodeLeSetExtAdvParameters(const ExtAdvParameters& p) {
    return CommandBuilder(kHciLeSetExtAdvParameters)
        .U8(p.handle)
        .U16(p.properties)
        .U24(p.interval_min)
        .U24(p.interval_max)
        .U8(p.channel_map)
        .U8(p.own_addr_type)
        .U8(p.peer_addr_type)
        .Addr(p.peer_addr)
        .U8(p.filter_policy)
        .U8(static_cast<uint8_t>(p.tx_power))
        .U8(p.primary_phy)
        .U8(p.secondary_max_skip)
        .U8(p.secondary_phy)
        .U8(p.sid)
        .U8(p.scan_request_notification)
        .Done();
}
Result<std::vector<uint8_t>> EncodeLeSetExtAdvData(uint8_t handle, std::span<const uint8_t> data) {
    return EncodeExtData(kHciLeSetExtAdvData, handle, data);
}
Result<std::vector<uint8_t>> EncodeLeSetExtScanResponseData(uint8_t handle,
                                                            std::span<const uint8_t> data) {
    return EncodeExtData(kHciLeSetExtScanResponseData, handle, data);
}
Result<std::vector<uint8_t>> EncodeLeSetExtAdvEnable(bool enable,
                                                     std::span<const ExtAdvEnableSet> sets) {
    if ((enable && sets.empty()) || sets.size() > 63) {
        return Status::InvalidArgument("LE Set Extended Advertising Enable: " +
                                       std::to_string(sets.size()) + " sets (enable needs 1..63)");
    }
    CommandBuilder b(kHciLeSetExtAdvEnable);
    b.U8(enable ? 1 : 0).U8(static_cast<uint8_t>(sets.size()));
    for (const auto& s : sets) b.U8(s.handle).U16(s.duration).U8(s.max_events);
    return b.Done();
}
std::vector<uint8_t> EncodeLeReadMaxAdvDataLength() {
    return CommandBuilder(kHciLeReadMaxAdvDataLength).Done();
}
std::vector<uint8_t> EncodeLeReadNumAdvSets() {
    return CommandBuilder(kHciLeReadNumAdvSets).Done();
}
std::vector<uint8_t> EncodeLeRemoveAdvSet(uint8_t handle) {
    return CommandBuilder(kHciLeRemoveAdvSet).U8(handle).Done();
}
std::vector<uint8_t> EncodeLeClearAdvSets() { return CommandBuilder(kHciLeClearAdvSets).Done(); }

std::vector<uint8_t> EncodeLeSetExtScanParameters(const ScanParameters& p) {
    return CommandBuilder(kHciLeSetExtScanParameters)
        .U8(p.own_addr_type)
        .U8(p.filter_policy)
        .U8(0x01)  // PHYs: LE 1M
        .U8(p.type)
        .U16(p.interval)
        .U16(p.window)
        .Done();
}
std::vector<uint8_t> EncodeLeSetExtScanEnable(bool enable, uint8_t filter_duplicates,
                                              uint16_t duration, uint16_t period) {
    return CommandBuilder(kHciLeSetExtScanEnable)
        .U8(enable ? 1 : 0)
        .U8(filter_duplicates)
        .U16(duration)
        .U16(period)
        .Done();
}

}  // namespace jejak
