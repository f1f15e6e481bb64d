// The daemon against a wall clock that cannot be trusted, on a ManualClock in process: a
// board booting at 1970 stays off air until the clock is set; steps forward and back while
// running never crash it, never put an RPI on air twice and never file a sighting under the
// wrong day; SIGHUP changes the duty cycle; SIGTERM during a busy scan loses nothing that
// was already aggregated.
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>
#include <sstream>

#include "agent/daemon/daemon.h"
#include "agent/daemon/run_loop.h"
#include "gaen/keys/key_schedule.h"
#include "platform/codec/gaen_advert.h"
#include "platform/sim/sim_radio.h"
#include "storage/memory_store.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// Records the duty cycle each StartScanning asked for; forwards everything to the SimRadio.
class RecordingRadio final : public Radio {
public:
    explicit RecordingRadio(std::unique_ptr<Radio> inner) : inner_(std::move(inner)) {}
    Status StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& p) override {
        return inner_->StartAdvertising(set, p);
    }
    Status Rotate(const AdvertisingSet& set) override { return inner_->Rotate(set); }
    Status StopAdvertising() override { return inner_->StopAdvertising(); }
    Status StartScanning(const ScanParams& p, AdvertCallback cb) override {
        scans.push_back(p);
        return inner_->StartScanning(p, std::move(cb));
    }
    Status StopScanning() override { return inner_->StopScanning(); }
    RadioStatus GetStatus() const override { return inner_->GetStatus(); }
    Result<size_t> Poll() override { return inner_->Poll(); }

    std::vector<ScanParams> scans;

private:
    std::unique_ptr<Radio> inner_;
};

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86400 * kSecond;
// 2026-11-27 10:05:00 UTC.
constexpr int64_t kNow = int64_t{1'795'773'900} * kSecond;

// One device: the shared daemon rig with its SimRadio behind a RecordingRadio, "built" the
// day before kNow, on the test's ManualClock.
struct Device : testing::DaemonRig {
    RecordingRadio* recording = nullptr;  // owned by `radio`

    Device(const std::string& ether, double x, uint64_t seed, const Clock& clock,
           bool ntp = false)
        : DaemonRig(seed) {
        SimRadioConfig c;
        c.ether_dir = ether;
        c.x_m = x;
        c.seed = seed;
        REQUIRE(OpenSimRadio(c, clock).ok());
        auto wrapped = std::make_unique<RecordingRadio>(std::move(radio));
        recording = wrapped.get();
        radio = std::move(wrapped);
        REQUIRE(OpenMemoryStore(clock).ok());
        DaemonOptions o;
        o.clock.not_before_unix_s = kNow / kSecond - 86400;  // "built" the day before
        o.ntp_synchronised = [ntp] { return ntp; };
        StartDaemon(clock, o);
    }

    std::vector<StoredTek> Teks() {
        Result<std::vector<StoredTek>> teks = ReadTeks();
        REQUIRE(teks.ok());
        return std::move(teks).value();
    }
    std::vector<Sighting> Sightings() {
        Result<std::vector<Sighting>> all = ReadSightings();
        REQUIRE(all.ok());
        return std::move(all).value();
    }
};

// Each device polls and ticks once per `step_s` of clock time.
void RunFor(ManualClock& clock, int seconds, std::vector<testing::DaemonRig*> devices,
            int step_s = 1) {
    const Status s = testing::RunDaemons(clock, seconds, devices, nullptr, step_s);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
}

// Every sighting's RPI belongs to one of the other device's TEKs, of the sighting's own day.
void CheckSightingDays(Device& self, Device& other) {
    const std::vector<StoredTek> teks = other.Teks();
    std::map<Rpi, UtcDay> day_of_rpi;
    for (const StoredTek& t : teks) {
        const Rpik rpik = DeriveRpik(t.tek);
        for (uint32_t k = 0; k < t.rolling_period; ++k) {
            day_of_rpi[*DeriveRpi(rpik, t.rolling_start + k)] = DayOfInterval(t.rolling_start);
        }
    }
    for (const Sighting& s : self.Sightings()) {
        REQUIRE(day_of_rpi.count(s.rpi) == 1);
        CHECK(day_of_rpi[s.rpi] == s.Day());
    }
}

}  // namespace

TEST_CASE("a board booting at 1970 stays off air and stores nothing until the clock is set") {
    testing::ScratchDir ether("clock-1970");
    ManualClock clock(0);
    Device a(ether.path().string(), 0.0, 11, clock);
    Device b(ether.path().string(), 1.0, 12, clock);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    RunFor(clock, 120, {&a, &b});
    for (Device* d : {&a, &b}) {
        const DaemonSnapshot snap = d->daemon->Snapshot();
        CHECK(snap.running);
        CHECK_FALSE(snap.on_air);
        CHECK(snap.clock.state == ClockState::kBeforeBuildDate);
        CHECK(snap.clock.reason.find("1970-01-01") != std::string::npos);
        CHECK_FALSE(d->radio->GetStatus().advertising);
        CHECK(d->Teks().empty());
        CHECK(d->Sightings().empty());
        CHECK(d->log.str().find("waiting: not on air") != std::string::npos);
    }

    clock.SetUnixMicros(kNow);  // NTP arrives
    RunFor(clock, 60, {&a, &b});
    for (auto [self, other] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        CHECK(self->daemon->Snapshot().on_air);
        const std::vector<StoredTek> teks = self->Teks();
        REQUIRE(teks.size() == 1);
        CHECK(DayOfInterval(teks[0].rolling_start) == UtcDayOfUnixSeconds(kNow / kSecond));
        CHECK_FALSE(self->Sightings().empty());
        CheckSightingDays(*self, *other);
    }
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());
}

TEST_CASE("NTP steps of 120 days forward and 2 hours back: no crash, no RPI twice, right days") {
    testing::ScratchDir ether("clock-steps");
    ManualClock clock(kNow);
    // NTP-synchronised: the 120-day step is trusted at once (daemon_trust_test.cc has the
    // unconfirmed one).
    Device a(ether.path().string(), 0.0, 21, clock, true);
    Device b(ether.path().string(), 1.0, 22, clock, true);
    // Every RPI a puts on air, with the monotonic times it was on air.
    std::map<Rpi, std::pair<int64_t, int64_t>> on_air;
    int64_t previous_note = -1;
    auto note = [&] {
        const int64_t now = clock.MonotonicMicros();
        if (a.radio->GetStatus().advertising) {
            const auto payload = ParseGaenAdvert(a.daemon->CurrentAdvertisingSet().payload);
            REQUIRE(payload.has_value());
            auto [it, fresh] = on_air.try_emplace(payload->rpi, now, now);
            // Seen before: it must have been on air at the previous look too, else it went
            // on air again after a gap (a reused RPI).
            if (!fresh) CHECK_MESSAGE(it->second.second == previous_note, "an RPI was reused");
            it->second.second = now;
        }
        previous_note = now;
    };
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(b.daemon->Start().ok());
    auto run = [&](int seconds) {
        for (int t = 0; t < seconds; ++t) {
            RunFor(clock, 1, {&a, &b});
            note();
        }
    };
    run(120);
    // Forward 120 days, to 00:55 UTC, so the step back below crosses midnight.
    const int64_t day_120 = (kNow / kDay + 120) * kDay;
    clock.SetUnixMicros(day_120 + 55 * 60 * kSecond);
    run(600);
    CHECK(a.daemon->Snapshot().counters.clock_steps == 1);
    clock.SetUnixMicros(clock.NowUnixMicros() - 2 * 3600 * kSecond);  // 23:05 the day before
    run(60);
    CHECK(a.daemon->Snapshot().advertising_paused);
    CHECK_FALSE(a.radio->GetStatus().advertising);
    CHECK(a.log.str().find("paused: advertising") != std::string::npos);
    for (int t = 0; t < 2 * 3600 + 600; t += 10) {  // until the clock passes the old intervals
        RunFor(clock, 10, {&a, &b}, 10);
        note();
    }
    run(60);
    CHECK_FALSE(a.daemon->Snapshot().advertising_paused);
    CHECK(a.radio->GetStatus().advertising);
    REQUIRE(a.daemon->Stop().ok());
    REQUIRE(b.daemon->Stop().ok());

    CHECK(on_air.size() >= 4);
    CheckSightingDays(a, b);
    CheckSightingDays(b, a);
    // Sightings from before the forward step, from after it, and from after the step back.
    std::set<UtcDay> days;
    for (const Sighting& s : a.Sightings()) days.insert(s.Day());
    CHECK(days.count(UtcDayOfUnixSeconds(day_120 / kSecond)) == 1);
}

TEST_CASE("SIGHUP reloads the duty cycle of a running daemon") {
    testing::ScratchDir ether("clock-hup");
    ManualClock clock(kNow);
    Device a(ether.path().string(), 0.0, 31, clock);
    REQUIRE(a.daemon->Start().ok());
    REQUIRE(a.recording->scans.size() == 1);
    CHECK(a.recording->scans[0].window_ms == 100);
    StopSignals signals;
    DaemonReload reload;
    reload.scan = ScanParams{1000, 50};
    reload.tx_power_dbm = -20;
    RunLoopOptions loop;
    loop.duration_s = 5;
    int reloads = 0;
    loop.on_reload = [&] {
        ++reloads;
        REQUIRE(a.daemon->Reload(reload).ok());
    };
    REQUIRE(std::raise(SIGHUP) == 0);
    REQUIRE(RunDaemonLoop(*a.daemon, *a.radio, clock, loop).ok());
    CHECK(reloads == 1);  // the flag is taken once
    REQUIRE(a.recording->scans.size() == 2);
    CHECK(a.recording->scans[1].interval_ms == 1000);
    CHECK(a.recording->scans[1].window_ms == 50);
    CHECK(a.daemon->Snapshot().scan.window_ms == 50);
    CHECK(a.daemon->Snapshot().tx_power_dbm == -20);
    CHECK(a.log.str().find("reloaded: advertising at -20 dBm, scanning 50/1000 ms") !=
          std::string::npos);
    // A duty cycle the radio would refuse changes nothing.
    reload.scan = ScanParams{100, 500};
    CHECK(a.daemon->Reload(reload).IsInvalidArgument());
    CHECK(a.recording->scans.size() == 2);
    REQUIRE(a.daemon->Stop().ok());
}

TEST_CASE("SIGTERM during a busy scan stores every advert already aggregated") {
    testing::ScratchDir ether("clock-term");
    ManualClock clock(kNow);
    Device a(ether.path().string(), 0.0, 41, clock);
    std::vector<std::unique_ptr<Device>> crowd;
    for (int i = 0; i < 20; ++i) {
        crowd.push_back(std::make_unique<Device>(ether.path().string(), 0.5 + 0.1 * i,
                                                 100 + static_cast<uint64_t>(i), clock));
        REQUIRE(crowd.back()->daemon->Start().ok());
    }
    REQUIRE(a.daemon->Start().ok());
    StopSignals signals;
    RunLoopOptions loop;
    loop.publish_every_s = 0.1;
    const int64_t start = clock.MonotonicMicros();
    loop.on_publish = [&] {
        for (auto& d : crowd) REQUIRE(d->radio->Poll().ok());
        // 7 s in: mid-window (windows of 5 s), with receptions aggregated but not stored.
        if (clock.MonotonicMicros() - start >= 7 * kSecond) std::raise(SIGTERM);
    };
    REQUIRE(RunDaemonLoop(*a.daemon, *a.radio, clock, loop).ok());
    CHECK(StopSignals::Requested());
    CHECK(clock.MonotonicMicros() - start < 8 * kSecond);
    REQUIRE(a.daemon->Stop().ok());
    const DaemonCounters c = a.daemon->Counters();
    REQUIRE(c.adverts_heard > 100);
    uint64_t stored = 0;
    for (const Sighting& s : a.Sightings()) stored += s.count;
    CHECK(stored == c.adverts_heard);
    CHECK(c.sightings_flushed == c.sightings_stored);
}

TEST_CASE("clock verdicts: build date, the store's latest time, the NTP requirement") {
    ClockPolicy p;
    p.not_before_unix_s = 1'790'000'000;
    CHECK(CheckClock(p, 5, true).state == ClockState::kBeforeBuildDate);
    CHECK(CheckClock(p, 1'790'000'000, false).plausible());
    p.store_seen_unix_s = 1'795'000'000;
    CHECK(CheckClock(p, 1'795'000'000 - kStoreSeenSlackSeconds - 1, true).state ==
          ClockState::kBeforeStoreSeen);
    CHECK(CheckClock(p, 1'795'000'000 - 2 * 3600, true).plausible());  // a short step back
    p.require_ntp_sync = true;
    CHECK(CheckClock(p, 1'795'000'000, false).state == ClockState::kNotSynchronised);
    CHECK(CheckClock(p, 1'795'000'000, true).plausible());

    ClockStepDetector d;
    CHECK(d.Observe(1000 * kSecond, 0) == 0);
    CHECK(d.Observe(1001 * kSecond, kSecond) == 0);
    CHECK(d.Observe(1002 * kSecond + 500000, 2 * kSecond) == 0);  // jitter
    CHECK(d.Observe(1000 * kSecond, 3 * kSecond) == -3 * kSecond - 500000);

    // A simulation clock 1000 times faster: 2 s of its time is 2 ms of a paused thread.
    ClockStepDetector fast(1000 * kDefaultStepThresholdMicros);
    CHECK(fast.Observe(1000 * kSecond, 0) == 0);
    CHECK(fast.Observe(1010 * kSecond, 5 * kSecond) == 0);
    CHECK(fast.Observe(4000 * kSecond, 10 * kSecond) == 2985 * kSecond);
}

}  // namespace jejak
