// btsnoop capture files (BlueZ src/shared/btsnoop.h; RFC-1761 style): writer and reader.
//
// Header: "btsnoop\0", version 1, datalink (big-endian). Each record: original length,
// included length, flags, cumulative drops (u32 BE each), timestamp int64 BE in
// microseconds since 0000-01-01 (unix_us + kBtsnoopEpochOffsetUs), then the bytes.
// The writer produces datalink 1002 (HCI UART/H4: data = the H4 packet, flags bit0 =
// controller->host, bit1 = command/event) for `--hci-log FILE`. The reader accepts 1001,
// 1002 and 2001 (BlueZ monitor: flags = index << 16 | opcode, data without H4 indicator)
// and presents every record as (H4 type, direction, packet without indicator). File bytes
// are untrusted: a bad header, truncated record or absurd length is Corruption.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

inline constexpr uint32_t kBtsnoopDatalinkHci = 1001;
inline constexpr uint32_t kBtsnoopDatalinkH4 = 1002;
inline constexpr uint32_t kBtsnoopDatalinkMonitor = 2001;
inline constexpr int64_t kBtsnoopEpochOffsetUs = 0x00DCDDB30F2F8000;  // 0000-01-01 -> 1970
inline constexpr size_t kBtsnoopHeaderSize = 16;
inline constexpr size_t kBtsnoopRecordHeaderSize = 24;
// Largest record accepted: above any HCI packet (ACL 4 + 65535 bytes + indicator).
inline constexpr uint32_t kBtsnoopMaxRecord = 65540;

enum class HciDirection : uint8_t { kHostToController = 0, kControllerToHost = 1 };

// ---- Writer (pure part) ----
std::vector<uint8_t> BtsnoopFileHeader(uint32_t datalink = kBtsnoopDatalinkH4);
// Appends one datalink-1002 record holding `h4_packet` (indicator first).
void AppendBtsnoopH4Record(std::vector<uint8_t>& out, std::span<const uint8_t> h4_packet,
                           HciDirection direction, int64_t time_unix_us);

// Writes a datalink-1002 file for `--hci-log FILE`. Not thread-safe: one writer per
// transport thread (or guard it). Each Write is flushed so a crash loses at most the packet
// in flight.
class BtsnoopWriter {
public:
    BtsnoopWriter() = default;
    ~BtsnoopWriter();
    BtsnoopWriter(const BtsnoopWriter&) = delete;
    BtsnoopWriter& operator=(const BtsnoopWriter&) = delete;

    // Creates `path` (a new file, mode 0600: O_CREAT|O_EXCL|O_NOFOLLOW, so a daemon started
    // as root never writes through a planted symlink or into someone else's file) and writes
    // the file header. AlreadyExists-style IOError naming the path when it exists.
    Status Open(const std::string& path);
    Status Write(std::span<const uint8_t> h4_packet, HciDirection direction, int64_t time_unix_us);
    Status Close();
    bool is_open() const { return file_ != nullptr; }

private:
    std::FILE* file_ = nullptr;
    std::string path_;
    std::vector<uint8_t> scratch_;
};

// ---- Reader ----
enum class HciPacketType : uint8_t {
    kNone = 0,  // a monitor record that is not an HCI packet (NEW_INDEX, notes, ...)
    kCommand = 0x01,
    kAcl = 0x02,
    kSco = 0x03,
    kEvent = 0x04,
    kIso = 0x05,
};

struct BtsnoopRecord {
    size_t index = 0;  // 1-based record number in file order (btmon's #N for 1002 files)
    int64_t time_unix_us = 0;
    uint32_t flags = 0;
    uint32_t original_length = 0;
    uint32_t drops = 0;
    HciPacketType type = HciPacketType::kNone;
    HciDirection direction = HciDirection::kHostToController;
    uint16_t monitor_opcode = 0xFFFF;  // datalink 2001 only
    uint16_t controller_index = 0;     // datalink 2001 only
    // The HCI packet without the H4 indicator (e.g. `code plen params` for events); for
    // kNone records, the raw record data. Points into the reader's buffer.
    std::span<const uint8_t> packet;
};

class BtsnoopReader {
public:
    // Checks the 16-byte header. `file` must outlive the reader.
    static Result<BtsnoopReader> Open(std::span<const uint8_t> file);

    // Next record into *out: true, or false at the clean end of the file. Corruption on a
    // truncated or inconsistent record; the reader then stays failed.
    Result<bool> Next(BtsnoopRecord* out);

    uint32_t datalink() const { return datalink_; }

private:
    BtsnoopReader(std::span<const uint8_t> file, uint32_t datalink)
        : file_(file), datalink_(datalink) {}
    Status Classify(std::span<const uint8_t> data, BtsnoopRecord* out) const;

    std::span<const uint8_t> file_;
    uint32_t datalink_;
    size_t pos_ = kBtsnoopHeaderSize;
    size_t index_ = 0;
    bool failed_ = false;
};

}  // namespace jejak
