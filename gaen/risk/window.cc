// Report type and infectiousness of a window.
#include "gaen/risk/window.h"

#include <cstdlib>

namespace jejak {

std::optional<ReportType> ResolveReportType(std::optional<ReportType> raw,
                                            ReportType when_missing) {
    if (!raw || *raw == ReportType::kUnknown) return when_missing;
    const auto value = static_cast<int>(*raw);
    if (value < 0 || value >= kReportTypeCount) return std::nullopt;
    return *raw;
}

Infectiousness InfectiousnessFor(std::optional<int> days_since_onset, const WindowConfig& config) {
    if (!days_since_onset || std::abs(*days_since_onset) > 14) {
        return config.infectiousness_when_missing;
    }
    return config.days_since_onset_to_infectiousness[static_cast<size_t>(*days_since_onset + 14)];
}

bool IsScoredReportType(ReportType type, bool allow_recursive) {
    switch (type) {
        case ReportType::kConfirmedTest:
        case ReportType::kConfirmedClinicalDiagnosis:
        case ReportType::kSelfReport:
            return true;
        case ReportType::kRecursive:
            return allow_recursive;
        default:
            return false;
    }
}

}  // namespace jejak
