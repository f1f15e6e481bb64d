// SimRadio: a Radio on the simulated ether (sim_ether.h), for tests, demos and load runs.
//
// Behaves like HciRadio from the caller's side (same validation, same rotation contract:
// the published state file carries address and payload together). Received adverts carry
// RSSI from the path-loss model and timestamps from the injected Clock (the time of the
// advertising event). Time only moves with the clock: with a ManualClock the caller drives
// reception with Poll(); with a real clock a background thread polls.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "platform/base/clock.h"
#include "platform/radio/radio.h"
#include "platform/sim/sim_ether.h"

namespace jejak {

// Placement and channel model of one simulated radio (see sim_ether.h for the model).
struct SimRadioConfig {
    std::string ether_dir;      // directory shared by every radio on this ether
    double x_m = 0, y_m = 0, z_m = 0;
    // Scripted movement (sim_path.h): when non-empty, x and y follow it, for both what this
    // radio hears and where others hear it from. `path_file` is read by SimRadio::Open.
    std::string path_file;
    SimPath path;
    int tx_power_dbm = -15;     // used when advertising (overrides AdvertisingParams)
    uint64_t seed = 1;          // seeds this radio's noise and loss draws
    double loss = 0.0;          // probability that a heard advert is dropped anyway
    double noise_db = 0.0;      // standard deviation of Gaussian RSSI noise
    double exponent = 2.0;      // log-distance path-loss exponent (2 = free space)
    int floor_dbm = -100;       // adverts weaker than this are not heard
};

class SimRadio final : public Radio {
public:
    // `poll_period_ms` > 0 starts a thread that calls Poll() that often (real time); 0 leaves
    // polling to the caller. `clock` must outlive the radio. A `path_file` is loaded into
    // `path` here: IOError if unreadable, InvalidArgument (naming file and line) if malformed.
    static Result<std::unique_ptr<SimRadio>> Open(const SimRadioConfig& config,
                                                  const Clock& clock, int poll_period_ms = 0);
    ~SimRadio() override;  // withdraws its advert and stops the thread

    Status StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) override;
    Status Rotate(const AdvertisingSet& set) override;
    Status StopAdvertising() override;
    Status StartScanning(const ScanParams& params, AdvertCallback on_advert) override;
    Status StopScanning() override;
    RadioStatus GetStatus() const override;

    // Delivers every advert heard since the previous Poll (or scan start) up to the clock's
    // now, in event-time order, on the calling thread. Returns how many were delivered.
    Result<size_t> Poll() override;

private:
    SimRadio(SimEther ether, const SimRadioConfig& config, const Clock& clock);
    struct HeardEvent {
        ReceivedAdvert advert;
        double mean_rssi_dbm;  // before noise
    };
    double MeanRssiAt(const SimAdvertiserState& s, int64_t unix_micros) const;
    Status Publish(const AdvertisingSet& set);
    void Hear(const SimAdvertiserState& s, int64_t from, int64_t to,
              std::vector<HeardEvent>& out);
    void PollLoop(int period_ms);

    SimEther ether_;
    const SimRadioConfig config_;
    const Clock& clock_;
    const std::string id_;
    SimRandom random_;

    mutable std::mutex mu_;  // guards the state below
    std::optional<AdvertisingSet> adv_;
    AdvertisingParams adv_params_;
    std::optional<ScanParams> scan_;
    int64_t scan_start_ = 0;
    int64_t heard_until_ = 0;
    uint64_t adverts_ = 0;
    Status last_error_;

    std::mutex cb_mu_;  // held while the callback runs
    AdvertCallback callback_;

    std::mutex thread_mu_;
    std::condition_variable thread_cv_;
    bool stopping_ = false;
    std::thread poller_;
};

}  // namespace jejak
