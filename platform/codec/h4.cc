// H4 framer: header lengths per indicator, limits, resynchronisation after garbage.
#include "platform/codec/h4.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace jejak {
namespace {

const char* TypeName(uint8_t indicator) {
    switch (indicator) {
        case 0x01:
            return "command";
        case 0x02:
            return "ACL";
        case 0x03:
            return "SCO";
        case 0x04:
            return "event";
        case 0x05:
            return "ISO";
        default:
            return "unknown";
    }
}

}  // namespace

size_t H4HeaderLength(uint8_t indicator) {
    switch (indicator) {
        case 0x01:
            return 3;  // opcode(2) plen(1)
        case 0x02:
            return 4;  // handle+flags(2) len(2)
        case 0x03:
            return 3;  // handle(2) len(1)
        case 0x04:
            return 2;  // code(1) plen(1)
        case 0x05:
            return 4;  // handle+flags(2) len(14 bits)
        default:
            return 0;
    }
}

std::optional<size_t> H4PacketLength(std::span<const uint8_t> prefix) {
    if (prefix.empty()) return std::nullopt;
    const size_t header = H4HeaderLength(prefix[0]);
    if (header == 0 || prefix.size() < 1 + header) return std::nullopt;
    size_t payload = 0;
    switch (prefix[0]) {
        case 0x01:
        case 0x03:
            payload = prefix[3];
            break;
        case 0x04:
            payload = prefix[2];
            break;
        case 0x02:
            payload = size_t{prefix[3]} | size_t{prefix[4]} << 8;
            break;
        case 0x05:
            payload = size_t{prefix[3]} | size_t{prefix[4] & 0x3Fu} << 8;
            break;
        default:
            return std::nullopt;
    }
    return 1 + header + payload;
}

H4Framer::H4Framer(PacketFn on_packet, ErrorFn on_error, H4FramerLimits limits)
    : on_packet_(std::move(on_packet)), on_error_(std::move(on_error)), limits_(limits) {}

void H4Framer::Reset() {
    buffer_.clear();
    expected_ = 0;
    in_garbage_ = false;
}

bool H4Framer::AcceptsIndicator(uint8_t byte) const {
    return byte < 8 && H4HeaderLength(byte) != 0 && (limits_.accepted_types >> byte & 1u) != 0;
}

void H4Framer::Skip(uint8_t byte, const char* why) {
    ++skipped_bytes_;
    if (in_garbage_) return;
    in_garbage_ = true;
    if (on_error_) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", byte);
        on_error_(Status::Corruption(std::string("H4 stream: ") + why + " " + hex +
                                     "; skipping bytes until a packet indicator"));
    }
}

size_t H4Framer::MaxPayload(uint8_t indicator) const {
    if (indicator == 0x02) return limits_.max_acl_payload;
    if (indicator == 0x05) return limits_.max_iso_payload;
    return 255;  // one-byte length fields
}

// Called when buffer_ holds indicator + full header: sets expected_ or rejects the header.
bool H4Framer::CheckHeader() {
    const size_t total = *H4PacketLength(buffer_);
    const size_t payload = total - 1 - H4HeaderLength(buffer_[0]);
    const size_t max = MaxPayload(buffer_[0]);
    if (payload <= max) {
        expected_ = total;
        return true;
    }
    std::vector<uint8_t> rest(buffer_.begin() + 1, buffer_.end());
    const uint8_t indicator = buffer_[0];
    Reset();
    if (on_error_) {
        on_error_(Status::Corruption(std::string("H4 stream: ") + TypeName(indicator) +
                                     " packet announces " + std::to_string(payload) +
                                     " payload bytes (limit " + std::to_string(max) +
                                     "); resynchronising"));
    }
    in_garbage_ = true;
    ++skipped_bytes_;
    Feed(rest);  // header bytes may hold the next indicator; depth bounded by header size
    return false;
}

size_t H4Framer::EmitWhole(std::span<const uint8_t> rest) {
    const auto total = H4PacketLength(rest);
    if (!total || *total > rest.size()) return 0;
    if (*total - 1 - H4HeaderLength(rest[0]) > MaxPayload(rest[0])) return 0;
    ++packets_;
    on_packet_(rest.first(*total));
    return *total;
}

size_t H4Framer::FeedPartial(std::span<const uint8_t> rest) {
    size_t used = 0;
    if (expected_ == 0) {
        buffer_.push_back(rest[used++]);
        if (buffer_.size() < 1 + H4HeaderLength(buffer_[0])) return used;
        if (!CheckHeader()) return used;  // rejected; the header's tail was re-fed
    } else {
        used = std::min(expected_ - buffer_.size(), rest.size());
        buffer_.insert(buffer_.end(), rest.begin(), rest.begin() + static_cast<ptrdiff_t>(used));
    }
    if (buffer_.size() == expected_) {
        ++packets_;
        expected_ = 0;
        on_packet_(buffer_);
        buffer_.clear();
    }
    return used;
}

void H4Framer::Feed(std::span<const uint8_t> bytes) {
    size_t i = 0;
    while (i < bytes.size()) {
        if (!buffer_.empty()) {
            i += FeedPartial(bytes.subspan(i));
            continue;
        }
        const uint8_t b = bytes[i];
        if (!AcceptsIndicator(b)) {
            Skip(b, "unexpected packet indicator");
            ++i;
            continue;
        }
        in_garbage_ = false;
        // Fast path: a whole, in-limit packet inside this chunk is emitted without copying.
        if (const size_t used = EmitWhole(bytes.subspan(i)); used != 0) {
            i += used;
            continue;
        }
        buffer_.push_back(b);
        expected_ = 0;
        ++i;
    }
}

}  // namespace jejak
