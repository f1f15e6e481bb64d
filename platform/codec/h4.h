// H4 (HCI UART transport, Core Vol 4 Part A) framing: a pure byte-stream state machine.
//
// An H4 stream carries HCI packets each preceded by a one-byte indicator (0x01 command,
// 0x02 ACL, 0x03 SCO, 0x04 event, 0x05 ISO) and has no checksum or resync marker. H4Framer
// takes arbitrary chunks as read from a tty/socket and hands every complete packet (indicator
// included) to a callback. Bytes that cannot start a packet, and headers announcing more than
// the configured maximum, are reported as Corruption and skipped one byte at a time until a
// plausible indicator appears; the framer never crashes or allocates without bound. Callers
// that need certainty after garbage should still re-initialise the controller (HCI Reset).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

enum class H4Type : uint8_t {
    kCommand = 0x01,
    kAcl = 0x02,
    kSco = 0x03,
    kEvent = 0x04,
    kIso = 0x05,
};

// Header length after the indicator byte (3 cmd, 4 ACL, 3 SCO, 2 event, 4 ISO); 0 if unknown.
size_t H4HeaderLength(uint8_t indicator);

// Total packet length (indicator + header + payload) announced by `prefix`, which must start
// with the indicator and hold at least the full header; nullopt if the prefix is too short or
// the indicator unknown.
std::optional<size_t> H4PacketLength(std::span<const uint8_t> prefix);

struct H4FramerLimits {
    // Largest payload accepted per type (after the header). Defaults are the protocol
    // maxima for 1-byte lengths and a generous 1024+ bound for ACL/ISO data.
    size_t max_acl_payload = 1024;
    size_t max_iso_payload = 1024;
    // Bitmask of accepted indicators: bit N set = indicator N accepted. Default: all five.
    uint8_t accepted_types = 0x3E;
};

class H4Framer {
public:
    // Called with one complete packet, indicator byte first. The span is valid only during
    // the call.
    using PacketFn = std::function<void(std::span<const uint8_t> packet)>;
    // Called once per run of skipped bytes or per rejected header (Corruption status).
    using ErrorFn = std::function<void(const Status& error)>;

    explicit H4Framer(PacketFn on_packet, ErrorFn on_error = {}, H4FramerLimits limits = {});

    // Consumes every byte of `bytes`; callbacks run synchronously from inside Feed. The
    // callbacks must not call Feed on the same framer.
    void Feed(std::span<const uint8_t> bytes);

    // Drops any partial packet (e.g. after re-opening the transport).
    void Reset();

    // True when no partial packet is buffered.
    bool Idle() const { return buffer_.empty(); }
    uint64_t packets() const { return packets_; }
    uint64_t skipped_bytes() const { return skipped_bytes_; }

private:
    bool AcceptsIndicator(uint8_t byte) const;
    void Skip(uint8_t byte, const char* why);
    size_t MaxPayload(uint8_t indicator) const;
    bool CheckHeader();
    // Emits a whole packet starting at rest[0] straight from the input; 0 if incomplete or
    // over the limit (the slow path then buffers and reports).
    size_t EmitWhole(std::span<const uint8_t> rest);
    // Adds bytes to the buffered partial packet; returns how many were consumed.
    size_t FeedPartial(std::span<const uint8_t> rest);

    PacketFn on_packet_;
    ErrorFn on_error_;
    H4FramerLimits limits_;
    std::vector<uint8_t> buffer_;  // the partial packet, indicator first
    size_t expected_ = 0;          // total length once the header is complete, else 0
    bool in_garbage_ = false;      // inside a run of skipped bytes (report once per run)
    uint64_t packets_ = 0;
    uint64_t skipped_bytes_ = 0;
};

}  // namespace jejak
