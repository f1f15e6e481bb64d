// DaemonRig: opening the parts, the poll/tick loop.
#include "tests/support/daemon_rig.h"

#include <cassert>
#include <filesystem>
#include <system_error>

#include "storage/memory_store.h"

namespace jejak::testing {

Status DaemonRig::OpenSimRadio(const SimRadioConfig& config, const Clock& clock) {
    std::error_code ec;
    std::filesystem::create_directories(config.ether_dir, ec);
    if (ec) return Status::IOError("ether " + config.ether_dir + ": " + ec.message());
    Result<std::unique_ptr<SimRadio>> r = SimRadio::Open(config, clock);
    if (!r.ok()) return r.status();
    sim = r->get();
    radio = std::move(r).value();
    return Status::Ok();
}

Status DaemonRig::OpenMemoryStore(const Clock& clock, StoreOptions options) {
    Result<std::unique_ptr<MemoryStore>> s = MemoryStore::Open(clock, options);
    if (!s.ok()) return s.status();
    store = std::move(s).value();
    return Status::Ok();
}

void DaemonRig::StartDaemon(const Clock& clock, const DaemonOptions& options) {
    assert(radio != nullptr && store != nullptr);
    daemon = std::make_unique<Daemon>(*radio, clock, *store, random, options, log);
}

Result<std::vector<StoredTek>> DaemonRig::ReadTeks() {
    std::vector<StoredTek> teks;
    Status s =
        store->ForEachTek(DayRange::All(), [&](const StoredTek& t) { teks.push_back(t); }).status();
    if (!s.ok()) return s;
    return teks;
}

Result<std::vector<Sighting>> DaemonRig::ReadSightings(DayRange range) {
    if (Status s = store->Flush(); !s.ok()) return s;
    std::vector<Sighting> all;
    Status s =
        store->ForEachSighting(range, [&](const Sighting& x) { all.push_back(x); }).status();
    if (!s.ok()) return s;
    return all;
}

Status RunDaemons(ManualClock& clock, int64_t seconds, const std::vector<DaemonRig*>& rigs,
                  Radio* observer, int64_t step_s) {
    constexpr int64_t kSecond = 1'000'000;
    for (int64_t t = 0; t < seconds; t += step_s) {
        clock.Advance(step_s * kSecond);
        const std::string at = "second " + std::to_string(t + step_s);
        for (DaemonRig* d : rigs) {
            if (Status s = d->radio->Poll().status(); !s.ok()) return s.WithContext("poll, " + at);
        }
        if (observer != nullptr) {
            if (Status s = observer->Poll().status(); !s.ok()) return s.WithContext("observer poll, " + at);
        }
        for (DaemonRig* d : rigs) {
            if (Status s = d->daemon->Tick(); !s.ok()) return s.WithContext("tick, " + at);
        }
    }
    return Status::Ok();
}

}  // namespace jejak::testing
