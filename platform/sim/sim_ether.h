// The simulated ether: many SimRadios, in one process or many, sharing one directory.
//
// Design (deliberately simple, and the same in-process and cross-process): an advertiser
// publishes its current state - address, payload, position, TX power, interval and the time
// it started advertising this address+payload - as one small text file `<id>.adv` in the
// ether directory, replaced atomically (write + rename) on rotation, so a reader sees the
// old pair or the new pair, never a mix. A scanner reads the directory and works out which
// advertising events happened since its previous look, from the clock alone: event k of an
// advertiser is at since + k * interval + advDelay(k) (advDelay a 0..10 ms pseudo-random
// offset, a hash of address and k). It hears an event if the event falls inside its scan
// window, survives the packet-loss draw, and arrives above the sensitivity floor after path
// loss and noise. All draws come from the scanner's own seeded generator, in event time
// order, so a run is reproducible from the seeds and the clock. Files of dead processes are
// ignored (pid check); malformed files are skipped and counted. A moving radio (sim_path.h)
// carries its whole waypoint list in its file, so every scanner places it at each event's
// time without reading any other file; distance is computed at that time from both paths.
//
// Channel model (log-distance): RSSI = tx - (40.05 + 10 * n * log10(d / 1 m)) + N(0, sigma),
// d >= 0.1 m, 40.05 dB = free-space loss at 1 m and 2.44 GHz; n = exponent (2 free space).
#pragma once

#include <cstdint>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "platform/radio/radio.h"
#include "platform/base/status.h"
#include "platform/sim/sim_path.h"

namespace jejak {

struct SimAdvertiserState {
    std::string id;  // unique per advertiser: "<pid>-<instance>"
    int pid = 0;
    RadioAddress address;
    std::vector<uint8_t> payload;
    int64_t since_unix_micros = 0;  // when this address+payload went on air
    int64_t interval_micros = 235000;
    double x_m = 0, y_m = 0, z_m = 0;  // where it stands when `path` is empty
    int tx_power_dbm = -15;
    SimPath path;  // scripted movement in x and y (z stays); empty: standing still
};

// Where `s` is at `unix_micros`: its path's position, or its fixed one.
SimPoint SimAdvertiserPosition(const SimAdvertiserState& s, int64_t unix_micros);

// Free-space-like loss at `distance_m` (clamped to >= 0.1 m) with path-loss `exponent`.
double SimPathLossDb(double distance_m, double exponent);

// Event k's time: since + k * interval + advDelay(address, k) with advDelay in [0, 10 ms).
int64_t SimAdvertisingEventTime(const SimAdvertiserState& s, int64_t k);

// Deterministic generator (splitmix64): identical draws on every platform.
class SimRandom {
public:
    explicit SimRandom(uint64_t seed) : state_(seed) {}
    uint64_t Next();
    double Uniform();   // [0, 1)
    double Gaussian();  // mean 0, standard deviation 1 (Box-Muller)

private:
    uint64_t state_;
};

class SimEther {
public:
    // Creates `dir` if needed. IOError if it cannot be created or is not a directory.
    static Result<SimEther> Open(const std::string& dir);

    // Publishes (or atomically replaces) an advertiser's state.
    Status Publish(const SimAdvertiserState& state) const;
    // Removes an advertiser; OK if it was not there.
    Status Withdraw(const std::string& id) const;
    // Every live advertiser, sorted by id. Malformed files are skipped (see skipped()).
    Result<std::vector<SimAdvertiserState>> Snapshot() const;
    const std::string& dir() const { return dir_; }
    uint64_t skipped() const { return *skipped_; }

private:
    explicit SimEther(std::string dir) : dir_(std::move(dir)), skipped_(std::make_shared<std::atomic<uint64_t>>(0)) {}

    std::string dir_;
    std::shared_ptr<std::atomic<uint64_t>> skipped_;  // shared by copies of the handle
};

// Text form of a state (the file content) and its strict parser (Corruption if malformed).
std::string FormatSimAdvertiser(const SimAdvertiserState& s);
Result<SimAdvertiserState> ParseSimAdvertiser(const std::string& id, const std::string& text);

}  // namespace jejak
