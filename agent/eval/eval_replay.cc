// Replay of readings through aggregation, matching records, windows and daily summaries.
#include "agent/eval/eval_replay.h"

#include "agent/check/match_check.h"
#include "agent/exposure/match_resolve.h"
#include "gaen/risk/risk_score.h"
#include "gaen/keys/key_schedule.h"

namespace jejak::eval {
namespace {

Tek ReplayTek() {
    Tek tek;
    for (size_t i = 0; i < tek.mutable_bytes().size(); ++i) {
        tek.mutable_bytes()[i] = static_cast<uint8_t>(0xA0 + i);
    }
    return tek;
}

}  // namespace

Replayer::Replayer(int tx_dbm) : tek_(ReplayTek()), tx_dbm_(tx_dbm) {}

const Replayer::IntervalKeys& Replayer::KeysOf(EnIntervalNumber interval) {
    auto it = keys_.find(interval);
    if (it != keys_.end()) return it->second;
    // AES cannot fail on a working system; if it does, the zero RPI/AEM below match nothing
    // and the replay reports no exposure rather than a made-up one.
    IntervalKeys k{};
    if (auto rpi = DeriveRpi(DeriveRpik(tek_), interval); rpi.ok()) k.rpi = *rpi;
    const auto metadata = EncodeMetadata(Metadata::V10(static_cast<int8_t>(tx_dbm_)));
    if (metadata.ok()) {
        if (auto aem = CryptMetadata(DeriveAemk(tek_), k.rpi, *metadata); aem.ok()) k.aem = *aem;
    }
    return keys_.emplace(interval, k).first->second;
}

void Replayer::Scan(std::optional<int64_t> previous_end, std::span<const Heard> heard,
                    ScanRegime regime, uint16_t bin_seconds) {
    SightingAggregator aggregator(regime, bin_seconds);
    aggregator.BeginScan(previous_end);
    for (const Heard& h : heard) {
        const auto interval = static_cast<EnIntervalNumber>(h.t / kIntervalSeconds);
        const IntervalKeys& k = KeysOf(interval);
        aggregator.Add({k.rpi, k.aem, h.t, static_cast<int8_t>(h.rssi)});
    }
    for (const Sighting& s : aggregator.EndScan()) {
        hits_.push_back({static_cast<uint32_t>(records_.size()),
                         static_cast<EnIntervalNumber>(s.first_seen_unix_s / kIntervalSeconds)});
        records_.push_back(ToSightingRecord(s));
    }
}

std::vector<ExposureWindow> Replayer::TakeWindows(const WindowConfig& config) {
    return std::move(TakeWindows(std::span(&config, 1)).front());
}

std::vector<std::vector<ExposureWindow>> Replayer::TakeWindows(
    std::span<const WindowConfig> configs) {
    std::vector<std::vector<ExposureWindow>> out(configs.size());
    if (!records_.empty()) {
        KeyHits key;
        key.key.key = tek_;
        const auto first =
            static_cast<EnIntervalNumber>(records_.front().first_seen / kIntervalSeconds);
        key.key.rolling_start_interval_number = RollingStartOf(first);
        key.key.rolling_period = kTekRollingPeriod;
        key.key.report_type = ReportType::kConfirmedTest;
        key.key.days_since_onset_of_symptoms = 0;
        key.hits = std::move(hits_);
        for (size_t i = 0; i < configs.size(); ++i) {
            auto exposures =
                ResolveKeyExposures(std::span(&key, 1), records_, configs[i], false, nullptr);
            if (!exposures.empty()) out[i] = std::move(exposures.front().windows);
        }
    }
    records_.clear();
    hits_.clear();
    return out;
}

Decision Decide(std::span<const ExposureWindow> windows, const RiskConfig& rule, uint32_t today) {
    const auto days = ComputeDailySummaries(windows, rule, today);
    const Classification c = Classify(days, rule);
    Decision d;
    d.notify = c.notify;
    for (const DailySummary& day : days) d.score = std::max(d.score, day.total.score_sum);
    return d;
}

}  // namespace jejak::eval
