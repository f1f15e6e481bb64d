// Per-scan aggregation of advertisements into sightings.
#include "storage/sighting_aggregator.h"

#include <algorithm>

namespace jejak {

void SightingAggregator::BeginScan(std::optional<int64_t> previous_scan_end_unix_s) {
    previous_end_ = previous_scan_end_unix_s;
    by_rpi_.clear();
    next_order_ = 0;
}

bool SightingAggregator::MakeRoom(int8_t rssi) {
    if (by_rpi_.size() < max_rpis_) return true;
    auto weakest = std::min_element(by_rpi_.begin(), by_rpi_.end(), [](const auto& a, const auto& b) {
        return a.second.sighting.max_rssi < b.second.sighting.max_rssi;
    });
    if (weakest == by_rpi_.end() || rssi <= weakest->second.sighting.max_rssi) return false;
    dropped_ += weakest->second.sighting.count;
    by_rpi_.erase(weakest);
    return true;
}

void SightingAggregator::Add(const Reception& r) {
    if (by_rpi_.find(r.rpi) == by_rpi_.end() && !MakeRoom(r.rssi)) {
        ++dropped_;
        return;
    }
    auto [it, inserted] = by_rpi_.try_emplace(r.rpi);
    Acc& acc = it->second;
    Sighting& s = acc.sighting;
    if (inserted) {
        acc.order = next_order_++;
        s.rpi = r.rpi;
        s.aem = r.aem;
        s.first_seen_unix_s = s.last_seen_unix_s = r.unix_s;
        s.count = 0;
        s.min_rssi = s.max_rssi = r.rssi;
    }
    s.first_seen_unix_s = std::min(s.first_seen_unix_s, r.unix_s);
    s.last_seen_unix_s = std::max(s.last_seen_unix_s, r.unix_s);
    s.min_rssi = std::min(s.min_rssi, r.rssi);
    s.max_rssi = std::max(s.max_rssi, r.rssi);
    ++s.count;
    acc.rssi_sum += r.rssi;
}

std::vector<Sighting> SightingAggregator::EndScan() {
    std::vector<const Acc*> accs;
    for (const auto& [rpi, acc] : by_rpi_) accs.push_back(&acc);
    std::sort(accs.begin(), accs.end(), [](const Acc* a, const Acc* b) { return a->order < b->order; });
    std::vector<Sighting> out;
    out.reserve(accs.size());
    for (const Acc* acc : accs) {
        Sighting s = acc->sighting;
        s.mean_rssi = static_cast<float>(acc->rssi_sum / s.count);
        s.scan_regime = regime_;
        s.bin_seconds = bin_seconds_;
        if (previous_end_) {
            const int64_t gap = std::max<int64_t>(0, s.first_seen_unix_s - *previous_end_);
            s.seconds_since_previous_scan = static_cast<int32_t>(std::min<int64_t>(gap, INT32_MAX));
        }
        out.push_back(s);
    }
    by_rpi_.clear();
    next_order_ = 0;
    return out;
}

}  // namespace jejak
