// The exposure part of `jejak status`.
#include "agent/cli/cli_status_exposure.h"

#include "agent/check/match_check.h"
#include "agent/check/match_report.h"
#include "agent/cli/cli_format.h"

namespace jejak {

nlohmann::json NoExposure() { return ExposureJson({}); }

nlohmann::json StatusExposure(Store& store, std::vector<std::string>& attention) {
    auto failed = LastCheckFailure(store);
    if (!failed.ok()) {
        attention.push_back("the last check's outcome cannot be read: " +
                            failed.status().message());
    } else if (failed->has_value()) {
        attention.push_back("the last exposure check failed at " + IsoTime((*failed)->at) + ": " +
                            (*failed)->message);
    }
    auto days = LoadStandingExposure(store);
    if (!days.ok()) {
        attention.push_back("the exposure ledger cannot be read: " + days.status().message());
        return NoExposure();
    }
    return ExposureJson(*days);
}

void CheckAttention(const nlohmann::json& last_check, std::vector<std::string>& attention) {
    if (!last_check.is_object()) return;
    const auto hook = last_check.value("hook", nlohmann::json::object());
    if (hook.is_object() && hook.value("ran", false) && !hook.value("ok", false)) {
        attention.push_back("the last check's notification hook failed: " +
                            hook.value("error", std::string("?")));
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
