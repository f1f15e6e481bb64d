// Golden tests: every export file in tests/data/exports parses to its *.decoded.json (made by
// an independent decoder) and the signed ones verify with their published PEM keys.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "gaen/export/export_file.h"
#include "gaen/export/export_verify.h"
#include "platform/base/hex.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

nlohmann::json ReadJson(const std::string& relative) {
    std::ifstream in(testing::TestDataPath(relative));
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

void CheckKeys(const std::vector<DiagnosisKey>& keys, const nlohmann::json& expected) {
    REQUIRE(keys.size() == expected.size());
    for (size_t i = 0; i < keys.size(); ++i) {
        CAPTURE(i);
        const nlohmann::json& e = expected[i];
        CHECK(HexEncode(keys[i].key.bytes()) == e.at("key_data").get<std::string>());
        CHECK(keys[i].rolling_start_interval_number ==
              e.value("rolling_start_interval_number", 0u));
        CHECK(keys[i].rolling_period == e.value("rolling_period", 144u));
        CHECK(keys[i].transmission_risk_level == e.value("transmission_risk_level", 0));
        CHECK(keys[i].report_type.has_value() == e.contains("report_type"));
        if (e.contains("report_type")) {
            CHECK(static_cast<int>(*keys[i].report_type) == e.at("report_type").get<int>());
        }
        CHECK(keys[i].days_since_onset_of_symptoms.has_value() ==
              e.contains("days_since_onset_of_symptoms"));
        if (e.contains("days_since_onset_of_symptoms")) {
            CHECK(*keys[i].days_since_onset_of_symptoms ==
                  e.at("days_since_onset_of_symptoms").get<int>());
        }
    }
}

void CheckInfo(const ExportSignatureInfo& info, const nlohmann::json& e) {
    CHECK(info.verification_key_id == e.value("verification_key_id", ""));
    CHECK(info.verification_key_version == e.value("verification_key_version", ""));
    CHECK(info.signature_algorithm == e.value("signature_algorithm", ""));
}

void CheckHeader(const ExportHeader& h, const nlohmann::json& e) {
    CHECK(h.start_timestamp == e.at("start_timestamp").get<uint64_t>());
    CHECK(h.end_timestamp == e.at("end_timestamp").get<uint64_t>());
    CHECK(h.region == e.at("region").get<std::string>());
    CHECK(h.batch_num == e.at("batch_num").get<int>());
    CHECK(h.batch_size == e.at("batch_size").get<int>());
    REQUIRE(h.signature_infos.size() == e.at("signature_infos").size());
    for (size_t i = 0; i < h.signature_infos.size(); ++i) {
        CheckInfo(h.signature_infos[i], e.at("signature_infos")[i]);
    }
}

TEST_CASE("every export file in the manifest parses to its independent decode") {
    const nlohmann::json manifest = ReadJson("exports/manifest.json");
    REQUIRE(manifest.size() == 3);
    for (const nlohmann::json& entry : manifest) {
        const std::string file = entry.at("file").get<std::string>();
        CAPTURE(file);
        const nlohmann::json decoded =
            ReadJson("exports/" + entry.at("decoded_json").get<std::string>());
        Result<LoadedExport> loaded = LoadExport(testing::TestDataPath("exports/" + file));
        REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
        CheckHeader(loaded->file.header, decoded);
        CheckKeys(loaded->file.keys, decoded.at("keys"));
        CheckKeys(loaded->file.revised_keys,
                  decoded.value("revised_keys", nlohmann::json::array()));
        CHECK(loaded->summary.key_count == entry.at("num_keys").get<size_t>());
        CHECK(loaded->summary.revised_key_count == entry.at("num_revised_keys").get<size_t>());
        CHECK(loaded->summary.verdict.check == SignatureCheck::kNotChecked);
        const nlohmann::json sigs = decoded.value("tek_signature_list", nlohmann::json::array());
        REQUIRE(loaded->summary.signatures.size() == sigs.size());
        for (size_t i = 0; i < sigs.size(); ++i) {
            const ExportSignature& s = loaded->summary.signatures[i];
            CheckInfo(s.info, sigs[i].at("signature_info"));
            CHECK(s.batch_num == sigs[i].at("batch_num").get<int>());
            CHECK(s.batch_size == sigs[i].at("batch_size").get<int>());
            CHECK(HexEncode(s.signature) == sigs[i].at("signature").get<std::string>());
        }
    }
}

TEST_CASE("signed exports verify with the key named by their signature info") {
    const nlohmann::json manifest = ReadJson("exports/manifest.json");
    size_t checked = 0;
    for (const nlohmann::json& entry : manifest) {
        if (!entry.contains("verified_with")) continue;
        const std::string file = entry.at("file").get<std::string>();
        CAPTURE(file);
        const nlohmann::json& info = entry.at("signature_infos")[0];
        ExportKeyRing ring;
        REQUIRE(ring.AddPemFile(
                        info.at("verification_key_id").get<std::string>(),
                        info.at("verification_key_version").get<std::string>(),
                        testing::TestDataPath(
                            "exports/" + entry.at("verified_with")[0].at("pem").get<std::string>()))
                    .ok());
        ExportReadOptions options;
        options.ring = &ring;
        options.require_valid_signature = true;
        Result<LoadedExport> loaded = LoadExport(testing::TestDataPath("exports/" + file), options);
        REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
        CHECK(loaded->summary.verdict.check == SignatureCheck::kValid);
        ++checked;
    }
    CHECK(checked == 2);
}

TEST_CASE("the streaming reader visits the same keys as the whole-file reader") {
    const std::string path = testing::TestDataPath("exports/internals_cpp_testdata_export.bin");
    Result<LoadedExport> loaded = LoadExport(path);
    REQUIRE(loaded.ok());
    size_t i = 0;
    bool same = true;
    Result<ExportSummary> summary =
        VisitExport(path, {}, [&](const DiagnosisKey& key, KeyList list) {
            same = same && list == KeyList::kKeys && key.key == loaded->file.keys[i].key &&
                   key.rolling_period == loaded->file.keys[i].rolling_period;
            ++i;
            return Status::Ok();
        });
    REQUIRE(summary.ok());
    CHECK(same);
    CHECK(i == 200);
    CHECK(summary->key_count == 200);
    CHECK(summary->header.region == "US");
}

}  // namespace
}  // namespace jejak
