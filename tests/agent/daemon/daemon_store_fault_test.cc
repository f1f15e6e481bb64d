// The daemon on a full or failing disk (FaultyVfs under its SQLite store, a simulated ether,
// a ManualClock): it stays on air, advertising and scanning and rotating address and RPI
// together, holds what it hears in the store's bounded write-behind buffer, says so in its
// snapshot, and once the disk takes writes again commits everything it held (nothing heard
// is lost, nothing committed before is lost, the store verifies clean). A new day's key made
// while the disk is full is advertised at once and stored once the disk is back: the key
// stored is the key that was on air.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "agent/daemon/daemon.h"
#include "gaen/keys/key_schedule.h"
#include "platform/codec/gaen_advert.h"
#include "platform/sim/sim_radio.h"
#include "storage/memory_store.h"
#include "storage/sqlite_store.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/faulty_vfs.h"

namespace jejak {
namespace {

using testing::FaultyVfs;

class CountingRandom final : public RandomSource {
public:
    explicit CountingRandom(uint8_t seed) : next_(seed) {}
    void Fill(std::span<uint8_t> out) override {
        for (uint8_t& b : out) b = static_cast<uint8_t>(next_ = next_ * 33 + 17);
    }

private:
    uint32_t next_;
};

constexpr int64_t kSecond = 1'000'000;
// 2026-11-27 10:05:00 UTC: five minutes into an interval.
constexpr int64_t kStartMicros = int64_t{1'795'773'900} * kSecond;

// A (the device under test, SQLite store on the faulty VFS) and B (a neighbour 1 m away
// with an in-memory store, so A always has someone to hear).
struct Pair {
    FaultyVfs vfs;  // before any store opens
    testing::ScratchDir ether{"daemon-fault-ether"};
    testing::ScratchDir state{"daemon-fault-state"};
    ManualClock clock;
    std::unique_ptr<SimRadio> radio_a, radio_b;
    std::unique_ptr<SqliteStore> store_a;
    std::unique_ptr<MemoryStore> store_b;
    CountingRandom random_a{1}, random_b{2};
    std::ostringstream log_a, log_b;
    std::unique_ptr<Daemon> a, b;

    explicit Pair(int64_t start_micros) : clock(start_micros) {
        radio_a = testing::OpenSimAt(ether.path().string(), 0.0, 21, clock);
        radio_b = testing::OpenSimAt(ether.path().string(), 1.0, 22, clock);
        SqliteStoreOptions o;
        o.state_dir = state.path().string();
        o.flush_interval_s = 30;
        auto s = SqliteStore::Open(clock, o);
        REQUIRE(s.ok());
        store_a = std::move(s).value();
        auto m = MemoryStore::Open(clock, StoreOptions{});
        REQUIRE(m.ok());
        store_b = std::move(m).value();
        DaemonOptions d;
        d.flush_interval_s = 30;
        a = std::make_unique<Daemon>(*radio_a, clock, *store_a, random_a, d, log_a);
        b = std::make_unique<Daemon>(*radio_b, clock, *store_b, random_b, d, log_b);
        REQUIRE(a->Start().ok());
        REQUIRE(b->Start().ok());
    }

    // One tick a second; every tick of A must succeed whatever the disk does, and A stays on
    // air throughout.
    void Run(int seconds) {
        for (int t = 0; t < seconds; ++t) {
            clock.Advance(kSecond);
            REQUIRE(radio_a->Poll().ok());
            REQUIRE(radio_b->Poll().ok());
            Status ta = a->Tick();
            CAPTURE(ta.ToString());
            REQUIRE(ta.ok());
            REQUIRE(b->Tick().ok());
            const RadioStatus rs = radio_a->GetStatus();
            REQUIRE(rs.advertising);
            REQUIRE(rs.scanning);
        }
    }

    std::vector<Sighting> SightingsOfA() {
        std::vector<Sighting> all;
        REQUIRE(store_a->ForEachSighting(DayRange::All(), [&](const Sighting& s) {
            all.push_back(s);
        }).ok());
        return all;
    }

    std::vector<StoredTek> TeksOfA() {
        std::vector<StoredTek> teks;
        REQUIRE(store_a->ForEachTek(DayRange::All(), [&](const StoredTek& t) {
            teks.push_back(t);
        }).ok());
        return teks;
    }
};

// The RPI in the advert A has on air now.
Rpi RpiOnAir(Daemon& d) {
    const auto payload = ParseGaenAdvert(d.CurrentAdvertisingSet().payload);
    REQUIRE(payload.has_value());
    return payload->rpi;
}

// True when `rpi` is the RPI of `interval` under one of `teks`.
bool RpiOfStoredKey(const std::vector<StoredTek>& teks, const Rpi& rpi, EnIntervalNumber interval) {
    for (const StoredTek& t : teks) {
        if (interval < t.rolling_start || interval >= t.rolling_start + t.rolling_period) continue;
        auto derived = DeriveRpi(DeriveRpik(t.tek), interval);
        if (derived.ok() && *derived == rpi) return true;
    }
    return false;
}

EnIntervalNumber IntervalNow(const Clock& clock) {
    auto i = IntervalFromUnixSeconds(clock.NowUnixMicros() / kSecond);
    REQUIRE(i.ok());
    return *i;
}

void CheckVerifiesClean(Store& store) {
    auto report = store.Verify();
    REQUIRE(report.ok());
    for (const auto& p : report->problems) CAPTURE(p.what);
    CHECK(report->problems.empty());
}

TEST_CASE("daemon on a full disk stays on air, holds its sightings and commits them all when space returns") {
    Pair p(kStartMicros);
    p.Run(60);  // 10:06:00, the store has flushed
    const auto before_fault = p.SightingsOfA();
    REQUIRE(!before_fault.empty());
    const AdvertisingSet set_before = p.a->CurrentAdvertisingSet();

    p.vfs.Set(FaultyVfs::Fault::kFull);
    p.Run(600);  // to 10:16:00: across the 10:10 rotation, twenty flush attempts
    CHECK(p.vfs.failed_writes() > 0);
    // Rotation went on: a new address with a new RPI, the RPI of A's stored key.
    const AdvertisingSet set_during = p.a->CurrentAdvertisingSet();
    CHECK_FALSE(set_during.address == set_before.address);
    CHECK(set_during.payload != set_before.payload);
    CHECK(RpiOfStoredKey(p.TeksOfA(), RpiOnAir(*p.a), IntervalNow(p.clock)));
    // Nothing new reached the disk; everything heard waits in the buffer.
    CHECK(p.SightingsOfA().size() == before_fault.size());
    auto stats = p.store_a->Stats();
    REQUIRE(stats.ok());
    CHECK(stats->pending_sightings > 0);
    CHECK(stats->dropped_buffer_full == 0);
    const DaemonSnapshot down = p.a->Snapshot();
    CHECK(down.on_air);
    CHECK(down.store_fault.find("full") != std::string::npos);
    // The first flush attempt after the disk filled (at most one flush interval later).
    CHECK(down.store_fault_since_unix_s > kStartMicros / kSecond + 60);
    CHECK(down.store_fault_since_unix_s <= kStartMicros / kSecond + 60 + 30);
    CHECK(down.counters.store_write_failures >= 19);
    // One line when the disk failed, not one per attempt.
    const std::string log = p.log_a.str();
    CHECK(log.find("store: cannot write") != std::string::npos);
    CHECK(log.find("store: cannot write") == log.rfind("store: cannot write"));

    p.vfs.Clear();
    p.Run(60);
    const DaemonSnapshot up = p.a->Snapshot();
    CHECK(up.store_fault.empty());
    CHECK(p.log_a.str().find("store: writing again") != std::string::npos);
    REQUIRE(p.a->Stop().ok());
    REQUIRE(p.b->Stop().ok());

    // Every 5-s scan window from the first to the last holds a sighting of B: nothing heard
    // while the disk was full was lost.
    std::set<int64_t> windows;
    for (const Sighting& s : p.SightingsOfA()) windows.insert(s.first_seen_unix_s / 5);
    REQUIRE(!windows.empty());
    CHECK(static_cast<int64_t>(windows.size()) == *windows.rbegin() - *windows.begin() + 1);
    CHECK(*windows.begin() * 5 <= kStartMicros / kSecond + 5);
    CHECK(*windows.rbegin() * 5 >= kStartMicros / kSecond + 715);
    // Everything the daemon counted as stored is on disk.
    CHECK(p.a->Counters().sightings_stored == p.SightingsOfA().size());
    CheckVerifiesClean(*p.store_a);
}

TEST_CASE("daemon on a failing disk at midnight advertises the new day's key and stores that key later") {
    // 2026-11-27 23:55:00 UTC; the disk fails with I/O errors at 23:58.
    Pair p(int64_t{1'795'823'700} * kSecond);
    p.Run(180);
    p.vfs.Set(FaultyVfs::Fault::kIoError);
    p.Run(900);  // to 00:13:00: a new day, a new key that cannot be written, two rotations
    CHECK(p.TeksOfA().size() == 1);  // only yesterday's reached the disk
    const Rpi on_air = RpiOnAir(*p.a);
    const EnIntervalNumber interval = IntervalNow(p.clock);
    CHECK_FALSE(p.a->Snapshot().store_fault.empty());

    p.vfs.Clear();
    p.Run(60);  // 00:14:00, same interval
    CHECK(p.a->Snapshot().store_fault.empty());
    const auto teks = p.TeksOfA();
    REQUIRE(teks.size() == 2);
    // The key stored for today is the key whose RPIs went on air while it could not be stored.
    CHECK(RpiOfStoredKey(teks, on_air, interval));
    CHECK(RpiOnAir(*p.a) == on_air);
    CHECK(p.a->Counters().teks_generated == 2);
    REQUIRE(p.a->Stop().ok());
    CheckVerifiesClean(*p.store_a);
}

}  // namespace
}  // namespace jejak
