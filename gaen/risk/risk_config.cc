// Risk configuration: presets, JSON parsing and validation.
#include "gaen/risk/risk_config.h"

#include <cctype>

#include "gaen/risk/calibration.h"

namespace jejak {
namespace {

// Presets with values first (Jejak's default, then the published ones); the rest are known
// names without published values.
constexpr std::string_view kPresetNames[] = {
    kDefaultRiskPreset,       "enx-sample",      "nl-coronamelder", "swiss-dp3t-2020-05",
    "cwa-fraunhofer-2020-06", "lfph-narrow-net", "lfph-wide-net",   "swisscovid"};
constexpr size_t kPublishedPresets = 5;
constexpr std::string_view kReportTypeNames[] = {
    "unknown",     "confirmed_test", "confirmed_clinical_diagnosis",
    "self_report", "recursive",      "revoked"};
constexpr double kMaxWeight = 2.5;
// The default rule: full weight up to 55 dB (the border that the field calibration ties to
// 1.5 m), nothing beyond, and 12 weighted minutes in a UTC day (docs/efficacy.md).
constexpr int kCloseBorderDb = 55;
constexpr double kCloseMinutes = 12;

RiskConfig EnxSample() {
    // google/exposure-notifications-android app/configs/sample.json (PROTOCOL.md 6.2);
    // weights there are percentages.
    RiskConfig c;
    c.preset = "enx-sample";
    c.daily.attenuation_thresholds_db = {30, 50, 60};
    c.daily.attenuation_weights = {1.5, 1.0, 0.5, 0.0};
    c.daily.report_type_weights = {0, 1.0, 1.0, 1.0, 0, 0};
    c.daily.infectiousness_weights = {0, 1.0, 1.0};
    c.daily.days_since_exposure_threshold = 14;
    c.daily.minimum_window_score = 0;
    c.window.report_type_when_missing = ReportType::kConfirmedClinicalDiagnosis;  // "2"
    auto map = DecodeEnxInfectiousnessMap("0x0555555555555555");
    c.window.days_since_onset_to_infectiousness = map->first;
    c.window.infectiousness_when_missing = map->second;
    c.notify_score_sum = 2700;  // 45 weighted minutes of confirmed-test exposure in a day
    c.notify_report_type = ReportType::kConfirmedTest;
    return c;
}

// minvws/nl-covid19-notification-app-backend RiskCalculationParametersV3.json (PROTOCOL.md
// 6.4): the Dutch national app's v2 parameters.
RiskConfig NlCoronaMelder() {
    RiskConfig c;
    c.preset = "nl-coronamelder";
    c.daily.attenuation_thresholds_db = {56, 62, 73};
    c.daily.attenuation_weights = {1.5, 1.0, 0.4, 0.0};
    c.daily.report_type_weights = {0, 1.0, 0, 0, 0, 0};
    c.daily.infectiousness_weights = {0, 1.0, 1.0};
    c.daily.days_since_exposure_threshold = 14;
    c.daily.minimum_window_score = 300;
    // Days since onset -14..-3 -> NONE, -2..+11 -> STANDARD, +12..+14 -> NONE (entry d + 14).
    c.window.days_since_onset_to_infectiousness.fill(Infectiousness::kNone);
    for (int d = -2; d <= 11; ++d) {
        c.window.days_since_onset_to_infectiousness[static_cast<size_t>(d + 14)] =
            Infectiousness::kStandard;
    }
    c.window.infectiousness_when_missing = Infectiousness::kStandard;
    c.window.report_type_when_missing = ReportType::kConfirmedTest;
    c.notify_score_sum = 900;  // minimumRiskScore: the app's per-day scoreSum threshold
    c.notify_report_type.reset();
    return c;
}

// A duration rule as tested in the field studies (data/datasets/README.md, "Rules to
// apply"): full weight up to `full_db`, half weight up to `half_db`, nothing beyond, and a
// notification at 15 weighted minutes in a UTC day, whatever the report type.
RiskConfig DurationRule(std::string name, int full_db, int half_db) {
    RiskConfig c;
    c.preset = std::move(name);
    c.daily.attenuation_thresholds_db = {full_db, half_db, half_db};
    c.daily.attenuation_weights = {1.0, 0.5, 0.0, 0.0};
    c.daily.report_type_weights = {0, 1.0, 1.0, 1.0, 0, 0};
    c.daily.infectiousness_weights = {0, 1.0, 1.0};
    c.daily.days_since_exposure_threshold = 14;
    c.window.report_type_when_missing = ReportType::kConfirmedClinicalDiagnosis;
    c.notify_score_sum = 15 * 60;
    c.notify_report_type.reset();
    return c;
}

// Jejak's default (docs/efficacy.md): aimed at the common close-contact definition, 15
// minutes within about 2 m, for continuous boxes and duty-cycled tokens alike, chosen with
// `jejak eval` on the copied public recordings under out-of-sample calibration. 12 credited
// minutes because receptions are lost (a box hears 70-100% of the 30-s windows, a token one
// 4-s scan in 4-5 minutes). The weight is 1, so no day notifies with less than 12 credited
// minutes at <= 55 dB.
RiskConfig CloseContact() {
    RiskConfig c = DurationRule(std::string(kDefaultRiskPreset), kCloseBorderDb, kCloseBorderDb);
    c.notify_score_sum = kCloseMinutes * 60;
    return c;
}

Result<double> Weight(const nlohmann::json& v, const std::string& what) {
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > kMaxWeight) {
        return Status::InvalidArgument("risk." + what + ": number 0..2.5");
    }
    return v.get<double>();
}

Result<ReportType> ParseReportType(const nlohmann::json& v, const std::string& what) {
    if (v.is_string()) {
        for (int i = 1; i < kReportTypeCount; ++i) {
            if (v.get<std::string>() == kReportTypeNames[i]) return static_cast<ReportType>(i);
        }
    } else if (v.is_number_integer() && v.get<int>() >= 1 && v.get<int>() < kReportTypeCount) {
        return static_cast<ReportType>(v.get<int>());
    }
    return Status::InvalidArgument("risk." + what + ": a report type name or 1..5");
}

Result<Infectiousness> ParseInfectiousness(const nlohmann::json& v, const std::string& what) {
    if (v == "none" || v == 0) return Infectiousness::kNone;
    if (v == "standard" || v == 1) return Infectiousness::kStandard;
    if (v == "high" || v == 2) return Infectiousness::kHigh;
    return Status::InvalidArgument("risk." + what + ": none, standard or high");
}

Status ParseAttenuation(const nlohmann::json& s, DailySummariesConfig& d) {
    if (auto it = s.find("attenuation_bucket_thresholds_db"); it != s.end()) {
        if (!it->is_array() || it->size() != 3) {
            return Status::InvalidArgument("risk.attenuation_bucket_thresholds_db: 3 integers");
        }
        for (size_t i = 0; i < 3; ++i) {
            const auto& v = (*it)[i];
            if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > 255 ||
                (i > 0 && v.get<int>() < d.attenuation_thresholds_db[i - 1])) {
                return Status::InvalidArgument(
                    "risk.attenuation_bucket_thresholds_db: increasing integers 0..255");
            }
            d.attenuation_thresholds_db[i] = v.get<int>();
        }
    }
    if (auto it = s.find("attenuation_bucket_weights"); it != s.end()) {
        if (!it->is_array() || it->size() != 4) {
            return Status::InvalidArgument("risk.attenuation_bucket_weights: 4 numbers");
        }
        for (size_t i = 0; i < 4; ++i) {
            JEJAK_ASSIGN_OR_RETURN(d.attenuation_weights[i],
                                   Weight((*it)[i], "attenuation_bucket_weights"));
        }
    }
    return Status::Ok();
}

Status ParseWeights(const nlohmann::json& s, DailySummariesConfig& d) {
    if (auto it = s.find("report_type_weights"); it != s.end()) {
        if (!it->is_object()) return Status::InvalidArgument("risk.report_type_weights: object");
        for (const auto& [name, value] : it->items()) {
            JEJAK_ASSIGN_OR_RETURN(ReportType t, ParseReportType(name, "report_type_weights"));
            JEJAK_ASSIGN_OR_RETURN(d.report_type_weights[static_cast<size_t>(t)],
                                   Weight(value, "report_type_weights." + name));
        }
    }
    if (auto it = s.find("infectiousness_weights"); it != s.end()) {
        if (!it->is_object()) return Status::InvalidArgument("risk.infectiousness_weights: object");
        for (const auto& [name, value] : it->items()) {
            JEJAK_ASSIGN_OR_RETURN(Infectiousness i,
                                   ParseInfectiousness(name, "infectiousness_weights"));
            JEJAK_ASSIGN_OR_RETURN(d.infectiousness_weights[static_cast<size_t>(i)],
                                   Weight(value, "infectiousness_weights." + name));
        }
    }
    return Status::Ok();
}

Status ParseMapping(const nlohmann::json& s, WindowConfig& w) {
    if (auto it = s.find("days_since_onset_to_infectiousness"); it != s.end()) {
        if (it->is_string()) {
            JEJAK_ASSIGN_OR_RETURN(auto map, DecodeEnxInfectiousnessMap(it->get<std::string>()));
            w.days_since_onset_to_infectiousness = map.first;
            w.infectiousness_when_missing = map.second;
        } else if (it->is_array() && it->size() == 29) {
            for (size_t i = 0; i < 29; ++i) {
                JEJAK_ASSIGN_OR_RETURN(
                    w.days_since_onset_to_infectiousness[i],
                    ParseInfectiousness((*it)[i], "days_since_onset_to_infectiousness"));
            }
        } else {
            return Status::InvalidArgument(
                "risk.days_since_onset_to_infectiousness: ENX hex string or 29 values");
        }
    }
    if (auto it = s.find("infectiousness_when_days_since_onset_missing"); it != s.end()) {
        JEJAK_ASSIGN_OR_RETURN(
            w.infectiousness_when_missing,
            ParseInfectiousness(*it, "infectiousness_when_days_since_onset_missing"));
    }
    if (auto it = s.find("report_type_when_missing"); it != s.end()) {
        JEJAK_ASSIGN_OR_RETURN(w.report_type_when_missing,
                               ParseReportType(*it, "report_type_when_missing"));
    }
    return Status::Ok();
}

Status ParseThresholds(const nlohmann::json& s, RiskConfig& c) {
    if (auto it = s.find("days_since_exposure_threshold"); it != s.end()) {
        if (!it->is_number_integer() || *it < 0 || *it > 365) {
            return Status::InvalidArgument("risk.days_since_exposure_threshold: integer 0..365");
        }
        c.daily.days_since_exposure_threshold = it->get<int>();
    }
    if (auto it = s.find("minimum_window_score"); it != s.end()) {
        if (!it->is_number() || *it < 0) {
            return Status::InvalidArgument("risk.minimum_window_score: number >= 0");
        }
        c.daily.minimum_window_score = it->get<double>();
    }
    if (auto it = s.find("allow_recursive"); it != s.end()) {
        if (!it->is_boolean()) return Status::InvalidArgument("risk.allow_recursive: boolean");
        c.allow_recursive = it->get<bool>();
    }
    if (auto it = s.find("notify_threshold"); it != s.end()) {
        const auto sum = it->is_object() ? it->find("score_sum") : it->end();
        if (sum == it->end() || !sum->is_number() || *sum < 0) {
            return Status::InvalidArgument("risk.notify_threshold.score_sum: number >= 0");
        }
        c.notify_score_sum = sum->get<double>();
        c.notify_report_type.reset();
        if (auto t = it->find("report_type"); t != it->end() && *t != "any") {
            JEJAK_ASSIGN_OR_RETURN(ReportType type,
                                   ParseReportType(*t, "notify_threshold.report_type"));
            c.notify_report_type = type;
        }
    }
    return Status::Ok();
}

}  // namespace

std::span<const std::string_view> RiskPresetNames() { return kPresetNames; }

std::string_view DefaultRiskPresetName() { return kDefaultRiskPreset; }

std::span<const std::string_view> PublishedRiskPresetNames() {
    return std::span(kPresetNames).first(kPublishedPresets);
}

Result<RiskConfig> RiskPreset(std::string_view name) {
    if (name == kDefaultRiskPreset) return CloseContact();
    if (name == "enx-sample") return EnxSample();
    if (name == "nl-coronamelder") return NlCoronaMelder();
    // DP-3T "Exposure Score Calculation" of 27 May 2020, the SwissCovid rule Leith and
    // Farrell applied: <= 50 dB weight 1, <= 55 dB weight 0.5.
    if (name == "swiss-dp3t-2020-05") return DurationRule(std::string(name), 50, 55);
    // The CWA rule Fraunhofer IIS tested in June 2020: near < 55 dB weight 1, 55..< 60 dB
    // weight 0.5 (v1 duration borders 55/60; attenuations are whole dB, so <= 54 and <= 59).
    if (name == "cwa-fraunhofer-2020-06") return DurationRule(std::string(name), 54, 59);
    for (std::string_view known : std::span(kPresetNames).subspan(kPublishedPresets)) {
        if (name == known) {
            return Status::InvalidArgument(
                "risk preset \"" + std::string(name) +
                "\": its values are not in the project's protocol digest (PROTOCOL.md), so "
                "Jejak does not ship them; set every field explicitly with preset \"enx-sample\" "
                "as the base");
        }
    }
    return Status::InvalidArgument("unknown risk preset \"" + std::string(name) + "\"");
}

Result<RiskConfig> ParseRiskConfig(const nlohmann::json& s) {
    if (!s.is_object()) return Status::InvalidArgument("risk: not an object");
    std::string preset(kDefaultRiskPreset);
    if (auto it = s.find("preset"); it != s.end()) {
        if (!it->is_string()) return Status::InvalidArgument("risk.preset: string");
        preset = it->get<std::string>();
    }
    JEJAK_ASSIGN_OR_RETURN(RiskConfig c, RiskPreset(preset));
    JEJAK_RETURN_IF_ERROR(ParseAttenuation(s, c.daily));
    JEJAK_RETURN_IF_ERROR(ParseWeights(s, c.daily));
    JEJAK_RETURN_IF_ERROR(ParseMapping(s, c.window));
    JEJAK_RETURN_IF_ERROR(ParseThresholds(s, c));
    const auto cal = s.find("calibration");
    JEJAK_ASSIGN_OR_RETURN(
        ReceiverCalibration receiver,
        ResolveReceiverCalibration(cal != s.end() ? *cal : nlohmann::json::object()));
    c.window.rssi_correction_db = receiver.rssi_correction_db;
    c.calibration_source = receiver.source;
    if (auto it = s.find("legacy"); it != s.end()) {
        JEJAK_ASSIGN_OR_RETURN(c.legacy, ParseLegacyRiskConfig(*it));
    }
    return c;
}

Result<std::pair<std::array<Infectiousness, 29>, Infectiousness>> DecodeEnxInfectiousnessMap(
    std::string_view hex) {
    if (hex.size() > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    if (hex.empty() || hex.size() > 16) {
        return Status::InvalidArgument("infectiousness map: 1..16 hex digits expected");
    }
    uint64_t bits = 0;
    for (char ch : hex) {
        const int c = std::tolower(static_cast<unsigned char>(ch));
        const int v = std::isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (v < 0) return Status::InvalidArgument("infectiousness map: not a hex string");
        bits = bits << 4 | static_cast<uint64_t>(v);
    }
    std::pair<std::array<Infectiousness, 29>, Infectiousness> out;
    for (int n = 0; n < 30; ++n) {
        const auto v = static_cast<int>((bits >> (2 * n)) & 3);
        if (v == 3)
            return Status::InvalidArgument("infectiousness map: entry value 3 is undefined");
        (n < 29 ? out.first[static_cast<size_t>(n)] : out.second) = static_cast<Infectiousness>(v);
    }
    return out;
}

std::string_view ReportTypeName(ReportType type) {
    const auto i = static_cast<size_t>(type);
    return i < std::size(kReportTypeNames) ? kReportTypeNames[i] : "invalid";
}

std::string_view InfectiousnessName(Infectiousness value) {
    switch (value) {
        case Infectiousness::kNone:
            return "none";
        case Infectiousness::kStandard:
            return "standard";
        case Infectiousness::kHigh:
            return "high";
    }
    return "invalid";
}

}  // namespace jejak
