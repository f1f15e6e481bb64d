// Rendering parsed exports as JSON and text.
#include "gaen/export/export_json.h"

#include <ctime>

#include "platform/base/civil_date.h"

namespace jejak {
namespace {

// A timestamp from the file: untrusted, so absurd values print as "?".
std::string UtcTime(uint64_t seconds) {
    return seconds < (uint64_t{1} << 40) ? IsoUtcSeconds(static_cast<int64_t>(seconds)) : "?";
}

// Strings from the file are untrusted: keep terminal control bytes out of text output.
std::string Printable(const std::string& s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
    }
    return out;
}

nlohmann::json InfoToJson(const ExportSignatureInfo& info) {
    return {{"verification_key_id", info.verification_key_id},
            {"verification_key_version", info.verification_key_version},
            {"signature_algorithm", info.signature_algorithm}};
}

nlohmann::json KeysToJson(const std::vector<DiagnosisKey>& keys) {
    nlohmann::json out = nlohmann::json::array();
    for (const DiagnosisKey& k : keys) out.push_back(DiagnosisKeyToJson(k));
    return out;
}

}  // namespace

nlohmann::json DiagnosisKeyToJson(const DiagnosisKey& key) {
    nlohmann::json j = {{"key", Base64Encode(key.key.bytes())},
                        {"rolling_start_interval_number", key.rolling_start_interval_number},
                        {"rolling_period", key.rolling_period},
                        {"transmission_risk_level", key.transmission_risk_level}};
    if (key.report_type) j["report_type"] = static_cast<int32_t>(*key.report_type);
    if (key.days_since_onset_of_symptoms) {
        j["days_since_onset_of_symptoms"] = *key.days_since_onset_of_symptoms;
    }
    return j;
}

nlohmann::json ExportToJson(const std::string& path, const ExportSummary& summary,
                            const ExportFile* file) {
    const ExportHeader& h = summary.header;
    nlohmann::json j = {{"file", path},
                        {"start_timestamp", h.start_timestamp},
                        {"end_timestamp", h.end_timestamp},
                        {"start_unix", h.start_timestamp},
                        {"end_unix", h.end_timestamp},
                        {"region", h.region},
                        {"batch_num", h.batch_num},
                        {"batch_size", h.batch_size},
                        {"signature_infos", nlohmann::json::array()},
                        {"signatures", nlohmann::json::array()},
                        {"key_count", summary.key_count},
                        {"revised_key_count", summary.revised_key_count},
                        {"signature", SignatureCheckName(summary.verdict.check)}};
    for (const auto& info : h.signature_infos) j["signature_infos"].push_back(InfoToJson(info));
    for (const auto& s : summary.signatures) {
        nlohmann::json sj = InfoToJson(s.info);
        sj["batch_num"] = s.batch_num;
        sj["batch_size"] = s.batch_size;
        sj["signature"] = Base64Encode(s.signature);
        j["signatures"].push_back(sj);
    }
    if (!summary.verdict.reason.empty()) j["signature_reason"] = summary.verdict.reason;
    if (file != nullptr) {
        j["keys"] = KeysToJson(file->keys);
        j["revised_keys"] = KeysToJson(file->revised_keys);
    }
    return j;
}

void PrintExportSummary(std::ostream& out, const std::string& path, const ExportSummary& s) {
    const ExportHeader& h = s.header;
    out << "file: " << path << "\n"
        << "start_timestamp: " << h.start_timestamp << " (" << UtcTime(h.start_timestamp) << ")\n"
        << "end_timestamp: " << h.end_timestamp << " (" << UtcTime(h.end_timestamp) << ")\n"
        << "region: " << Printable(h.region) << "\n"
        << "batch: " << h.batch_num << " of " << h.batch_size << "\n";
    for (const auto& info : h.signature_infos) {
        out << "signature_info: key id \"" << Printable(info.verification_key_id) << "\" version \""
            << Printable(info.verification_key_version) << "\" algorithm \""
            << Printable(info.signature_algorithm) << "\"\n";
    }
    out << "keys: " << s.key_count << "\n"
        << "revised_keys: " << s.revised_key_count << "\n"
        << "signatures: " << s.signatures.size() << "\n"
        << "signature: " << SignatureCheckName(s.verdict.check);
    if (!s.verdict.reason.empty()) out << " (" << Printable(s.verdict.reason) << ")";
    out << "\n";
}

}  // namespace jejak
