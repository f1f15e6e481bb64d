// JSON form of an exposure check.
#include "agent/check/match_report.h"

#include <cstdio>

#include "gaen/risk/risk_config.h"

namespace jejak {
namespace {

nlohmann::json ScoreJson(const ScoreSummary& s) {
    return {{"score_sum", s.score_sum},
            {"maximum_score", s.maximum_score},
            {"weighted_duration_sum", s.weighted_duration_sum}};
}

nlohmann::json DayJson(const DailySummary& d, std::span<const CheckRef> checks) {
    nlohmann::json j = ScoreJson(d.total);
    j["day"] = d.day;
    j["date"] = UtcDate(d.day);
    j["day_unix"] = int64_t{d.day} * 86400;
    j["windows"] = d.windows;
    nlohmann::json by_type = nlohmann::json::object();
    for (int t = 1; t < kReportTypeCount; ++t) {
        const ScoreSummary& s = d.by_report_type[static_cast<size_t>(t)];
        if (s.score_sum > 0 || s.weighted_duration_sum > 0) {
            by_type[std::string(ReportTypeName(static_cast<ReportType>(t)))] = ScoreJson(s);
        }
    }
    j["by_report_type"] = by_type;
    nlohmann::json by = nlohmann::json::array();
    for (const CheckRef& c : checks) {
        by.push_back({{"check", c.check}, {"checked_at_unix", c.checked_at}});
    }
    j["checks"] = by;
    return j;
}

nlohmann::json Dates(std::span<const uint32_t> days) {
    nlohmann::json out = nlohmann::json::array();
    for (uint32_t d : days) out.push_back(UtcDate(d));
    return out;
}

}  // namespace

std::string UtcDate(uint32_t day) {
    // Days to civil date (proleptic Gregorian), after H. Hinnant's published algorithm.
    const int64_t z = int64_t{day} + 719468;
    const int64_t era = z / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d));
    return buf;
}

nlohmann::json ExposureJson(std::span<const NotifiedDay> days) {
    nlohmann::json list = nlohmann::json::array();
    for (const NotifiedDay& d : days) {
        if (!d.standing()) continue;
        list.push_back({{"day", UtcDate(d.day)},
                        {"score_sum", d.score_sum},
                        {"weighted_duration_sum", d.weighted_duration_sum},
                        {"first_notified_unix", d.first_notified_unix}});
    }
    return {{"notified", !list.empty()}, {"days", list}};
}

nlohmann::json CheckReportJson(const CheckReport& r, const RiskConfig& config) {
    nlohmann::json days = nlohmann::json::array();
    for (size_t i = 0; i < r.daily.size(); ++i) {
        days.push_back(DayJson(r.daily[i], i < r.daily_checks.size()
                                               ? std::span<const CheckRef>(r.daily_checks[i])
                                               : std::span<const CheckRef>()));
    }
    nlohmann::json j = {
        {"checked_at", r.checked_at},
        {"checked_at_unix", r.checked_at},
        {"preset", config.preset},
        {"rssi_correction_db", config.window.rssi_correction_db},
        {"max_time_skew_minutes", config.window.max_time_skew_s / 60},
        {"calibration_source", config.calibration_source},
        {"files", r.files},
        {"keys", r.match.keys},
        {"invalid_keys", r.match.invalid_keys},
        {"skipped_keys", r.match.skipped_keys},
        {"matched_keys", r.match.matched_keys},
        {"exposed_keys", r.exposed_keys},
        {"exposure_windows", r.exposure_windows},
        {"sightings",
         {{"accepted", r.windows.accepted},
          {"drift_rejected", r.windows.drift_rejected},
          {"drift_rejected_early", r.windows.drift_rejected_early},
          {"drift_rejected_late", r.windows.drift_rejected_late},
          {"systematic_offset", SystematicOffset(r.windows)},
          {"replay_rejected", r.windows.replay_rejected},
          {"metadata_rejected", r.windows.metadata_rejected},
          {"tx_power_rejected", r.windows.tx_power_rejected}}},
        {"daily_summaries", days},
        {"threshold",
         {{"score_sum", config.notify_score_sum},
          {"report_type", config.notify_report_type
                              ? std::string(ReportTypeName(*config.notify_report_type))
                              : std::string("any")}}},
        {"notify", r.classification.notify},
        {"check", r.check},
        {"ledger", {{"key_days", r.ledger_key_days}, {"windows", r.ledger_windows}}},
        {"exposure", ExposureJson(r.notification.standing)},
        {"newly_notified_days", Dates(r.notification.newly_notified)},
        {"retracted_days", Dates(r.notification.retracted)},
    };
    if (r.closest_attenuation_db) j["closest_attenuation_db"] = *r.closest_attenuation_db;
    if (r.retracted_keys > 0) j["retracted_keys"] = r.retracted_keys;
    if (r.legacy) {
        j["legacy_v1"] = {{"maximum_risk_score", r.legacy->maximum_risk_score},
                          {"risk_scores", r.legacy->scores},
                          {"attenuation_durations_s", r.legacy->attenuation_durations_s}};
    }
    if (r.classification.day) {
        j["exposure_date"] = UtcDate(*r.classification.day);
        j["exposure_day_unix"] = int64_t{*r.classification.day} * 86400;
        j["exposure_score"] = r.classification.score;
    }
    return j;
}

}  // namespace jejak
