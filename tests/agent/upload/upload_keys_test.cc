// Which keys a report sends (14 days, today's cut at the current interval, never a key that
// has not started) and what the device keeps afterwards (the cut, a successor from the next
// interval, the sealed revision token), and how the effective-key rules read such rows.
#include <doctest/doctest.h>

#include "agent/upload/upload_keys.h"
#include "storage/memory_store.h"

namespace jejak {
namespace {

constexpr int64_t kDay = 20419;  // a UTC day
constexpr EnIntervalNumber kUploadDayStart = kDay * 144;

StoredTek Key(uint8_t fill, EnIntervalNumber start, uint32_t period = 144) {
    StoredTek t;
    for (auto& b : t.tek.mutable_bytes()) b = fill;
    t.rolling_start = start;
    t.rolling_period = period;
    return t;
}

struct Fixture {
    // 10:00 UTC on kDay: interval 60 of the day.
    ManualClock clock{(kDay * 86400 + 36000) * int64_t{1000000}};
    std::unique_ptr<MemoryStore> owned = std::move(MemoryStore::Open(clock, StoreOptions{}).value());
    MemoryStore& store = *owned;
    EnIntervalNumber now = kUploadDayStart + 60;
};

}  // namespace

TEST_CASE("a report selects 14 days of keys and cuts today's at the current interval") {
    Fixture f;
    for (uint8_t d = 0; d < 14; ++d) REQUIRE(f.store.PutTek(Key(d, kUploadDayStart - d * 144u)).ok());
    auto sel = SelectUploadKeys(f.store, f.now);
    REQUIRE(sel.ok());
    REQUIRE(sel->keys.size() == 14);  // today + 13 earlier days; day -14 is out of retention
    CHECK(sel->keys.back().rolling_start_number == kUploadDayStart);
    CHECK(sel->keys.back().rolling_period == 61);  // intervals 0..60 of today
    CHECK(sel->keys.front().rolling_start_number == kUploadDayStart - 13 * 144);
    for (size_t i = 0; i + 1 < sel->keys.size(); ++i) CHECK(sel->keys[i].rolling_period == 144);
    REQUIRE(sel->release.has_value());
    CHECK(sel->release->rolling_period == 61);
}

TEST_CASE("after release the cut is the key's truth and a successor starts next interval") {
    Fixture f;
    REQUIRE(f.store.PutTek(Key(1, kUploadDayStart)).ok());
    auto sel = SelectUploadKeys(f.store, f.now);
    REQUIRE(sel.ok());
    SystemRandom random;
    REQUIRE(ReleaseTodaysKey(f.store, *sel, random).ok());

    std::vector<StoredTek> rows;
    REQUIRE(f.store.ForEachTek(DayRange::One(kDay), [&](const StoredTek& t) { rows.push_back(t); })
                .ok());
    REQUIRE(rows.size() == 3);  // original, cut, successor
    const auto eff = EffectiveTeks(rows);
    REQUIRE(eff.size() == 2);
    CHECK(eff[0].tek == Key(1, 0).tek);
    CHECK(eff[0].rolling_period == 61);
    CHECK(eff[1].rolling_start == f.now + 1);
    CHECK(eff[1].rolling_start + eff[1].rolling_period == kUploadDayStart + 144);
    CHECK_FALSE(eff[1].tek == eff[0].tek);
    // The broadcaster's view: the released key until the current interval ends, then the
    // successor; never the released key again.
    CHECK(TekValidAt(eff, f.now)->tek == eff[0].tek);
    CHECK(TekValidAt(eff, f.now + 1)->tek == eff[1].tek);
    CHECK(TekValidAt(eff, kUploadDayStart + 143)->tek == eff[1].tek);
    CHECK_FALSE(TekValidAt(eff, kUploadDayStart + 144).has_value());

    // A later report the same day sends the released key as cut and the successor cut again,
    // and never a key that has not started.
    auto again = SelectUploadKeys(f.store, f.now + 10);
    REQUIRE(again.ok());
    REQUIRE(again->keys.size() == 2);
    CHECK(again->keys[0].rolling_period == 61);
    CHECK(again->keys[1].rolling_start_number == f.now + 1);
    CHECK(again->keys[1].rolling_period == 10);
    auto before = SelectUploadKeys(f.store, f.now);  // the successor has not started yet
    REQUIRE(before.ok());
    CHECK(before->keys.size() == 1);
}

TEST_CASE("a cut in the day's last interval leaves no successor") {
    Fixture f;
    REQUIRE(f.store.PutTek(Key(1, kUploadDayStart)).ok());
    f.clock.SetUnixMicros((kDay * 86400 + 86399) * int64_t{1000000});
    auto sel = SelectUploadKeys(f.store, kUploadDayStart + 143);
    REQUIRE(sel.ok());
    REQUIRE(sel->keys.size() == 1);
    CHECK(sel->keys[0].rolling_period == 144);
    CHECK_FALSE(sel->release.has_value());
    SystemRandom random;
    REQUIRE(ReleaseTodaysKey(f.store, *sel, random).ok());
    size_t rows = 0;
    REQUIRE(f.store.ForEachTek(DayRange::All(), [&](const StoredTek&) { ++rows; }).ok());
    CHECK(rows == 1);
}

TEST_CASE("the revision token is kept in the store and empty until there is one") {
    Fixture f;
    auto none = LoadRevisionToken(f.store);
    REQUIRE(none.ok());
    CHECK(none->empty());
    REQUIRE(SaveRevisionToken(f.store, "rev-abc").ok());
    REQUIRE(SaveRevisionToken(f.store, "").ok());  // an empty reply keeps the old token
    CHECK(*LoadRevisionToken(f.store) == "rev-abc");
}

}  // namespace jejak
