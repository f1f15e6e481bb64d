// Helpers shared by the storage suites: store factories for the conformance suite (each in
// its own ScratchDir) and deterministic sample rows.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "storage/keys/master_key.h"
#include "platform/base/clock.h"
#include "storage/memory_store.h"
#include "storage/sqlite_store.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {

// 2020-06-20 00:00:00 UTC: UTC day 18433.
inline constexpr int64_t kDay0Unix = 18433LL * 86400;
inline constexpr UtcDay kDay0 = 18433;

inline int64_t Micros(int64_t unix_s) { return unix_s * 1000000; }

inline std::vector<uint8_t> ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Distinct, recognisable sample rows.
inline Sighting SampleSighting(uint32_t seed, int64_t first_seen_unix_s) {
    Sighting s;
    for (size_t i = 0; i < s.rpi.size(); ++i) s.rpi[i] = static_cast<uint8_t>(seed * 31 + i * 7 + 1);
    for (size_t i = 0; i < s.aem.size(); ++i) s.aem[i] = static_cast<uint8_t>(seed * 13 + i + 5);
    s.first_seen_unix_s = first_seen_unix_s;
    s.last_seen_unix_s = first_seen_unix_s + seed % 17;
    s.count = 1 + seed % 9;
    s.min_rssi = static_cast<int8_t>(-90 + static_cast<int>(seed % 10));
    s.max_rssi = static_cast<int8_t>(-50 - static_cast<int>(seed % 10));
    s.mean_rssi = -70.25f + static_cast<float>(seed % 5);
    s.seconds_since_previous_scan = static_cast<int32_t>(seed % 300) - 1;
    return s;
}

inline StoredTek SampleTek(uint32_t seed, UtcDay day) {
    StoredTek t;
    for (size_t i = 0; i < Tek::kSize; ++i) t.tek.data()[i] = static_cast<uint8_t>(seed * 17 + i * 3 + 9);
    t.rolling_start = day * kTekRollingPeriod;
    t.rolling_period = kTekRollingPeriod;
    return t;
}

// Fast Argon2id limits for tests (the production default takes ~1 s and 64 MiB).
inline PwhashParams TestPwhash() { return {1, 8 * 1024}; }

inline SqliteStoreOptions SqliteOptions(const ScratchDir& dir, StoreOptions base = {}) {
    SqliteStoreOptions o;
    static_cast<StoreOptions&>(o) = base;
    o.state_dir = dir.str();
    return o;
}

// Conformance-suite factories: Open(), then Reopen() (persistent stores keep their rows).
struct MemoryFactory {
    static constexpr bool kPersistent = false;
    ScratchDir dir;
    Result<std::unique_ptr<Store>> Open(const Clock& clock, StoreOptions o = {}) {
        auto s = MemoryStore::Open(clock, o);
        if (!s.ok()) return s.status();
        return std::unique_ptr<Store>(std::move(s).value());
    }
};

struct SqliteFactory {
    static constexpr bool kPersistent = true;
    ScratchDir dir;
    Result<std::unique_ptr<Store>> Open(const Clock& clock, StoreOptions o = {}) {
        auto s = SqliteStore::Open(clock, SqliteOptions(dir, o));
        if (!s.ok()) return s.status();
        return std::unique_ptr<Store>(std::move(s).value());
    }
};

template <typename StoreT>
std::vector<Sighting> AllSightings(StoreT& store, DayRange days = DayRange::All()) {
    std::vector<Sighting> out;
    auto report = store.ForEachSighting(days, [&](const Sighting& s) { out.push_back(s); });
    REQUIRE(report.ok());
    CHECK(report->clean());
    return out;
}

}  // namespace jejak::testing
