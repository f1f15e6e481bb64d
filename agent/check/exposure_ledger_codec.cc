// JSON payloads of the exposure ledger's records.
#include "agent/check/exposure_ledger_codec.h"

#include <nlohmann/json.hpp>

#include "platform/base/hex.h"

namespace jejak {
namespace {

using nlohmann::json;

// Integer field `name` of `j` within [lo, hi]; false when missing, mistyped or out of range.
bool GetInt(const json& j, const char* name, int64_t lo, int64_t hi, int64_t& out) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) return false;
    const int64_t v = it->get<int64_t>();
    if (v < lo || v > hi) return false;
    out = v;
    return true;
}

bool GetNumber(const json& j, const char* name, double& out) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number()) return false;
    out = it->get<double>();
    return out >= 0;
}

constexpr int64_t kMaxUnix = int64_t{1} << 40;

json WindowJson(const LedgerWindow& lw) {
    const ExposureWindow& w = lw.window;
    json scans = json::array();
    for (const ScanInstance& s : w.scans) {
        scans.push_back(
            {s.typical_attenuation_db, s.min_attenuation_db, s.seconds_since_last_scan, s.time});
    }
    return {{"start", w.start},
            {"infectiousness", static_cast<int>(w.infectiousness)},
            {"calibration_confidence", w.calibration_confidence},
            {"transmission_risk_level", w.transmission_risk_level},
            {"check", lw.found_by.check},
            {"checked_at", lw.found_by.checked_at},
            {"scans", scans}};
}

Result<ScanInstance> ScanFromJson(const json& j) {
    if (!j.is_array() || j.size() != 4) return Status::Corruption("ledger: malformed scan");
    int64_t v[4];
    const int64_t hi[4] = {255, 255, 86400, kMaxUnix};
    for (size_t i = 0; i < 4; ++i) {
        if (!j[i].is_number_integer()) return Status::Corruption("ledger: malformed scan");
        v[i] = j[i].get<int64_t>();
        if (v[i] < 0 || v[i] > hi[i]) return Status::Corruption("ledger: scan value out of range");
    }
    ScanInstance s;
    s.typical_attenuation_db = static_cast<int>(v[0]);
    s.min_attenuation_db = static_cast<int>(v[1]);
    s.seconds_since_last_scan = static_cast<int>(v[2]);
    s.time = v[3];
    return s;
}

Result<LedgerWindow> WindowFromJson(const json& j, uint32_t day, ReportType type) {
    if (!j.is_object()) return Status::Corruption("ledger: window is not an object");
    int64_t start, inf, confidence, trl, check, checked_at;
    if (!GetInt(j, "start", 0, kMaxUnix, start) || !GetInt(j, "infectiousness", 0, 2, inf) ||
        !GetInt(j, "calibration_confidence", 0, 3, confidence) ||
        !GetInt(j, "transmission_risk_level", 0, 8, trl) ||
        !GetInt(j, "check", 1, UINT32_MAX, check) ||
        !GetInt(j, "checked_at", 0, kMaxUnix, checked_at)) {
        return Status::Corruption("ledger: malformed window");
    }
    if (UtcDayOfUnixSeconds(start) != day)
        return Status::Corruption("ledger: window of another day");
    auto scans = j.find("scans");
    if (scans == j.end() || !scans->is_array())
        return Status::Corruption("ledger: window without scans");
    LedgerWindow lw;
    lw.window.start = start;
    lw.window.day = day;
    lw.window.report_type = type;
    lw.window.infectiousness = static_cast<Infectiousness>(inf);
    lw.window.calibration_confidence = static_cast<int>(confidence);
    lw.window.transmission_risk_level = static_cast<int>(trl);
    lw.found_by = {static_cast<uint32_t>(check), checked_at};
    for (const json& s : *scans) {
        JEJAK_ASSIGN_OR_RETURN(ScanInstance scan, ScanFromJson(s));
        lw.window.scans.push_back(scan);
    }
    return lw;
}

Result<LedgerEntry> KeyDayFromJson(const json& j, uint32_t day) {
    LedgerKeyDay entry;
    entry.day = day;
    auto id = j.find("key_id");
    if (id == j.end() || !id->is_string())
        return Status::Corruption("ledger: key-day without key_id");
    if (Status hex = HexDecodeExact(id->get<std::string>(), entry.key, "key_id"); !hex.ok()) {
        return Status::Corruption("ledger: " + hex.message());
    }
    int64_t type;
    if (!GetInt(j, "report_type", 1, 5, type)) return Status::Corruption("ledger: bad report_type");
    entry.report_type = static_cast<ReportType>(type);
    auto windows = j.find("windows");
    if (windows == j.end() || !windows->is_array()) {
        return Status::Corruption("ledger: key-day without windows");
    }
    for (const json& w : *windows) {
        JEJAK_ASSIGN_OR_RETURN(LedgerWindow lw, WindowFromJson(w, day, entry.report_type));
        entry.windows.push_back(std::move(lw));
    }
    return LedgerEntry(std::move(entry));
}

Result<LedgerEntry> NotifiedFromJson(const json& j, uint32_t day) {
    NotifiedDay d;
    d.day = day;
    if (!GetInt(j, "first_notified_unix", 1, kMaxUnix, d.first_notified_unix) ||
        !GetInt(j, "retracted_unix", 0, kMaxUnix, d.retracted_unix) ||
        !GetNumber(j, "score_sum", d.score_sum) ||
        !GetNumber(j, "weighted_duration_sum", d.weighted_duration_sum)) {
        return Status::Corruption("ledger: malformed notified day");
    }
    return LedgerEntry(d);
}

}  // namespace

std::string EncodeLedgerKeyDay(const LedgerKeyDay& entry) {
    json windows = json::array();
    for (const LedgerWindow& w : entry.windows) windows.push_back(WindowJson(w));
    return json{{"kind", "key_day"},
                {"key_id", HexEncode(entry.key)},
                {"report_type", static_cast<int>(entry.report_type)},
                {"windows", windows}}
        .dump();
}

std::string EncodeNotifiedDay(const NotifiedDay& day) {
    return json{{"kind", "notified"},
                {"first_notified_unix", day.first_notified_unix},
                {"score_sum", day.score_sum},
                {"weighted_duration_sum", day.weighted_duration_sum},
                {"retracted_unix", day.retracted_unix}}
        .dump();
}

Result<LedgerEntry> DecodeLedgerEntry(const std::string& payload, uint32_t day) {
    const json j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Status::Corruption("ledger: not a JSON object");
    auto kind = j.find("kind");
    if (kind != j.end() && *kind == "key_day") return KeyDayFromJson(j, day);
    if (kind != j.end() && *kind == "notified") return NotifiedFromJson(j, day);
    return Status::Corruption("ledger: unknown record kind");
}

}  // namespace jejak
