// Credited contact time for any alignment (docs/scan-regimes.md), as a
// property over random cases through the daemon's real aggregation: two Daemons on a
// simulated ether and a ManualClock, the sender going on air at a random offset within the
// minute (sub-second part included) for a random duration, the receiver in a random scan
// regime (continuous with several aggregation windows and credit bins, or duty-cycled),
// random advertising intervals and reception loss; the receiver's stored sightings are then
// matched against the sender's TEKs exactly as `jejak match` does. The cases are drawn from a
// fixed seed, so a failure names a case that reproduces.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "agent/check/match_check.h"
#include "agent/daemon/daemon.h"
#include "agent/exposure/match.h"
#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"
#include "platform/sim/sim_radio.h"
#include "storage/memory_store.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/export_builders.h"
#include "tests/support/fake_random.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kBase = 1'795'773'600;  // 2026-11-27 10:00:00 UTC, a whole minute

// splitmix64 (tests/support FakeRandom): the cases and the daemons' key material,
// reproducible from the seed.
using Mix = testing::FakeRandom;

// One device: the shared daemon rig on the test's ManualClock, hearing with `loss`.
struct Device : testing::DaemonRig {
    Device(const std::string& ether, double x, uint64_t seed, double loss, const Clock& clock,
           DaemonOptions o)
        : DaemonRig(seed) {
        SimRadioConfig c;
        c.ether_dir = ether;
        c.x_m = x;
        c.seed = seed;
        c.loss = loss;
        REQUIRE(OpenSimRadio(c, clock).ok());
        REQUIRE(OpenMemoryStore(clock).ok());
        StartDaemon(clock, o);
    }
};

void RunFor(ManualClock& clock, int64_t seconds, std::vector<testing::DaemonRig*> devices) {
    const Status s = testing::RunDaemons(clock, seconds, devices);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
}

struct Case {
    int64_t offset_us = 0;  // sender on air this long after a whole minute
    int64_t duration_s = 0;
    DaemonOptions receiver;
    uint32_t advert_ms = 235;
    double loss = 0;

    std::string Describe() const {
        std::ostringstream s;
        s << "offset " << offset_us << " us, duration " << duration_s << " s, "
          << (receiver.scan_regime == ScanRegime::kContinuous ? "continuous" : "duty-cycled")
          << " window " << receiver.scan_window_s << " s, bin " << receiver.bin_seconds
          << " s, period " << receiver.scan_period_s << " s, adverts every " << advert_ms
          << " ms, loss " << loss;
        return s.str();
    }
};

struct Outcome {
    int64_t heard_s = -1;  // last advert heard - first advert heard
    int64_t credited_s = 0;
    int64_t first_late_s = 0;  // first advert heard - sender on air (whole seconds)
    int64_t last_early_s = 0;  // sender off air - last advert heard
};

// Runs one case and scores the receiver's store against the sender's keys.
Outcome Run(const Case& c, uint64_t seed) {
    testing::ScratchDir ether("daemon-alignment");
    ManualClock clock(kBase * kSecond);
    DaemonOptions sender_options;
    sender_options.advertising.min_interval_ms = c.advert_ms;
    sender_options.advertising.max_interval_ms = c.advert_ms;
    Device receiver(ether.path().string(), 0.5, seed, c.loss, clock, c.receiver);
    Device sender(ether.path().string(), 0.0, seed + 1, 0, clock, sender_options);
    REQUIRE(receiver.daemon->Start().ok());
    RunFor(clock, 60 + c.offset_us / kSecond, {&receiver});
    clock.Advance(c.offset_us % kSecond);
    REQUIRE(sender.daemon->Start().ok());
    const int64_t on_air = clock.NowUnixMicros() / kSecond;
    RunFor(clock, c.duration_s, {&receiver, &sender});
    const int64_t off_air = clock.NowUnixMicros() / kSecond;
    REQUIRE(sender.daemon->Stop().ok());
    RunFor(clock, 2 * std::max<int64_t>(60, c.receiver.scan_period_s), {&receiver});
    REQUIRE(receiver.daemon->Stop().ok());

    std::vector<SightingRecord> records;
    Outcome out;
    int64_t first = INT64_MAX, last = INT64_MIN;
    REQUIRE(receiver.store
                ->ForEachSighting(DayRange::All(),
                                  [&](const Sighting& s) {
                                      records.push_back(ToSightingRecord(s));
                                      first = std::min(first, s.first_seen_unix_s);
                                      last = std::max(last, s.last_seen_unix_s);
                                  })
                .ok());
    if (records.empty()) return out;
    out.heard_s = last - first;
    out.first_late_s = first - on_air;
    out.last_early_s = off_air - last;
    std::vector<DiagnosisKey> keys;
    REQUIRE(sender.store
                ->ForEachTek(DayRange::All(),
                             [&](const StoredTek& t) {
                                 DiagnosisKey k;
                                 k.key = t.tek;
                                 k.rolling_start_interval_number = t.rolling_start;
                                 k.rolling_period = t.rolling_period;
                                 k.report_type = ReportType::kConfirmedTest;
                                 keys.push_back(k);
                             })
                .ok());
    const RpiIndex index(records, seed);
    Matcher matcher(index);
    matcher.Add(keys);
    for (const KeyExposure& e :
         ResolveKeyExposures(matcher.Finish(), records, WindowConfig{}, false, nullptr)) {
        for (const ExposureWindow& w : e.windows) {
            for (const ScanInstance& s : w.scans) out.credited_s += s.seconds_since_last_scan;
        }
    }
    return out;
}

// Durations: a third short (10 s - 10 min), a third 10-30 min, a third 30-60 min.
int64_t Duration(Mix& mix) {
    switch (mix.Below(3)) {
        case 0:
            return 10 + mix.Below(590);
        case 1:
            return 600 + mix.Below(1200);
        default:
            return 1800 + mix.Below(1800);
    }
}

Case ContinuousCase(Mix& mix) {
    static const int64_t kWindows[] = {1, 2, 3, 5, 7, 10, 15};
    static const uint16_t kBins[] = {60, 60, 60, 30, 120};
    Case c;
    c.offset_us = mix.Below(60 * kSecond);
    c.duration_s = Duration(mix);
    c.receiver.scan_window_s = kWindows[mix.Below(7)];
    c.receiver.bin_seconds = kBins[mix.Below(5)];
    c.advert_ms = static_cast<uint32_t>(100 + mix.Below(900));
    c.loss = static_cast<double>(mix.Below(40)) / 100.0;
    return c;
}

// The bound: within 10% of the time heard, or within 60 s under 10 minutes.
bool WithinBound(int64_t credited, int64_t heard) {
    const int64_t error = std::llabs(credited - heard);
    return heard < 600 ? error <= 60
                       : static_cast<double>(error) <= 0.1 * static_cast<double>(heard);
}

}  // namespace

TEST_CASE("continuous scanning credits the time heard, for any offset, duration and regime") {
    // The bound the docs promise is 10% (60 s under 10 minutes); what the aggregation
    // achieves is tighter: a contact is credited from its first to its last advert (+1 s for
    // the whole seconds both are stamped in), less at most one aggregation window at its end
    // (a window straddling into a bin of which nothing else was heard).
    Mix mix(20);
    for (int i = 0; i < 36; ++i) {
        const Case c = ContinuousCase(mix);
        CAPTURE(i);
        INFO(c.Describe());
        const Outcome o = Run(c, 100 + static_cast<uint64_t>(i));
        REQUIRE(o.heard_s >= 0);
        CAPTURE(o.heard_s);
        CAPTURE(o.credited_s);
        CAPTURE(o.first_late_s);
        CAPTURE(o.last_early_s);
        CHECK(WithinBound(o.credited_s, o.heard_s));
        CHECK(o.credited_s <= o.heard_s + 1);
        CHECK(o.credited_s >= o.heard_s + 1 - c.receiver.scan_window_s);
        // And the time heard is most of the time the sender was on air. The simulated
        // reception starts and ends up to 13 s inside it in these cases (first_late_s,
        // last_early_s); the rule is about the time heard, so that is only bounded loosely.
        CHECK(o.heard_s <= c.duration_s + 1);
        CHECK(o.heard_s >= c.duration_s - 20);
    }
}

TEST_CASE("duty-cycled scanning keeps GAEN's rule: within one scan period of the contact") {
    // A sampling receiver cannot know when between two scans a contact began or ended; GAEN
    // credits each scan that heard the key the minutes since the previous scan (at most 5),
    // so the credit is off by up to one scan period (docs/scan-regimes.md). Phone-like
    // regimes: scans of 2-10 s every 120-300 s.
    Mix mix(21);
    for (int i = 0; i < 12; ++i) {
        Case c;
        c.offset_us = mix.Below(60 * kSecond);
        c.duration_s = 600 + mix.Below(3000);
        c.receiver.scan_regime = ScanRegime::kDutyCycled;
        c.receiver.scan_window_s = 2 + mix.Below(9);
        c.receiver.scan_period_s = 120 + 60 * mix.Below(4);
        c.advert_ms = static_cast<uint32_t>(100 + mix.Below(400));
        CAPTURE(i);
        INFO(c.Describe());
        const Outcome o = Run(c, 300 + static_cast<uint64_t>(i));
        CAPTURE(o.heard_s);
        CAPTURE(o.credited_s);
        CHECK(std::llabs(o.credited_s - c.duration_s) <= c.receiver.scan_period_s + 60);
    }
}

}  // namespace jejak
