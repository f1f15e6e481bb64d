// Per-TEK resolution of report types and revisions.
#include "agent/exposure/match_resolve.h"

#include <algorithm>

namespace jejak {

bool IsValidReportTypeTransition(ReportType from, ReportType to) {
    switch (from) {
        case ReportType::kSelfReport:
            return to == ReportType::kConfirmedTest ||
                   to == ReportType::kConfirmedClinicalDiagnosis || to == ReportType::kRevoked;
        case ReportType::kConfirmedClinicalDiagnosis:
            return to == ReportType::kConfirmedTest || to == ReportType::kRevoked;
        default:
            return false;
    }
}

std::vector<KeyExposure> ResolveKeyExposures(std::span<const KeyHits> matches,
                                             std::span<const SightingRecord> records,
                                             const WindowConfig& config, bool allow_recursive,
                                             WindowStats* stats, std::span<const Tek> revoked) {
    std::vector<const KeyHits*> ordered;
    for (const KeyHits& m : matches) ordered.push_back(&m);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const KeyHits* a, const KeyHits* b) { return a->sequence < b->sequence; });
    std::vector<Tek> revoked_now(revoked.begin(), revoked.end());
    for (const KeyHits* m : ordered) {
        if (ResolveReportType(m->key.report_type, config.report_type_when_missing) ==
            ReportType::kRevoked) {
            revoked_now.push_back(m->key.key);
        }
    }
    auto is_revoked = [&](const Tek& key) {
        return std::any_of(revoked_now.begin(), revoked_now.end(),
                           [&](const Tek& r) { return r == key; });
    };
    std::vector<KeyExposure> out;
    for (const KeyHits* m : ordered) {
        const auto type = ResolveReportType(m->key.report_type, config.report_type_when_missing);
        auto existing = std::find_if(out.begin(), out.end(),
                                     [&](const KeyExposure& e) { return e.key == m->key.key; });
        if (existing != out.end()) {
            if (type && IsValidReportTypeTransition(existing->report_type, *type)) {
                existing->report_type = *type;
                ++existing->transitions;
                for (ExposureWindow& w : existing->windows) w.report_type = *type;
            }
            continue;
        }
        if (!type || !IsScoredReportType(*type, allow_recursive)) continue;
        std::vector<ExposureWindow> windows = BuildExposureWindows(*m, records, config, stats);
        if (windows.empty()) continue;
        KeyExposure& e = out.emplace_back();
        e.key = m->key.key;
        e.sequence = m->sequence;
        e.report_type = *type;
        e.windows = std::move(windows);
    }
    for (KeyExposure& e : out) {
        if (e.report_type == ReportType::kRevoked || !is_revoked(e.key)) continue;
        e.report_type = ReportType::kRevoked;
        ++e.transitions;
        for (ExposureWindow& w : e.windows) w.report_type = ReportType::kRevoked;
    }
    return out;
}

}  // namespace jejak
