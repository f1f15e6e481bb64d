// Existing stores keep working: a real schema-1 store (tests/data/storage/v1-store, written by
// `jejak run` before scan regimes were recorded) opens under the current schema (3), its sightings
// read back unchanged as ScanRegime::kUnrecorded, and new sightings carry their regime and bin.
#include <doctest/doctest.h>

#include <filesystem>

#include "storage/row_codec.h"
#include "storage/sighting_aggregator.h"
#include "tests/support/test_data.h"
#include "tests/storage/store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::ScratchDir;

// The fixture's last write: 2026-11-27 08:01:57 UTC (day 20784).
constexpr int64_t kFixtureUnix = 1795766517;

void CopyFixture(const ScratchDir& dir) {
    for (const char* name : {"store.db", "store.keys", "master.key"}) {
        std::filesystem::copy_file(testing::TestDataPath(std::string("storage/v1-store/") + name),
                                   dir.File(name));
        std::filesystem::permissions(dir.File(name), std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
    }
}

std::vector<Sighting> ReadAll(Store& store, ReadReport* report = nullptr) {
    std::vector<Sighting> out;
    auto r = store.ForEachSighting(DayRange::All(), [&](const Sighting& s) { out.push_back(s); });
    REQUIRE(r.ok());
    if (report != nullptr) *report = *r;
    return out;
}

}  // namespace

TEST_CASE("a schema-1 store written by an earlier jejak opens, migrates to 3 and keeps its rows") {
    ScratchDir dir;
    CopyFixture(dir);
    {
        auto raw = SqliteDb::Open(dir.File("store.db"), false);
        REQUIRE(raw.ok());
        CHECK(raw->QueryInt("PRAGMA user_version").value() == 1);
    }
    ManualClock clock(testing::Micros(kFixtureUnix));
    auto store = SqliteStore::Open(clock, testing::SqliteOptions(dir));
    REQUIRE(store.ok());
    ReadReport report;
    const std::vector<Sighting> old_rows = ReadAll(**store, &report);
    CHECK(report.clean());
    REQUIRE(old_rows.size() == 6);
    for (const Sighting& s : old_rows) {
        CHECK(s.scan_regime == ScanRegime::kUnrecorded);
        CHECK(s.bin_seconds == 0);
        CHECK(s.Day() == 20784);
        CHECK(CheckSighting(s).ok());
    }
    int teks = 0;
    REQUIRE((*store)->ForEachTek(DayRange::All(), [&](const StoredTek&) { ++teks; }).ok());
    CHECK(teks == 1);

    // A new continuous-scan sighting is written in the new format beside the old rows.
    SightingAggregator aggregator(ScanRegime::kContinuous, 60);
    aggregator.BeginScan(kFixtureUnix);
    aggregator.Add({old_rows[0].rpi, old_rows[0].aem, kFixtureUnix + 1, -50});
    const std::vector<Sighting> fresh = aggregator.EndScan();
    REQUIRE(fresh.size() == 1);
    REQUIRE((*store)->AddSightings(fresh).ok());
    REQUIRE((*store)->Close().ok());
    store = SqliteStore::Open(clock, testing::SqliteOptions(dir));
    REQUIRE(store.ok());
    const std::vector<Sighting> all = ReadAll(**store);
    REQUIRE(all.size() == 7);
    CHECK(std::equal(old_rows.begin(), old_rows.end(), all.begin()));
    CHECK(all.back() == fresh[0]);
    CHECK(all.back().scan_regime == ScanRegime::kContinuous);
    CHECK(all.back().bin_seconds == 60);
    auto verified = (*store)->Verify();
    REQUIRE(verified.ok());
    CHECK(verified->clean());
    REQUIRE((*store)->Close().ok());
    auto raw = SqliteDb::Open(dir.File("store.db"), false);
    REQUIRE(raw.ok());
    CHECK(raw->QueryInt("PRAGMA user_version").value() == 3);
    CHECK(raw->QueryInt("SELECT count(*) FROM exposure_ledger").value() == 0);
}

TEST_CASE("sighting payloads: format 1 still decodes, format 2 carries regime and bin") {
    Sighting s = testing::SampleSighting(3, testing::kDay0Unix + 100);
    s.scan_regime = ScanRegime::kDutyCycled;
    std::array<uint8_t, kSightingPlainSize> plain{};
    EncodeSighting(s, plain);
    CHECK(plain[0] == 2);
    auto back = DecodeSighting(plain);
    REQUIRE(back.ok());
    CHECK(*back == s);

    // Format 1 is the first 47 bytes with format byte 1: same fields, regime unrecorded.
    std::vector<uint8_t> v1(plain.begin(), plain.begin() + kSightingPlainSizeV1);
    v1[0] = 1;
    auto old = DecodeSighting(v1);
    REQUIRE(old.ok());
    Sighting expected = s;
    expected.scan_regime = ScanRegime::kUnrecorded;
    CHECK(*old == expected);

    // Must-reject: wrong lengths for either format, an unknown regime, a bin without
    // continuous scanning, continuous scanning without a bin.
    v1[0] = 2;
    CHECK(DecodeSighting(v1).status().IsCorruption());
    std::vector<uint8_t> bad(plain.begin(), plain.end());
    bad[0] = 1;
    CHECK(DecodeSighting(bad).status().IsCorruption());
    bad = {plain.begin(), plain.end()};
    bad[47] = 3;
    CHECK(DecodeSighting(bad).status().IsCorruption());
    bad[47] = 1;
    bad[48] = 60;
    CHECK(DecodeSighting(bad).status().IsCorruption());
    bad[47] = 2;
    bad[48] = 0;
    CHECK(DecodeSighting(bad).status().IsCorruption());
    bad[48] = 60;
    auto continuous = DecodeSighting(bad);
    REQUIRE(continuous.ok());
    CHECK(continuous->scan_regime == ScanRegime::kContinuous);
    CHECK(continuous->bin_seconds == 60);
}

TEST_CASE("CheckSighting: bins belong to continuous scanning only") {
    Sighting s = testing::SampleSighting(1, testing::kDay0Unix);
    CHECK(CheckSighting(s).ok());
    s.bin_seconds = 60;
    CHECK(CheckSighting(s).IsInvalidArgument());
    s.scan_regime = ScanRegime::kContinuous;
    CHECK(CheckSighting(s).ok());
    s.bin_seconds = 0;
    CHECK(CheckSighting(s).IsInvalidArgument());
    s.bin_seconds = kMaxBinSeconds + 1;
    CHECK(CheckSighting(s).IsInvalidArgument());
    s.bin_seconds = 60;
    s.scan_regime = static_cast<ScanRegime>(7);
    CHECK(CheckSighting(s).IsInvalidArgument());
}

}  // namespace jejak
