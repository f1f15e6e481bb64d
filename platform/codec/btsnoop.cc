// btsnoop writer and bounds-checked reader.
#include "platform/codec/btsnoop.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jejak {
namespace {

constexpr uint8_t kMagic[8] = {'b', 't', 's', 'n', 'o', 'o', 'p', 0};

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t GetU32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

std::string RecordError(size_t index, size_t offset, const std::string& what) {
    return "btsnoop record " + std::to_string(index) + " at byte " + std::to_string(offset) + ": " +
           what;
}

HciPacketType MonitorType(uint16_t opcode, HciDirection* dir) {
    *dir = (opcode == 2 || opcode == 4 || opcode == 6 || opcode == 18)
               ? HciDirection::kHostToController
               : HciDirection::kControllerToHost;
    switch (opcode) {
        case 2:
            return HciPacketType::kCommand;
        case 3:
            return HciPacketType::kEvent;
        case 4:
        case 5:
            return HciPacketType::kAcl;
        case 6:
        case 7:
            return HciPacketType::kSco;
        case 18:
        case 19:
            return HciPacketType::kIso;
        default:
            return HciPacketType::kNone;
    }
}

}  // namespace

std::vector<uint8_t> BtsnoopFileHeader(uint32_t datalink) {
    std::vector<uint8_t> out(std::begin(kMagic), std::end(kMagic));
    PutU32(out, 1);
    PutU32(out, datalink);
    return out;
}

void AppendBtsnoopH4Record(std::vector<uint8_t>& out, std::span<const uint8_t> h4_packet,
                           HciDirection direction, int64_t time_unix_us) {
    const auto len = static_cast<uint32_t>(h4_packet.size());
    uint32_t flags = direction == HciDirection::kControllerToHost ? 1u : 0u;
    if (!h4_packet.empty() && (h4_packet[0] == 0x01 || h4_packet[0] == 0x04)) flags |= 2u;
    PutU32(out, len);
    PutU32(out, len);
    PutU32(out, flags);
    PutU32(out, 0);
    const uint64_t ts =
        static_cast<uint64_t>(time_unix_us) + static_cast<uint64_t>(kBtsnoopEpochOffsetUs);
    PutU32(out, static_cast<uint32_t>(ts >> 32));
    PutU32(out, static_cast<uint32_t>(ts & 0xFFFFFFFFu));
    out.insert(out.end(), h4_packet.begin(), h4_packet.end());
}

BtsnoopWriter::~BtsnoopWriter() { (void)Close(); }

Status BtsnoopWriter::Open(const std::string& path) {
    JEJAK_RETURN_IF_ERROR(Close());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int e = errno;
        return Status::FromErrno(e, "open HCI log " + path +
                                        (e == EEXIST ? " (it exists: choose a new file)" : ""));
    }
    std::FILE* f = ::fdopen(fd, "wb");
    if (f == nullptr) {
        const int e = errno;
        ::close(fd);
        return Status::FromErrno(e, "open HCI log " + path);
    }
    file_ = f;
    path_ = path;
    const auto header = BtsnoopFileHeader(kBtsnoopDatalinkH4);
    if (std::fwrite(header.data(), 1, header.size(), file_) != header.size() ||
        std::fflush(file_) != 0) {
        return Status::FromErrno(errno, "write HCI log " + path_);
    }
    return Status::Ok();
}

Status BtsnoopWriter::Write(std::span<const uint8_t> h4_packet, HciDirection direction,
                            int64_t time_unix_us) {
    if (file_ == nullptr) return Status::FailedPrecondition("HCI log is not open");
    scratch_.clear();
    AppendBtsnoopH4Record(scratch_, h4_packet, direction, time_unix_us);
    if (std::fwrite(scratch_.data(), 1, scratch_.size(), file_) != scratch_.size() ||
        std::fflush(file_) != 0) {
        return Status::FromErrno(errno, "write HCI log " + path_);
    }
    return Status::Ok();
}

Status BtsnoopWriter::Close() {
    if (file_ == nullptr) return Status::Ok();
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) return Status::FromErrno(errno, "close HCI log " + path_);
    return Status::Ok();
}

Result<BtsnoopReader> BtsnoopReader::Open(std::span<const uint8_t> file) {
    if (file.size() < kBtsnoopHeaderSize || std::memcmp(file.data(), kMagic, 8) != 0) {
        return Status::Corruption("not a btsnoop file (missing \"btsnoop\" header)");
    }
    const uint32_t version = GetU32(file.data() + 8);
    const uint32_t datalink = GetU32(file.data() + 12);
    if (version != 1) {
        return Status::Corruption("btsnoop version " + std::to_string(version) +
                                  " is not supported (expected 1)");
    }
    if (datalink != kBtsnoopDatalinkHci && datalink != kBtsnoopDatalinkH4 &&
        datalink != kBtsnoopDatalinkMonitor) {
        return Status::Corruption("btsnoop datalink " + std::to_string(datalink) +
                                  " is not supported (1001, 1002 or 2001)");
    }
    return BtsnoopReader(file, datalink);
}

Status BtsnoopReader::Classify(std::span<const uint8_t> data, BtsnoopRecord* out) const {
    out->packet = data;
    out->type = HciPacketType::kNone;
    if (datalink_ == kBtsnoopDatalinkMonitor) {
        out->monitor_opcode = static_cast<uint16_t>(out->flags & 0xFFFF);
        out->controller_index = static_cast<uint16_t>(out->flags >> 16);
        out->type = MonitorType(out->monitor_opcode, &out->direction);
        return Status::Ok();
    }
    out->direction =
        (out->flags & 1u) ? HciDirection::kControllerToHost : HciDirection::kHostToController;
    if (datalink_ == kBtsnoopDatalinkHci) {
        const bool ctrl = (out->flags & 2u) != 0;
        const bool rx = out->direction == HciDirection::kControllerToHost;
        out->type =
            ctrl ? (rx ? HciPacketType::kEvent : HciPacketType::kCommand) : HciPacketType::kAcl;
        return Status::Ok();
    }
    if (data.empty()) return Status::Corruption("empty H4 record (no packet indicator)");
    if (data[0] >= 0x01 && data[0] <= 0x05) {
        out->type = static_cast<HciPacketType>(data[0]);
        out->packet = data.subspan(1);
    }
    return Status::Ok();
}

Result<bool> BtsnoopReader::Next(BtsnoopRecord* out) {
    if (failed_) return Status::Corruption("btsnoop reader already failed");
    const size_t left = file_.size() - pos_;
    if (left == 0) return false;
    const size_t index = index_ + 1;
    failed_ = true;  // cleared on success below
    if (left < kBtsnoopRecordHeaderSize) {
        return Status::Corruption(RecordError(
            index, pos_, "truncated record header (" + std::to_string(left) + " bytes)"));
    }
    const uint8_t* h = file_.data() + pos_;
    const uint32_t original = GetU32(h);
    const uint32_t included = GetU32(h + 4);
    if (included > kBtsnoopMaxRecord || included > original) {
        return Status::Corruption(
            RecordError(index, pos_, "implausible length " + std::to_string(included)));
    }
    if (included > left - kBtsnoopRecordHeaderSize) {
        return Status::Corruption(RecordError(index, pos_, "truncated record data"));
    }
    *out = BtsnoopRecord{};
    out->index = index;
    out->original_length = original;
    out->flags = GetU32(h + 8);
    out->drops = GetU32(h + 12);
    const uint64_t ts = uint64_t{GetU32(h + 16)} << 32 | GetU32(h + 20);
    out->time_unix_us = static_cast<int64_t>(ts - static_cast<uint64_t>(kBtsnoopEpochOffsetUs));
    const auto data = file_.subspan(pos_ + kBtsnoopRecordHeaderSize, included);
    if (Status s = Classify(data, out); !s.ok()) {
        return Status::Corruption(RecordError(index, pos_, s.message()));
    }
    pos_ += kBtsnoopRecordHeaderSize + included;
    index_ = index;
    failed_ = false;
    return true;
}

}  // namespace jejak
