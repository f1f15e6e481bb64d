// The exposure ledger's record payloads (exposure_ledger.h), as JSON objects with a "kind":
//   {"kind": "key_day", "key_id": HEX32, "report_type": 1..5,
//    "windows": [{"start": T, "infectiousness": 0..2, "calibration_confidence": 0..3,
//                 "transmission_risk_level": 0..8, "check": N, "checked_at": T,
//                 "scans": [[typical_db, min_db, seconds, time], ...]}, ...]}
//   {"kind": "notified", "first_notified_unix": T, "score_sum": X,
//    "weighted_duration_sum": Y, "retracted_unix": T (0: standing)}
// The day is the record's own (the store binds it); a window's start must lie on it. Pure.
#pragma once

#include <string>
#include <variant>

#include "agent/check/exposure_ledger.h"

namespace jejak {

std::string EncodeLedgerKeyDay(const LedgerKeyDay& entry);
std::string EncodeNotifiedDay(const NotifiedDay& day);

// One decoded record of `day`. Corruption (never an exception, never an abort) for anything
// that is not a well-formed record: these bytes come from disk.
using LedgerEntry = std::variant<LedgerKeyDay, NotifiedDay>;
Result<LedgerEntry> DecodeLedgerEntry(const std::string& payload, uint32_t day);

}  // namespace jejak
