// Trusted time: the keyring moves only on trusted time, and nothing the store refuses is silent.
// The forward-step gate alone (pure), then a daemon whose SqliteStore reads the daemon's
// TrustedClock, on a ManualClock in process: an unconfirmed jump to 2030 shreds nothing and
// a clock back from it records again; a confirmed step that shreds says so with both times;
// a store that refuses writes makes counted, explained errors instead of silent counters.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

#include "agent/daemon/daemon.h"
#include "agent/daemon/daemon_status.h"
#include "platform/sim/sim_radio.h"
#include "storage/memory_store.h"
#include "storage/sqlite_store.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86400 * kSecond;
// 2026-11-27 10:05:00 UTC.
constexpr int64_t kNow = int64_t{1'795'773'900} * kSecond;
// 2030-06-01 12:00:00 UTC: the excursion.
constexpr int64_t k2030 = int64_t{1'906'545'600} * kSecond;

// A daemon on the sim ether (the shared daemon rig). `sqlite_dir` non-empty: a SqliteStore
// there, opened on the daemon's TrustedClock as `jejak run` does; otherwise a MemoryStore on
// `store_clock`.
struct Device : testing::DaemonRig {
    Device(const std::string& ether, double x, uint64_t seed, const Clock& clock,
           const std::string& sqlite_dir, bool ntp, const Clock* store_clock = nullptr,
           int64_t day_cap = 1000000)
        : DaemonRig(seed) {
        if (!sqlite_dir.empty()) std::filesystem::create_directories(sqlite_dir);
        SimRadioConfig c;
        c.ether_dir = ether;
        c.x_m = x;
        c.seed = seed;
        REQUIRE(OpenSimRadio(c, clock).ok());
        DaemonOptions o;
        o.clock.not_before_unix_s = kNow / kSecond - 86400;  // "built" the day before
        o.trust = {86400, 3600};
        o.ntp_synchronised = [ntp] { return ntp; };
        if (!sqlite_dir.empty()) {
            trusted = std::make_unique<TrustedClock>(clock, o.clock.not_before_unix_s * kSecond);
            SqliteStoreOptions so;
            so.state_dir = sqlite_dir;
            so.max_sightings_per_day = day_cap;
            auto s = SqliteStore::Open(*trusted, so);
            REQUIRE(s.ok());
            store = std::move(s).value();
            o.store_clock = trusted.get();
        } else {
            REQUIRE(OpenMemoryStore(store_clock ? *store_clock : clock).ok());
        }
        StartDaemon(clock, o);
    }

    std::set<UtcDay> TekDays() {
        Result<std::vector<StoredTek>> teks = ReadTeks();
        REQUIRE(teks.ok());
        std::set<UtcDay> days;
        for (const StoredTek& t : *teks) days.insert(t.Day());
        return days;
    }
    size_t Sightings(UtcDay day) {
        Result<std::vector<Sighting>> all = ReadSightings(DayRange::One(day));
        REQUIRE(all.ok());
        return all->size();
    }
};

void RunFor(ManualClock& clock, int seconds, std::vector<testing::DaemonRig*> devices) {
    const Status s = testing::RunDaemons(clock, seconds, devices);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
}

}  // namespace

TEST_CASE("forward-step gate: a jump past the bound waits for NTP, a steady run or a return") {
    const int64_t floor_s = kNow / kSecond - 86400;
    ForwardStepGate gate({86400, 600}, floor_s, 2 * kSecond);
    gate.Prime(kNow / kSecond, 0);
    CHECK(gate.Observe(kNow + 10 * kSecond, 10 * kSecond, false));
    CHECK(gate.Observe(kNow + 20 * kSecond + 3600 * kSecond, 20 * kSecond, false));  // 1 h: fine

    SUBCASE("2030 is not trusted; the trusted time moves on with the monotonic clock") {
        CHECK_FALSE(gate.Observe(k2030, 30 * kSecond, false));
        CHECK(gate.TrustedMicros(k2030, 40 * kSecond) == kNow + 3640 * kSecond);
        CHECK(gate.Reason(k2030, 40 * kSecond).find("2030-06-01") != std::string::npos);
        CHECK_FALSE(gate.Observe(k2030 + 100 * kSecond, 130 * kSecond, false));
        CHECK(gate.Observe(k2030 + 110 * kSecond, 140 * kSecond, true));  // NTP confirms it
    }
    SUBCASE("steady running for confirm_after_s confirms; a jitter restarts the count") {
        CHECK_FALSE(gate.Observe(k2030, 30 * kSecond, false));
        CHECK_FALSE(gate.Observe(k2030 + 500 * kSecond, 530 * kSecond, false));
        CHECK_FALSE(gate.Observe(k2030 + 510 * kSecond, 535 * kSecond, false));  // +5 s off
        CHECK_FALSE(gate.Observe(k2030 + 1000 * kSecond, 1025 * kSecond, false));
        CHECK(gate.Observe(k2030 + 1110 * kSecond, 1135 * kSecond, false));
    }
    SUBCASE("a clock back from the future is trusted again at once") {
        CHECK_FALSE(gate.Observe(k2030, 30 * kSecond, false));
        CHECK(gate.Observe(kNow + 3700 * kSecond, 60 * kSecond, false));
        CHECK(gate.TrustedMicros(kNow + 3700 * kSecond, 60 * kSecond) == kNow + 3700 * kSecond);
    }
    SUBCASE("a step back and return is no jump") {
        CHECK(gate.Observe(kNow - 120 * kDay, 30 * kSecond, false));
        CHECK(gate.Observe(kNow + 3640 * kSecond, 40 * kSecond, false));
    }
}

TEST_CASE("forward-step gate: a 1970 boot trusts the first plausible time") {
    ForwardStepGate gate({86400, 3600}, kNow / kSecond - 86400, 2 * kSecond);
    gate.Prime(0, 0);  // a new store: nothing seen
    CHECK(gate.Observe(0, 0, false));
    CHECK(gate.Observe(kNow, 60 * kSecond, false));
    CHECK_FALSE(gate.Observe(k2030, 70 * kSecond, false));  // but a jump from there is one
}

TEST_CASE("an unconfirmed jump to 2030 shreds nothing; back at now, the store records again") {
    testing::ScratchDir dir("trust-2030");
    ManualClock clock(kNow);
    Device a(dir.File("ether"), 0.0, 31, clock, dir.File("a"), false);
    Device b(dir.File("ether"), 1.0, 32, clock, "", false);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 120, {&a, &b});
    const UtcDay today = UtcDayOfUnixSeconds(kNow / kSecond);
    const size_t heard = a.Sightings(today);
    REQUIRE(heard > 0);
    REQUIRE(a.TekDays() == std::set<UtcDay>{today});

    clock.SetUnixMicros(k2030);
    RunFor(clock, 600, {&a, &b});
    const DaemonSnapshot snap = a.daemon->Snapshot();
    CHECK(snap.on_air);  // advertising today's key on the trusted time
    CHECK(snap.recording_paused);
    CHECK(a.radio->GetStatus().advertising);
    CHECK_FALSE(a.radio->GetStatus().scanning);
    CHECK(snap.clock.state == ClockState::kUnconfirmedStep);
    CHECK(a.log.str().find("clock: not trusted: wall clock 2030-06-01") != std::string::npos);
    auto stats = a.store->Stats();
    REQUIRE(stats.ok());
    CHECK(stats->oldest_retained_day == UtcDayOfUnixSeconds(kNow / kSecond) - 13);
    CHECK(a.Sightings(today) >= heard);  // nothing shredded
    CHECK(a.TekDays() == std::set<UtcDay>{today});

    clock.SetUnixMicros(kNow + 900 * kSecond);  // the clock comes back
    RunFor(clock, 120, {&a, &b});
    CHECK_FALSE(a.daemon->Snapshot().recording_paused);
    CHECK(a.daemon->Snapshot().clock.plausible());
    CHECK(a.log.str().find("resumed: recording") != std::string::npos);
    CHECK(a.Sightings(today) > heard);
    CHECK(a.TekDays() == std::set<UtcDay>{today});
    // At most the receptions stamped 2030 in the window open at the jump are lost, counted.
    const DaemonCounters c = a.daemon->Snapshot().counters;
    CHECK(c.store_refused + c.sightings_dropped <= 2);
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());
}

TEST_CASE("a jump confirmed by a steady clock is trusted; its shredding is logged with both times") {
    testing::ScratchDir dir("trust-steady");
    ManualClock clock(kNow);
    Device a(dir.File("ether"), 0.0, 41, clock, dir.File("a"), false);
    REQUIRE(a.daemon->Start().ok());
    RunFor(clock, 60, {&a});
    REQUIRE(a.TekDays().size() == 1);
    clock.SetUnixMicros(kNow + 20 * kDay);
    RunFor(clock, 3500, {&a});
    CHECK(a.daemon->Snapshot().recording_paused);
    CHECK(a.TekDays().size() == 1);
    RunFor(clock, 200, {&a});  // past confirm_after_s = 3600 of steady running
    CHECK_FALSE(a.daemon->Snapshot().recording_paused);
    CHECK(a.log.str().find("clock: the step from 2026-11-27T") != std::string::npos);
    CHECK(a.log.str().find(" to 2026-12-17T") != std::string::npos);
    CHECK(a.log.str().find("shreds 1 day(s) of the store") != std::string::npos);
    RunFor(clock, 60, {&a});
    CHECK(a.TekDays() == std::set<UtcDay>{UtcDayOfUnixSeconds(kNow / kSecond) + 20});
    REQUIRE(a.daemon->Stop().ok());
}

TEST_CASE("writes the store refuses are counted with their cause, never counted as stored") {
    testing::ScratchDir dir("trust-refused");
    ManualClock clock(kNow);
    SUBCASE("the day cap") {
        Device a(dir.File("ether"), 0.0, 51, clock, dir.File("a"), true, nullptr, 3);
        Device b(dir.File("ether"), 1.0, 52, clock, "", true);
        REQUIRE(a.daemon->Start().ok());
        REQUIRE(b.daemon->Start().ok());
        RunFor(clock, 120, {&a, &b});
        REQUIRE(a.daemon->Stop().ok());
        const DaemonSnapshot snap = a.daemon->Snapshot();
        CHECK(a.Sightings(UtcDayOfUnixSeconds(kNow / kSecond)) == 3);
        CHECK(snap.counters.sightings_stored == 3);
        CHECK(snap.counters.sightings_flushed == 3);
        CHECK(snap.counters.store_refused > 0);
        CHECK(snap.last_refusal.find("max_sightings_per_day") != std::string::npos);
        CHECK(a.log.str().find("store: refused ") != std::string::npos);
        DaemonStatusInputs in;
        in.daemon = snap;
        const nlohmann::json j = DaemonStatusJson(in);
        CHECK(j["counters"]["dropped_writes"].get<uint64_t>() == snap.counters.store_refused);
        CHECK(j["counters"]["last_dropped_write"].get<std::string>() == snap.last_refusal);
        REQUIRE(b.daemon->Stop().ok());
    }
    SUBCASE("a store whose clock is days ahead refuses today's key and sightings") {
        ManualClock ahead(kNow + 20 * kDay);
        Device a(dir.File("ether"), 0.0, 61, clock, "", true, &ahead);
        REQUIRE(a.daemon->Start().ok());
        RunFor(clock, 30, {&a});
        const DaemonSnapshot snap = a.daemon->Snapshot();
        CHECK(snap.counters.teks_generated == 0);
        CHECK(snap.counters.store_refused >= 1);
        CHECK(snap.last_refusal.find("outside the store's window") != std::string::npos);
        CHECK(a.log.str().find("tek: new key") == std::string::npos);
        REQUIRE(a.daemon->Stop().ok());
    }
}

}  // namespace jejak
