// SimRadio: advertising by publishing state, scanning by replaying the ether's events.
#include "platform/sim/sim_radio.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace jejak {
namespace {

std::string NextId() {
    static std::atomic<uint64_t> counter{0};
    return std::to_string(getpid()) + "-" + std::to_string(counter++);
}

constexpr int64_t kMaxEventsPerPoll = 200000;  // bounds work after a huge clock jump

}  // namespace

Result<std::unique_ptr<SimRadio>> SimRadio::Open(const SimRadioConfig& config,
                                                 const Clock& clock, int poll_period_ms) {
    SimRadioConfig placed = config;
    if (!config.path_file.empty()) {
        JEJAK_ASSIGN_OR_RETURN(placed.path, SimPath::Load(config.path_file));
    }
    JEJAK_ASSIGN_OR_RETURN(SimEther ether, SimEther::Open(config.ether_dir));
    std::unique_ptr<SimRadio> radio(new SimRadio(std::move(ether), placed, clock));
    if (poll_period_ms > 0) {
        radio->poller_ = std::thread([r = radio.get(), poll_period_ms] { r->PollLoop(poll_period_ms); });
    }
    return radio;
}

SimRadio::SimRadio(SimEther ether, const SimRadioConfig& config, const Clock& clock)
    : ether_(std::move(ether)), config_(config), clock_(clock), id_(NextId()),
      random_(config.seed) {}

SimRadio::~SimRadio() {
    {
        std::lock_guard<std::mutex> lock(thread_mu_);
        stopping_ = true;
    }
    thread_cv_.notify_all();
    if (poller_.joinable()) poller_.join();
    (void)ether_.Withdraw(id_);
}

void SimRadio::PollLoop(int period_ms) {
    std::unique_lock<std::mutex> lock(thread_mu_);
    while (!thread_cv_.wait_for(lock, std::chrono::milliseconds(period_ms),
                                [this] { return stopping_; })) {
        lock.unlock();
        if (Status st = Poll().status(); !st.ok()) {
            std::lock_guard<std::mutex> guard(mu_);
            last_error_ = st;  // shown by GetStatus; the next poll tries again
        }
        lock.lock();
    }
}

Status SimRadio::Publish(const AdvertisingSet& set) {
    SimAdvertiserState s;
    s.id = id_;
    s.pid = static_cast<int>(getpid());
    s.address = set.address;
    s.payload = set.payload;
    s.since_unix_micros = clock_.NowUnixMicros();
    s.interval_micros =
        int64_t{adv_params_.min_interval_ms + adv_params_.max_interval_ms} * 1000 / 2;
    s.x_m = config_.x_m;
    s.y_m = config_.y_m;
    s.z_m = config_.z_m;
    s.tx_power_dbm = config_.tx_power_dbm;
    s.path = config_.path;
    return ether_.Publish(s);
}

Status SimRadio::StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) {
    JEJAK_RETURN_IF_ERROR(ValidateAdvertising(set, params));
    std::lock_guard<std::mutex> lock(mu_);
    if (adv_) return Status::FailedPrecondition("already advertising: use Rotate to change it");
    adv_params_ = params;
    Status st = Publish(set);
    if (st.ok()) adv_ = set;
    if (!st.ok()) last_error_ = st;
    return st;
}

Status SimRadio::Rotate(const AdvertisingSet& set) {
    JEJAK_RETURN_IF_ERROR(ValidateAdvertising(set, adv_params_));
    std::lock_guard<std::mutex> lock(mu_);
    if (!adv_) return Status::FailedPrecondition("rotate: not advertising");
    Status st = Publish(set);  // one atomic file replace: address and payload together
    if (st.ok()) {
        adv_ = set;
    } else {
        (void)ether_.Withdraw(id_);
        adv_.reset();
        last_error_ = st;
    }
    return st;
}

Status SimRadio::StopAdvertising() {
    std::lock_guard<std::mutex> lock(mu_);
    adv_.reset();
    return ether_.Withdraw(id_);
}

Status SimRadio::StartScanning(const ScanParams& params, AdvertCallback on_advert) {
    JEJAK_RETURN_IF_ERROR(ValidateScanning(params));
    std::lock_guard<std::mutex> cb(cb_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    callback_ = std::move(on_advert);
    scan_ = params;
    scan_start_ = heard_until_ = clock_.NowUnixMicros();
    return Status::Ok();
}

Status SimRadio::StopScanning() {
    std::lock_guard<std::mutex> cb(cb_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    callback_ = nullptr;
    scan_.reset();
    return Status::Ok();
}

// Events of `s` in (from, to] that fall in our scan windows, survive loss and clear the floor.
void SimRadio::Hear(const SimAdvertiserState& s, int64_t from, int64_t to,
                    std::vector<HeardEvent>& out) {
    const int64_t interval = int64_t{scan_->interval_ms} * 1000;
    const int64_t window = int64_t{scan_->window_ms} * 1000;
    const bool moving = !s.path.empty() || !config_.path.empty();
    const double fixed_rssi = MeanRssiAt(s, from);
    int64_t k = std::max<int64_t>(0, (from - s.since_unix_micros) / s.interval_micros - 1);
    for (int64_t n = 0; n < kMaxEventsPerPoll; ++n, ++k) {
        const int64_t t = SimAdvertisingEventTime(s, k);
        if (t > to) break;
        if (t <= from || (t - scan_start_) % interval >= window) continue;
        ReceivedAdvert a;
        a.address = s.address;
        a.address_type = 0x01;
        a.pdu_type = 0x03;
        a.payload = s.payload;
        a.unix_micros = t;
        // Noise and loss are drawn later, in order.
        out.push_back({std::move(a), moving ? MeanRssiAt(s, t) : fixed_rssi});
    }
}

// The path-loss model's mean RSSI of `s` heard here at `unix_micros` (both may be moving).
double SimRadio::MeanRssiAt(const SimAdvertiserState& s, int64_t unix_micros) const {
    const SimPoint there = SimAdvertiserPosition(s, unix_micros);
    const SimPoint here =
        config_.path.empty() ? SimPoint{config_.x_m, config_.y_m} : config_.path.At(unix_micros);
    const double dx = there.x_m - here.x_m, dy = there.y_m - here.y_m, dz = s.z_m - config_.z_m;
    return s.tx_power_dbm - SimPathLossDb(std::sqrt(dx * dx + dy * dy + dz * dz), config_.exponent);
}

Result<size_t> SimRadio::Poll() {
    std::lock_guard<std::mutex> cb(cb_mu_);
    std::vector<HeardEvent> events;
    std::vector<ReceivedAdvert> heard;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!scan_) return size_t{0};
        JEJAK_ASSIGN_OR_RETURN(std::vector<SimAdvertiserState> states, ether_.Snapshot());
        const int64_t now = clock_.NowUnixMicros();
        for (const auto& s : states) {
            if (s.id == id_) continue;  // a radio does not hear itself
            Hear(s, heard_until_, now, events);
        }
        heard_until_ = std::max(heard_until_, now);
        // Draw in event-time order (ties: advertiser id order), so results do not depend on
        // how often Poll runs.
        std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
            return a.advert.unix_micros < b.advert.unix_micros;
        });
        for (HeardEvent& e : events) {
            const double lost = random_.Uniform();
            const double rssi = e.mean_rssi_dbm + config_.noise_db * random_.Gaussian();
            if (lost < config_.loss || rssi < config_.floor_dbm) continue;
            e.advert.rssi_dbm = static_cast<int8_t>(std::clamp(std::lround(rssi), -127L, 126L));
            heard.push_back(std::move(e.advert));
        }
        adverts_ += heard.size();
    }
    if (callback_) {
        for (const ReceivedAdvert& a : heard) callback_(a);
    }
    return heard.size();
}

RadioStatus SimRadio::GetStatus() const {
    std::lock_guard<std::mutex> lock(mu_);
    RadioStatus s;
    s.description = "sim " + ether_.dir() + " as " + id_;
    s.advertising = adv_.has_value();
    s.scanning = scan_.has_value();
    if (adv_) s.advertised_address = adv_->address;
    s.adverts_received = adverts_;
    s.last_error = last_error_;
    return s;
}

}  // namespace jejak
