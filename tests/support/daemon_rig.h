// DaemonRig: one device of an in-process daemon test: a SimRadio on a shared simulated ether,
// a store, a FakeRandom for its key material and a Daemon, all on the test's clock (usually
// a ManualClock), plus RunDaemons to drive several devices through simulated seconds.
// A suite derives its Device from it to add what only it needs (a radio wrapper, helpers).
#pragma once

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/clock/trusted_clock.h"
#include "agent/daemon/daemon.h"
#include "platform/base/clock.h"
#include "platform/base/status.h"
#include "platform/radio/radio.h"
#include "platform/sim/sim_radio.h"
#include "storage/store.h"
#include "tests/support/fake_random.h"

#include <doctest/doctest.h>

namespace jejak::testing {

struct DaemonRig {
    // `seed` seeds the key material (FakeRandom); the radio's seed is in its SimRadioConfig.
    explicit DaemonRig(uint64_t seed) : random(seed) {}
    virtual ~DaemonRig() = default;
    DaemonRig(const DaemonRig&) = delete;
    DaemonRig& operator=(const DaemonRig&) = delete;

    // Opens a SimRadio on `config`'s ether (creating the directory) as `radio`; `sim` points
    // at it even when the test then wraps `radio`.
    Status OpenSimRadio(const SimRadioConfig& config, const Clock& clock);
    // An in-memory store on `clock` as `store`.
    Status OpenMemoryStore(const Clock& clock, StoreOptions options = {});
    // Builds `daemon` on `radio`, `clock`, `store` and `random`, logging to `log`. Needs both
    // opened first (asserts).
    void StartDaemon(const Clock& clock, const DaemonOptions& options);

    // Every stored TEK; every stored sighting in `range` (after a Flush).
    Result<std::vector<StoredTek>> ReadTeks();
    Result<std::vector<Sighting>> ReadSightings(DayRange range = DayRange::All());

    // Declared in the order they depend on each other, so destruction (reverse) stops the
    // daemon first and the store before the clock it may read.
    std::unique_ptr<TrustedClock> trusted;  // the store's clock, when a test gives it one
    SimRadio* sim = nullptr;
    std::unique_ptr<Radio> radio;
    std::unique_ptr<Store> store;
    FakeRandom random;
    std::ostringstream log;
    std::unique_ptr<Daemon> daemon;
};

// `seconds` simulated seconds in steps of `step_s`: the clock advances a step, every rig's
// radio polls (then `observer`, a radio with no daemon), then every daemon ticks. Stops at the
// first error, returned with the second it happened at.
Status RunDaemons(ManualClock& clock, int64_t seconds, const std::vector<DaemonRig*>& rigs,
                  Radio* observer = nullptr, int64_t step_s = 1);

// A SimRadio at x metres on `ether` with its own seed, for tests that wrap or script a radio
// themselves instead of using a rig (fails the test when it cannot open).
inline std::unique_ptr<SimRadio> OpenSimAt(const std::string& ether, double x_m, uint64_t seed,
                                           const Clock& clock) {
    SimRadioConfig c;
    c.ether_dir = ether;
    c.x_m = x_m;
    c.seed = seed;
    auto r = SimRadio::Open(c, clock);
    REQUIRE(r.ok());
    return std::move(r).value();
}

}  // namespace jejak::testing
