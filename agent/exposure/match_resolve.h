// Report types and revisions across the keys of one matching run (docs/PROTOCOL.md 1.6,
// 3.3; Google's ExposureMatchingTracer): the same TEK may appear several times, first in
// `keys` and later in `revised_keys` of a newer export. Occurrences are taken in sequence
// order (the caller numbers them by the exports' own timestamps and batch order, not by the
// order files were given):
//  - before a key has a result, an occurrence whose report type is REVOKED, invalid, or
//    RECURSIVE (unless allowed) is skipped; the first acceptable one gives the windows;
//  - afterwards, a later occurrence changes the report type only along a valid transition:
//    SELF_REPORT -> CONFIRMED_TEST | CONFIRMED_CLINICAL_DIAGNOSIS | REVOKED, and
//    CONFIRMED_CLINICAL_DIAGNOSIS -> CONFIRMED_TEST | REVOKED. Anything else is ignored.
// REVOKED is final: a key with a REVOKED occurrence anywhere in the run, or listed in
// `revoked` (revocations persisted from earlier runs), ends REVOKED whatever the order; it
// keeps its windows (so the change can be recorded) but scoring never counts them.
#pragma once

#include <span>
#include <vector>

#include "agent/exposure/exposure_window.h"
#include "agent/exposure/match.h"

namespace jejak {

struct KeyExposure {
    Tek key;
    uint64_t sequence = 0;  // input position of the occurrence that gave the windows
    ReportType report_type = ReportType::kConfirmedTest;
    int transitions = 0;
    std::vector<ExposureWindow> windows;
};

bool IsValidReportTypeTransition(ReportType from, ReportType to);

// One entry per distinct TEK that produced at least one window, in input order.
std::vector<KeyExposure> ResolveKeyExposures(std::span<const KeyHits> matches,
                                             std::span<const SightingRecord> records,
                                             const WindowConfig& config, bool allow_recursive,
                                             WindowStats* stats, std::span<const Tek> revoked = {});

}  // namespace jejak
