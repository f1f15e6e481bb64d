// `jejak match` and `jejak status` end to end: a real encrypted store in a scratch state
// directory holding sightings of yesterday, an export file signed with a key made by the
// openssl command-line tool for the test, the ENX sample scoring and a recording hook.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/cli/cli.h"
#include "agent/diagnosis/export_verify.h"
#include "agent/check/match_report.h"
#include "tests/agent/cli/cli_test_util.h"
#include "tests/agent/diagnosis/export_test_util.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"

namespace jejak {
namespace {

using testing::Bytes;
using testing::RunJejak;

std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Fixture {
    testing::ScratchDir dir{"match-cli"};
    Tek tek;
    EnIntervalNumber rolling_start = 0;  // yesterday 00:00 UTC
    std::string config;
    std::string zip;

    Fixture() {
        for (size_t i = 0; i < 16; ++i) tek.mutable_bytes()[i] = static_cast<uint8_t>(0xA0 + i);
        const int64_t now = std::time(nullptr);
        rolling_start = RollingStartOf(static_cast<EnIntervalNumber>(now / 600)) - kTekRollingPeriod;
        FillStore();
        WriteSignedExport();
        config = dir.File("config.json");
        const nlohmann::json cfg = {
            {"diagnosis", {{"public_keys", {{{"key_id", "test"}, {"key_version", "v1"},
                                             {"pem_file", dir.File("pub.pem")}}}}}},
            {"risk", {{"preset", "enx-sample"}, {"calibration", {{"rssi_correction_db", 0}}}}},
            {"notify", {{"command", {HookScript(), "--flag"}}, {"timeout_seconds", 10}}}};
        std::ofstream(config) << cfg.dump();
    }

    // Nine scans 5 minutes apart from 10:00 UTC yesterday, each of the RPI current at the
    // time, TX -20 dBm, RSSI -60: attenuation 40 ("near", x1.0), previous scan ended 280 s
    // before (-> 300 s). Windows: scans 0..5 (start + 0..1500 s) and 6..8 (>= 30 min):
    // 9 x 300 s = 2700 weighted seconds of CONFIRMED_TEST, exactly ENX's threshold.
    void FillStore() {
        SystemClock clock;
        SqliteStoreOptions o;
        o.state_dir = dir.path().string();
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        const int64_t t0 = int64_t{rolling_start} * 600 + 36000;
        std::vector<Sighting> sightings;
        for (int k = 0; k < 9; ++k) {
            Sighting s;
            s.first_seen_unix_s = t0 + 300 * k;
            s.last_seen_unix_s = s.first_seen_unix_s + 2;
            s.rpi = *DeriveRpi(DeriveRpik(tek), static_cast<EnIntervalNumber>(s.first_seen_unix_s / 600));
            s.aem = *CryptMetadata(DeriveAemk(tek), s.rpi, *EncodeMetadata(Metadata::V10(-20)));
            s.min_rssi = s.max_rssi = -60;
            s.mean_rssi = -60;
            s.count = 2;
            s.seconds_since_previous_scan = 280;
            sightings.push_back(s);
        }
        REQUIRE((*store)->AddSightings(sightings).ok());
        REQUIRE((*store)->Close().ok());
    }

    std::string HookScript() {
        const std::string path = dir.File("hook.sh");
        std::ofstream(path) << "#!/bin/sh\ncat > '" << dir.File("hook-stdin.json") << "'\n";
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
        return path;
    }

    void WriteSignedExport() {
        Bytes key;
        testing::PutBytes(key, 1, Bytes(tek.bytes().begin(), tek.bytes().end()));
        testing::PutInt(key, 2, 2);
        testing::PutInt(key, 3, rolling_start);
        testing::PutInt(key, 5, 1);  // CONFIRMED_TEST
        const Bytes bin = testing::ExportBin({testing::KeyMessage(7), key, testing::KeyMessage(9)});
        testing::WriteFile(dir.File("export.bin"), bin);
        const std::string q = "'" + dir.path().string() + "/";
        const std::string cmd =
            "openssl ecparam -name prime256v1 -genkey -noout -out " + q + "key.pem' 2>/dev/null && "
            "openssl ec -in " + q + "key.pem' -pubout -out " + q + "pub.pem' 2>/dev/null && "
            "openssl dgst -sha256 -sign " + q + "key.pem' -out " + q + "sig.der' " + q + "export.bin'";
        REQUIRE(std::system(cmd.c_str()) == 0);
        Bytes info, signature, list;
        testing::PutBytes(info, 3, Bytes{'v', '1'});
        testing::PutBytes(info, 4, Bytes{'t', 'e', 's', 't'});
        const std::string oid = kEcdsaP256Sha256Oid;
        testing::PutBytes(info, 5, Bytes(oid.begin(), oid.end()));
        testing::PutBytes(signature, 1, info);
        testing::PutInt(signature, 2, 1);
        testing::PutInt(signature, 3, 1);
        testing::PutBytes(signature, 4, testing::ReadFile(dir.File("sig.der")));
        testing::PutBytes(list, 1, signature);
        zip = dir.File("export.zip");
        REQUIRE(testing::WriteZip(zip, {{"export.bin", bin}, {"export.sig", list}}));
    }

    testing::CliRun Jejak(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--state-dir", dir.path().string(), "--config", config});
        return RunJejak(args);
    }
};

TEST_CASE("jejak match finds the planted exposure, notifies, records it, and status shows it") {
    Fixture f;
    auto run = f.Jejak({"match", "--keys", f.zip, "--json"});
    INFO(run.err);
    REQUIRE(run.code == kExitOk);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["keys"] == 3);
    CHECK(j["matched_keys"] == 1);
    CHECK(j["exposure_windows"] == 2);
    CHECK(j["sightings"]["accepted"] == 9);
    REQUIRE(j["daily_summaries"].size() == 1);
    CHECK(j["daily_summaries"][0]["score_sum"].get<double>() == doctest::Approx(2700));
    CHECK(j["daily_summaries"][0]["date"] == UtcDate(DayOfInterval(f.rolling_start)));
    CHECK(j["notify"] == true);
    CHECK(j["exposure_score"].get<double>() == doctest::Approx(2700));
    CHECK(j["hook"]["ok"] == true);
    CHECK(run.out.find("a0a1a2a3") == std::string::npos);  // no key bytes anywhere

    // The hook read the same summary on stdin.
    const auto hook_input = nlohmann::json::parse(ReadText(f.dir.File("hook-stdin.json")));
    CHECK(hook_input["notify"] == true);
    CHECK(hook_input["exposure_date"] == j["exposure_date"]);

    auto status = f.Jejak({"status", "--json"});
    REQUIRE(status.code == kExitOk);
    CHECK(nlohmann::json::parse(status.out)["checked_at"] == j["checked_at"]);
    auto text = f.Jejak({"status"});
    CHECK(text.out.find("EXPOSED: " + j["exposure_date"].get<std::string>()) != std::string::npos);
    // status reads the scores back from the store, not from the clear file.
    const auto full = nlohmann::json::parse(status.out);
    CHECK(full["daily_summaries"] == j["daily_summaries"]);
    CHECK(full["exposure_score"] == j["exposure_score"]);
    CHECK(full["hook"]["ok"] == true);

    // The clear status file holds the decision and the sealed row only: no scores, dates,
    // windows or counts.
    const std::string clear_text = ReadText(f.dir.File(kStatusFileName));
    const auto clear = nlohmann::json::parse(clear_text);
    CHECK(clear["notify"] == true);
    CHECK(clear["checked_at"] == j["checked_at"]);
    CHECK(clear["store_row"].is_number_integer());
    for (const char* field : {"daily_summaries", "exposure_score", "exposure_date",
                              "exposure_windows", "sightings", "matched_keys", "exposed_keys",
                              "keys", "threshold"}) {
        CHECK_FALSE(clear.contains(field));
    }
    CHECK(clear_text.find("2700") == std::string::npos);
    CHECK(clear_text.find(j["exposure_date"].get<std::string>()) == std::string::npos);
    CHECK(clear_text.find("score") == std::string::npos);

    // The result is also sealed in the store.
    SystemClock clock;
    SqliteStoreOptions o;
    o.state_dir = f.dir.path().string();
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    int checks = 0;
    auto read = (*store)->ForEachExposureCheck(DayRange::All(), [&](int64_t, const ExposureCheckResult& r) {
        ++checks;
        CHECK(nlohmann::json::parse(r.payload)["notify"] == true);
    });
    REQUIRE(read.ok());
    CHECK(checks == 1);
}

TEST_CASE("jejak status fails when the status file names a result the store does not hold") {
    Fixture f;
    REQUIRE(f.Jejak({"match", "--keys", f.zip}).code == kExitOk);
    const std::string path = f.dir.File(kStatusFileName);
    auto clear = nlohmann::json::parse(ReadText(path));
    clear["store_row"] = clear["store_row"].get<int64_t>() + 1;
    std::ofstream(path) << clear.dump();
    auto status = f.Jejak({"status"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err.find("no longer in the store") != std::string::npos);
    std::ofstream(path) << R"({"checked_at": 5})";
    CHECK(f.Jejak({"status", "--json"}).code == kExitFailure);
}

TEST_CASE("jejak match refuses tampered or unverifiable files and records nothing") {
    Fixture f;
    Bytes bin = testing::ReadFile(f.dir.File("export.bin"));
    bin[bin.size() - 1] ^= 0x01;
    testing::WriteZip(f.dir.File("bad.zip"), {{"export.bin", bin}, {"export.sig", {}}});
    auto run = f.Jejak({"match", "--keys", f.dir.File("bad.zip")});
    CHECK(run.code == kExitFailure);
    CHECK(run.err.find("bad.zip") != std::string::npos);
    CHECK(f.Jejak({"status"}).code == kExitFailure);

    // Unknown signing key: the shared sample file is signed by another key.
    const std::string other = std::string(JEJAK_TEST_DATA_DIR) +
                              "/exports/internals_sample_diagnosis_key_file.zip";
    CHECK(f.Jejak({"match", "--keys", other}).code == kExitFailure);
    CHECK(f.Jejak({"match"}).code == kExitUsage);
}

TEST_CASE("jejak match below the threshold does not run the hook; status without checks fails") {
    Fixture f;
    std::ofstream(f.config) << nlohmann::json{
        {"diagnosis", {{"public_keys", {{{"key_id", "test"}, {"key_version", "v1"},
                                         {"pem_file", f.dir.File("pub.pem")}}}}}},
        {"risk", {{"calibration", {{"rssi_correction_db", 0}}},
                  {"notify_threshold", {{"score_sum", 2701}}}}},
        {"notify", {{"command", {f.dir.File("hook.sh")}}}}}.dump();
    auto run = f.Jejak({"match", "--keys", f.zip});
    INFO(run.err);
    REQUIRE(run.code == kExitOk);
    CHECK(run.out.find("no exposure above the threshold") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(f.dir.File("hook-stdin.json")));

    testing::ScratchDir empty("match-empty");
    auto status = RunJejak({"--state-dir", empty.path().string(), "status"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err.find("no exposure check has run yet") != std::string::npos);
}

TEST_CASE("jejak match adds legacy v1 scores when risk.legacy is configured") {
    Fixture f;
    const nlohmann::json legacy = {{"attenuation_scores", {1, 2, 3, 4, 5, 6, 7, 8}},
                                   {"days_since_last_exposure_scores", {8, 7, 6, 5, 4, 3, 2, 1}},
                                   {"duration_scores", {0, 1, 2, 3, 4, 5, 6, 8}},
                                   {"transmission_risk_scores", {1, 2, 3, 4, 5, 6, 7, 8}}};
    nlohmann::json cfg = nlohmann::json::parse(ReadText(f.config));
    cfg["risk"]["legacy"] = legacy;
    std::ofstream(f.config) << cfg.dump();
    auto run = f.Jejak({"match", "--keys", f.zip, "--json"});
    INFO(run.err);
    REQUIRE(run.code == kExitOk);
    const auto j = nlohmann::json::parse(run.out)["legacy_v1"];
    // By hand: attenuation 40 dB -> bucket 3 (score 4); last window yesterday, 1 day ->
    // bucket 7 (1); 9 scans x 300 s = 45 min -> bucket 7 (8); TR 2 -> 2. 4 x 1 x 8 x 2 = 64.
    REQUIRE(j["risk_scores"].size() == 1);
    CHECK(j["risk_scores"][0] == 64);
    CHECK(j["maximum_risk_score"] == 64);
    // All 2700 s below the default 50 dB low threshold.
    CHECK(j["attenuation_durations_s"] == nlohmann::json::array({2700, 0, 0}));

    cfg["risk"]["legacy"]["duration_scores"][2] = 9;
    std::ofstream(f.config) << cfg.dump();
    auto bad = f.Jejak({"match", "--keys", f.zip});
    CHECK(bad.code == kExitUsage);
    CHECK(bad.err.find("duration_scores") != std::string::npos);
}

TEST_CASE("jejak match rejects a bad risk config with a usage error") {
    Fixture f;
    std::ofstream(f.config) << R"({"risk": {"preset": "swisscovid"}})";
    auto run = f.Jejak({"match", "--keys", f.zip});
    CHECK(run.code == kExitUsage);
    CHECK(run.err.find("swisscovid") != std::string::npos);
}

}  // namespace
}  // namespace jejak
