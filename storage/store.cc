// Validation shared by every Store implementation.
#include "storage/store.h"

#include <algorithm>

namespace jejak {

Status StoreOptions::Check() const {
    if (retention_days < kMinRetentionDays || retention_days > kMaxRetentionDays) {
        return Status::InvalidArgument(
            "retention_days must be " + std::to_string(kMinRetentionDays) + ".." +
            std::to_string(kMaxRetentionDays) + ", got " + std::to_string(retention_days));
    }
    if (flush_interval_s < 0 || flush_interval_s > 86400) {
        return Status::InvalidArgument("flush_interval_s must be 0..86400, got " +
                                       std::to_string(flush_interval_s));
    }
    return Status::Ok();
}

Status CheckSighting(const Sighting& s) {
    if (s.last_seen_unix_s < s.first_seen_unix_s ||
        s.last_seen_unix_s - s.first_seen_unix_s > 86400) {
        return Status::InvalidArgument("sighting: last_seen must be 0..86400 s after first_seen");
    }
    if (s.first_seen_unix_s < 0) return Status::InvalidArgument("sighting: time before 1970");
    if (s.count < 1) return Status::InvalidArgument("sighting: count must be >= 1");
    if (s.min_rssi > s.max_rssi) return Status::InvalidArgument("sighting: min_rssi > max_rssi");
    if (s.scan_regime > ScanRegime::kContinuous) {
        return Status::InvalidArgument("sighting: unknown scan regime");
    }
    const bool continuous = s.scan_regime == ScanRegime::kContinuous;
    if (continuous ? (s.bin_seconds == 0 || s.bin_seconds > kMaxBinSeconds) : s.bin_seconds != 0) {
        return Status::InvalidArgument(
            "sighting: bin_seconds must be 1..3600 for continuous scanning, else 0");
    }
    return Status::Ok();
}

Status CheckTek(const StoredTek& tek) {
    return TekValidity{tek.rolling_start, tek.rolling_period}.Check();
}

std::vector<StoredTek> EffectiveTeks(std::span<const StoredTek> rows) {
    std::vector<StoredTek> out;
    for (const StoredTek& row : rows) {
        auto same = std::find_if(out.begin(), out.end(), [&](const StoredTek& t) {
            return t.tek == row.tek && t.rolling_start == row.rolling_start;
        });
        if (same == out.end()) {
            out.push_back(row);
        } else if (row.rolling_period < same->rolling_period) {
            same->rolling_period = row.rolling_period;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const StoredTek& a, const StoredTek& b) {
        return a.rolling_start < b.rolling_start;
    });
    return out;
}

std::optional<StoredTek> TekValidAt(std::span<const StoredTek> effective,
                                    EnIntervalNumber interval) {
    std::optional<StoredTek> best;
    for (const StoredTek& t : effective) {
        const uint64_t end = uint64_t{t.rolling_start} + t.rolling_period;
        if (interval >= t.rolling_start && interval < end &&
            (!best || t.rolling_start >= best->rolling_start)) {
            best = t;
        }
    }
    return best;
}

}  // namespace jejak
