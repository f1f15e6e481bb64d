// The exposure part of `jejak status`.
#include "agent/cli/status/cli_status_exposure.h"

#include "agent/check/match_check.h"
#include "agent/check/match_report.h"
#include "platform/cli/cli_format.h"

namespace jejak {

std::string Actionable(const std::string& problem, const std::string& action) {
    return problem + " (" + action + ")";
}

nlohmann::json NoExposure() { return ExposureJson({}); }

nlohmann::json StatusExposure(Store& store, std::vector<std::string>& attention) {
    auto failed = LastCheckFailure(store);
    if (!failed.ok()) {
        attention.push_back(Actionable(
            "the last check's outcome cannot be read: " + failed.status().message(),
            "run jejak store verify"));
    } else if (failed->has_value()) {
        attention.push_back(Actionable("the last exposure check failed at " +
                                           IsoTime((*failed)->at) + ": " + (*failed)->message,
                                       "see journalctl -u jejak-check, the next check (or "
                                       "jejak match --fetched) tries again"));
    }
    auto days = LoadStandingExposure(store);
    if (!days.ok()) {
        attention.push_back(Actionable(
            "the exposure ledger cannot be read: " + days.status().message(),
            "run jejak store verify"));
        return NoExposure();
    }
    return ExposureJson(*days);
}

void CheckAttention(const nlohmann::json& last_check, std::vector<std::string>& attention) {
    if (!last_check.is_object()) return;
    const auto hook = last_check.value("hook", nlohmann::json::object());
    if (hook.is_object() && hook.value("ran", false) && !hook.value("ok", false)) {
        attention.push_back(Actionable(
            "the last check's notification hook failed: " + hook.value("error", std::string("?")),
            "fix the [notify] command, journalctl -u jejak-check shows its output, and it runs "
            "again at the next check"));
    }
}

void PrintExposureText(const nlohmann::json& exposure, std::ostream& out) {
    const auto days = exposure.value("days", nlohmann::json::array());
    if (!exposure.value("notified", false) || days.empty()) {
        out << "exposure: none notified\n";
        return;
    }
    out << "exposure: NOTIFIED for " << days.size() << " day(s)\n";
    for (const auto& d : days) {
        out << "  " << d.value("day", std::string("?"))
            << "  score_sum=" << d.value("score_sum", 0.0)
            << " weighted_duration_s=" << d.value("weighted_duration_sum", 0.0)
            << "  first notified " << IsoTime(d.value("first_notified_unix", int64_t{0})) << "\n";
    }
}

}  // namespace jejak
