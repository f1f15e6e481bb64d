// `jejak export inspect`: text and JSON output against the shared vectors, and exit codes
// 0 (parsed/verified), 1 (signature invalid or missing), 2 (unreadable or malformed input).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/test_data.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::RunJejak;
using testing::TestDataPath;

const std::string kSample = TestDataPath("exports/internals_sample_diagnosis_key_file.zip");
const std::string kSamplePem = TestDataPath("exports/internals_partner_key_310-v1.pem");
const std::string kServer = TestDataPath("exports/enserver_testExport-2-records-1-of-1.zip");
const std::string kServerPem = TestDataPath("exports/enserver_examples_export_public.pem");
const std::string kBareBin = TestDataPath("exports/internals_cpp_testdata_export.bin");

bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST_CASE("export inspect prints the header, counts and a verified signature") {
    testing::CliRun run = RunJejak({"export", "inspect", kSample, "--pubkey", kSamplePem});
    CHECK(run.code == 0);
    CHECK(run.err.empty());
    CHECK(Has(run.out, "start_timestamp: 1593633600 (2020-07-01T20:00:00Z)\n"));
    CHECK(Has(run.out, "end_timestamp: 1593633900 (2020-07-01T20:05:00Z)\n"));
    CHECK(Has(run.out, "region: US\n"));
    CHECK(Has(run.out, "batch: 1 of 1\n"));
    CHECK(Has(run.out,
              "signature_info: key id \"310\" version \"v1\" algorithm "
              "\"1.2.840.10045.4.3.2\"\n"));
    CHECK(Has(run.out, "keys: 140\nrevised_keys: 0\n"));
    CHECK(Has(run.out, "signature: valid\n"));
}

TEST_CASE("export inspect without --pubkey parses but does not check the signature") {
    testing::CliRun run = RunJejak({"export", "inspect", kServer});
    CHECK(run.code == 0);
    CHECK(Has(run.out, "keys: 2\n"));
    CHECK(Has(run.out, "signature: not checked\n"));
}

TEST_CASE("export inspect --json matches the independent decode key for key") {
    testing::CliRun run = RunJejak({"export", "inspect", "--json", kBareBin});
    REQUIRE(run.code == 0);
    const nlohmann::json j = nlohmann::json::parse(run.out);
    std::ifstream in(TestDataPath("exports/internals_cpp_testdata_export.decoded.json"));
    const nlohmann::json expected = nlohmann::json::parse(in);
    CHECK(j.at("file") == kBareBin);
    CHECK(j.at("start_timestamp") == expected.at("start_timestamp"));
    CHECK(j.at("end_timestamp") == expected.at("end_timestamp"));
    CHECK(j.at("region") == "US");
    CHECK(j.at("key_count") == 200);
    CHECK(j.at("revised_key_count") == 0);
    CHECK(j.at("signature") == "not checked");
    CHECK(j.at("signatures").empty());
    REQUIRE(j.at("keys").size() == expected.at("keys").size());
    for (size_t i = 0; i < j.at("keys").size(); ++i) {
        const nlohmann::json& k = j.at("keys")[i];
        const nlohmann::json& e = expected.at("keys")[i];
        CAPTURE(i);
        CHECK(k.at("key") == e.at("key_data_base64"));
        CHECK(k.at("rolling_start_interval_number") == e.at("rolling_start_interval_number"));
        CHECK(k.at("rolling_period") == e.value("rolling_period", 144));
        CHECK(k.at("transmission_risk_level") == e.at("transmission_risk_level"));
        CHECK_FALSE(k.contains("report_type"));
        CHECK_FALSE(k.contains("days_since_onset_of_symptoms"));
    }
}

TEST_CASE("export inspect --json shows report type and days since onset when present") {
    testing::ScratchDir dir("cli-export");
    testing::Bytes key = testing::KeyMessage(3);
    testing::PutInt(key, 5, 1);
    testing::PutInt(key, 6, 27);  // zigzag 27 = -14
    testing::WriteFile(dir.File("e.bin"), testing::ExportBin({key}));
    testing::CliRun run = RunJejak({"export", "inspect", "--json", dir.File("e.bin")});
    REQUIRE(run.code == 0);
    const nlohmann::json k = nlohmann::json::parse(run.out).at("keys").at(0);
    CHECK(k.at("report_type") == 1);
    CHECK(k.at("days_since_onset_of_symptoms") == -14);
    CHECK(k.at("key") == "AwAAAAAAAAAAAAAAAAAAAA==");
}

TEST_CASE("export inspect exits 1 for a wrong key or a missing signature, still printing") {
    testing::CliRun wrong = RunJejak({"export", "inspect", kSample, "--pubkey", kServerPem});
    CHECK(wrong.code == 1);
    CHECK(Has(wrong.out, "keys: 140\n"));
    CHECK(Has(wrong.out,
              "signature: invalid (signature by key id \"310\" version \"v1\" does "
              "not verify)\n"));
    CHECK(wrong.err == "jejak: " + kSample +
                           ": signature invalid: signature by key id \"310\" "
                           "version \"v1\" does not verify\n");

    testing::CliRun bare =
        RunJejak({"export", "inspect", "--json", kBareBin, "--pubkey", kSamplePem});
    CHECK(bare.code == 1);
    CHECK(nlohmann::json::parse(bare.out).at("signature") == "missing");
    CHECK(Has(bare.err, "signature missing: no export.sig"));
}

TEST_CASE("export inspect exits 2 for malformed, missing or unreadable input") {
    testing::ScratchDir dir("cli-export");
    auto bin = testing::ReadFile(kBareBin);
    bin.resize(bin.size() - 3);
    testing::WriteFile(dir.File("cut.bin"), bin);
    testing::CliRun cut = RunJejak({"export", "inspect", dir.File("cut.bin")});
    CHECK(cut.code == 2);
    CHECK(cut.out.empty());
    CHECK(Has(cut.err, "jejak: " + dir.File("cut.bin") + ": export.bin: "));

    testing::CliRun missing = RunJejak({"export", "inspect", dir.File("nope.zip")});
    CHECK(missing.code == 2);
    CHECK(Has(missing.err, "cannot open " + dir.File("nope.zip")));

    testing::CliRun bad_pem = RunJejak({"export", "inspect", kSample, "--pubkey", kBareBin});
    CHECK(bad_pem.code == 2);
    CHECK(Has(bad_pem.err, "--pubkey: "));

    testing::CliRun no_file = RunJejak({"export", "inspect"});
    CHECK(no_file.code == 2);
}

}  // namespace
}  // namespace jejak
