// Sample rows shared by the crash test and its writer (no doctest dependency).
#pragma once

#include <cstdint>

#include "storage/store.h"

namespace jejak::testing {

// The sighting the crash writer stores for `seed`: its RPI encodes the seed.
inline Sighting CrashSighting(uint32_t seed, int64_t now_unix_s) {
    Sighting s;
    for (size_t i = 0; i < 4; ++i) s.rpi[i] = static_cast<uint8_t>(seed >> (8 * i));
    for (size_t i = 4; i < s.rpi.size(); ++i) s.rpi[i] = static_cast<uint8_t>(0xA5 ^ i);
    s.first_seen_unix_s = now_unix_s;
    s.last_seen_unix_s = now_unix_s + 2;
    s.count = 3;
    s.min_rssi = -80;
    s.max_rssi = -60;
    s.mean_rssi = -70;
    return s;
}

inline uint32_t CrashSeedOf(const Sighting& s) {
    return s.rpi[0] | uint32_t{s.rpi[1]} << 8 | uint32_t{s.rpi[2]} << 16 | uint32_t{s.rpi[3]} << 24;
}

}  // namespace jejak::testing
