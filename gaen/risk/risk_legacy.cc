// Legacy (API v1) risk score: bucketing and the product of the four scores.
#include "gaen/risk/risk_legacy.h"

#include <algorithm>
#include <string>

namespace jejak {
namespace {

Status CheckScores(const std::array<int, 8>& scores, const char* name) {
    for (size_t i = 0; i < scores.size(); ++i) {
        if (scores[i] < 0 || scores[i] > 8) {
            return Status::InvalidArgument(std::string(name) + "[" + std::to_string(i) +
                                           "]: score 0..8");
        }
    }
    return Status::Ok();
}

Status ParseScores(const nlohmann::json& s, const char* name, bool required,
                   std::span<int> out) {
    const auto it = s.find(name);
    if (it == s.end()) {
        return required ? Status::InvalidArgument(std::string("risk.legacy.") + name + ": required")
                        : Status::Ok();
    }
    if (!it->is_array() || it->size() != out.size()) {
        return Status::InvalidArgument(std::string("risk.legacy.") + name + ": array of " +
                                       std::to_string(out.size()) + " integers");
    }
    for (size_t i = 0; i < out.size(); ++i) {
        if (!(*it)[i].is_number_integer() || (*it)[i] < -100000 || (*it)[i] > 100000) {
            return Status::InvalidArgument(std::string("risk.legacy.") + name + ": integers");
        }
        out[i] = (*it)[i].get<int>();
    }
    return Status::Ok();
}

}  // namespace

Result<LegacyRiskConfig> ParseLegacyRiskConfig(const nlohmann::json& s) {
    if (!s.is_object()) return Status::InvalidArgument("risk.legacy: not an object");
    LegacyRiskConfig c;
    if (auto it = s.find("minimum_risk_score"); it != s.end()) {
        if (!it->is_number_integer() || *it < 0 || *it > 4096) {
            return Status::InvalidArgument("risk.legacy.minimum_risk_score: integer 0..4096");
        }
        c.minimum_risk_score = it->get<int>();
    }
    JEJAK_RETURN_IF_ERROR(ParseScores(s, "attenuation_scores", true, c.attenuation_scores));
    JEJAK_RETURN_IF_ERROR(ParseScores(s, "days_since_last_exposure_scores", true,
                                      c.days_since_last_exposure_scores));
    JEJAK_RETURN_IF_ERROR(ParseScores(s, "duration_scores", true, c.duration_scores));
    JEJAK_RETURN_IF_ERROR(
        ParseScores(s, "transmission_risk_scores", true, c.transmission_risk_scores));
    JEJAK_RETURN_IF_ERROR(ParseScores(s, "duration_at_attenuation_thresholds", false,
                                      c.duration_at_attenuation_thresholds));
    Status valid = c.Validate();
    if (!valid.ok()) return Status::InvalidArgument("risk.legacy." + valid.message());
    return c;
}

LegacyExposure LegacyExposureOf(std::span<const ExposureWindow> windows, uint32_t today) {
    LegacyExposure e;
    if (windows.empty()) return e;
    int attenuation = 255;
    int64_t seconds = 0;
    uint32_t last_day = 0;
    for (const ExposureWindow& w : windows) {
        for (const ScanInstance& scan : w.scans) {
            attenuation = std::min(attenuation, scan.typical_attenuation_db);
            seconds += scan.seconds_since_last_scan;
        }
        last_day = std::max(last_day, w.day);
    }
    e.attenuation_db = attenuation;
    e.duration_minutes = static_cast<int>(std::min<int64_t>(seconds / 60, 100000));
    e.days_since_exposure =
        today > last_day ? static_cast<int>(std::min(today - last_day, 10000u)) : 0;
    e.transmission_risk_level = windows.front().transmission_risk_level;
    return e;
}

Status LegacyRiskConfig::Validate() const {
    if (minimum_risk_score < 0 || minimum_risk_score > 4096) {
        return Status::InvalidArgument("minimum_risk_score: 0..4096");
    }
    JEJAK_RETURN_IF_ERROR(CheckScores(attenuation_scores, "attenuation_scores"));
    JEJAK_RETURN_IF_ERROR(
        CheckScores(days_since_last_exposure_scores, "days_since_last_exposure_scores"));
    JEJAK_RETURN_IF_ERROR(CheckScores(duration_scores, "duration_scores"));
    JEJAK_RETURN_IF_ERROR(CheckScores(transmission_risk_scores, "transmission_risk_scores"));
    const auto& t = duration_at_attenuation_thresholds;
    if (t[0] < 0 || t[0] > 255 || t[1] < t[0] || t[1] > 255) {
        return Status::InvalidArgument(
            "duration_at_attenuation_thresholds: 0 <= low <= high <= 255");
    }
    return Status::Ok();
}

int LegacyAttenuationBucket(int attenuation_db) {
    constexpr int kLowerBounds[] = {73, 63, 51, 33, 27, 15, 10};  // bucket i: > kLowerBounds[i]
    for (int i = 0; i < 7; ++i) {
        if (attenuation_db > kLowerBounds[i]) return i;
    }
    return 7;
}

int LegacyDurationBucket(int minutes) {
    if (minutes <= 0) return 0;
    if (minutes > 30) return 7;
    return (minutes + 4) / 5;  // 1..5 -> 1, 6..10 -> 2, ..., 26..30 -> 6
}

int LegacyDaysBucket(int days) {
    for (int i = 0; i < 7; ++i) {
        if (days >= 14 - 2 * i) return i;
    }
    return 7;
}

int LegacyRiskScore(const LegacyExposure& e, const LegacyRiskConfig& config) {
    const int tr = e.transmission_risk_level;
    const int tr_score =
        tr >= 1 && tr <= 8 ? config.transmission_risk_scores[static_cast<size_t>(tr - 1)] : 1;
    const int score =
        config.attenuation_scores[static_cast<size_t>(LegacyAttenuationBucket(e.attenuation_db))] *
        config.days_since_last_exposure_scores[static_cast<size_t>(
            LegacyDaysBucket(e.days_since_exposure))] *
        config.duration_scores[static_cast<size_t>(LegacyDurationBucket(e.duration_minutes))] *
        tr_score;
    return score < config.minimum_risk_score ? 0 : score;
}

std::array<int64_t, 3> LegacyAttenuationDurations(std::span<const ScanInstance> scans,
                                                  const LegacyRiskConfig& config) {
    std::array<int64_t, 3> seconds{};
    const auto& t = config.duration_at_attenuation_thresholds;
    for (const ScanInstance& s : scans) {
        const size_t bin = s.typical_attenuation_db < t[0] ? 0
                           : s.typical_attenuation_db < t[1] ? 1
                                                             : 2;
        seconds[bin] += s.seconds_since_last_scan;
    }
    return seconds;
}

}  // namespace jejak
