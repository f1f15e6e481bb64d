// Radio: the seam between Jejak and a Bluetooth LE radio.
//
// A Radio broadcasts one legacy, non-connectable advert (at most 31 bytes of AD data) from a
// caller-chosen random address, and passively scans for everybody else's adverts. The
// advertised address and payload only ever change together (Rotate), so a receiver never
// sees a new payload under an old address or an old payload under a new address. Concrete
// radios: HciRadio (any HCI controller behind an HciTransport: kernel socket, UART, UNIX
// socket) and SimRadio (a simulated ether for tests and demos). Pick one with a spec string
// (platform/radio_spec.h). The radio never generates addresses or payloads itself: the
// caller owns the GAEN schedule and hands over finished bytes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

// A 48-bit device address in HCI byte order: bytes[0] is the least significant octet,
// bytes[5] the most significant (the one whose top two bits give the random address kind).
struct RadioAddress {
    std::array<uint8_t, 6> bytes{};
    friend bool operator==(const RadioAddress&, const RadioAddress&) = default;
};

// True for a non-resolvable private address: top two bits 00 and the other 46 bits neither
// all zero nor all one (Core Vol 6 Part B 1.3.2.2). GAEN advertises only from such addresses.
inline bool IsNonResolvablePrivateAddress(const RadioAddress& a) {
    if ((a.bytes[5] & 0xC0) != 0) return false;
    bool all_zero = (a.bytes[5] & 0x3F) == 0;
    bool all_one = (a.bytes[5] & 0x3F) == 0x3F;
    for (int i = 0; i < 5; ++i) {
        all_zero = all_zero && a.bytes[static_cast<size_t>(i)] == 0x00;
        all_one = all_one && a.bytes[static_cast<size_t>(i)] == 0xFF;
    }
    return !all_zero && !all_one;
}

// Turns 6 random bytes into a non-resolvable private address (clears the top two bits; if
// the result is all zero or all one in its 46 random bits, flips the lowest bit).
inline RadioAddress MakeNonResolvablePrivateAddress(std::array<uint8_t, 6> random) {
    RadioAddress a{random};
    a.bytes[5] &= 0x3F;
    if (!IsNonResolvablePrivateAddress(a)) a.bytes[0] ^= 0x01;
    return a;
}

// Longest legacy advertising payload (Core Vol 3 Part C 11).
inline constexpr size_t kMaxLegacyAdvertLength = 31;

// What to advertise: the address and the AD bytes travel together, always.
struct AdvertisingSet {
    RadioAddress address;         // must be a non-resolvable private address
    std::vector<uint8_t> payload; // AD structures, 0..31 bytes
};

// How to advertise. Defaults follow the GAEN spec: 200-270 ms, all three channels.
struct AdvertisingParams {
    uint32_t min_interval_ms = 200;  // 20..10240
    uint32_t max_interval_ms = 270;  // >= min_interval_ms
    // Requested radio TX power in dBm. Legacy HCI cannot set it (the controller picks);
    // the simulated radio uses it in its path-loss model.
    int8_t tx_power_dbm = -15;
};

// Passive scan duty cycle: listen for `window_ms` out of every `interval_ms` (2.5..10240 ms,
// window <= interval). Duplicate filtering is always off: every advert is reported.
struct ScanParams {
    uint32_t interval_ms = 300;
    uint32_t window_ms = 100;
};

// One advert heard by the radio. `payload` is untrusted bytes straight off the air.
struct ReceivedAdvert {
    RadioAddress address;
    uint8_t address_type = 0;   // 0 public, 1 random, 2/3 resolved identity (HCI values)
    uint8_t pdu_type = 0;       // 0 ADV_IND, 2 ADV_SCAN_IND, 3 ADV_NONCONN_IND, 4 SCAN_RSP
    int8_t rssi_dbm = 127;      // 127 = not available
    std::vector<uint8_t> payload;  // AD bytes as received
    int64_t unix_micros = 0;    // reception time from the radio's injected Clock
};

// A point-in-time view for `jejak scan`, logs and health checks.
struct RadioStatus {
    std::string description;     // e.g. "hci unix:/tmp/x (HCI 5.0, manufacturer 0x05f1)"
    bool advertising = false;
    bool scanning = false;
    bool extended_advertising_supported = false;  // controller feature bit 12 (info only)
    RadioAddress advertised_address;
    uint64_t adverts_received = 0;
    uint64_t controller_resets = 0;  // watchdog recoveries after the initial start-up
    uint64_t malformed_reports = 0;  // advertising report events that failed to decode
    Status last_error;               // most recent failure (controller status kept with opcode)
};

class Radio {
public:
    // Called once per received advert while scanning, on a thread owned by the radio (never
    // concurrently with itself). It must return quickly and must not call back into the
    // Radio (that may deadlock); hand the advert to a queue instead.
    using AdvertCallback = std::function<void(const ReceivedAdvert&)>;

    virtual ~Radio() = default;  // stops advertising and scanning, releases the device

    // Starts advertising `set` (ADV_NONCONN_IND). Fails with FailedPrecondition if already
    // advertising (use Rotate), InvalidArgument for a bad address/payload/params, or the
    // controller's error. On failure the radio is left not advertising.
    virtual Status StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) = 0;

    // Replaces address and payload together while advertising. On any failure advertising
    // is left OFF (never the new payload under the old address or vice versa).
    virtual Status Rotate(const AdvertisingSet& set) = 0;

    // Stops advertising; OK if it was not advertising.
    virtual Status StopAdvertising() = 0;

    // Starts passive scanning; `on_advert` receives every advert until StopScanning. If
    // already scanning, the duty cycle and callback are replaced.
    virtual Status StartScanning(const ScanParams& params, AdvertCallback on_advert) = 0;

    // Stops scanning; OK if it was not scanning. No callback runs after this returns.
    virtual Status StopScanning() = 0;

    virtual RadioStatus GetStatus() const = 0;

    // Delivers, on the caller's thread, receptions that wait for the caller to collect them;
    // returns how many. Radios with a reader thread of their own deliver from it and return
    // 0 here; the simulated radio on an injected ManualClock is polled this way.
    virtual Result<size_t> Poll() { return size_t{0}; }
};

// Checks the parts of an advertising request every radio must refuse (shared by all radios).
inline Status ValidateAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) {
    if (!IsNonResolvablePrivateAddress(set.address)) {
        return Status::InvalidArgument(
            "advertising address must be a non-resolvable private address (top bits 00, "
            "not all zeros or ones)");
    }
    if (set.payload.size() > kMaxLegacyAdvertLength) {
        return Status::InvalidArgument("advertising payload is " +
                                       std::to_string(set.payload.size()) +
                                       " bytes; legacy adverts carry at most 31");
    }
    if (params.min_interval_ms < 20 || params.max_interval_ms > 10240 ||
        params.min_interval_ms > params.max_interval_ms) {
        return Status::InvalidArgument("advertising interval must satisfy 20 <= min <= max "
                                       "<= 10240 ms");
    }
    return Status::Ok();
}

inline Status ValidateScanning(const ScanParams& params) {
    // HCI allows 0x0004..0x4000 units of 0.625 ms: 2.5 ms .. 10.24 s.
    if (params.interval_ms < 3 || params.interval_ms > 10240 || params.window_ms < 3 ||
        params.window_ms > params.interval_ms) {
        return Status::InvalidArgument(
            "scan duty cycle must satisfy 3 <= window <= interval <= 10240 ms");
    }
    return Status::Ok();
}

}  // namespace jejak
