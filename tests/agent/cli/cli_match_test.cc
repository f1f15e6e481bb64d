// `jejak match` and `jejak status` end to end: a real encrypted store in a scratch state
// directory holding sightings of yesterday, an export file signed with a key made by the
// openssl command-line tool for the test, the ENX sample scoring and a recording hook.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/cli/cli.h"
#include "gaen/export/export_verify.h"
#include "agent/check/match_report.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "tests/fakes/faulty_vfs.h"
#include "tests/support/scratch_dir.h"

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

    // `clock_ahead_s`: the receiver's clock was that far ahead when it stored the sightings;
    // `skew_minutes`: exposure.max_time_skew_minutes when set.
    explicit Fixture(int64_t clock_ahead_s = 0, std::optional<int> skew_minutes = std::nullopt) {
        for (size_t i = 0; i < 16; ++i) tek.mutable_bytes()[i] = static_cast<uint8_t>(0xA0 + i);
        const int64_t now = std::time(nullptr);
        rolling_start = RollingStartOf(static_cast<EnIntervalNumber>(now / 600)) - kTekRollingPeriod;
        FillStore(clock_ahead_s);
        WriteSignedExport();
        config = dir.File("config.json");
        nlohmann::json cfg = {
            {"diagnosis", {{"public_keys", {{{"key_id", "test"}, {"key_version", "v1"},
                                             {"pem_file", dir.File("pub.pem")}}}}}},
            {"risk", {{"preset", "enx-sample"}, {"calibration", {{"rssi_correction_db", 0}}}}},
            {"notify", {{"command", {HookScript(), "--flag"}}, {"timeout_seconds", 10}}}};
        if (skew_minutes) cfg["exposure"] = {{"max_time_skew_minutes", *skew_minutes}};
        std::ofstream(config) << cfg.dump();
    }

    // Nine scans 5 minutes apart from 10:00 UTC yesterday, each of the RPI current at the
    // time, TX -20 dBm, RSSI -60: attenuation 40 ("near", x1.0), previous scan ended 280 s
    // before (-> 300 s). Windows: scans 0..5 (start + 0..1500 s) and 6..8 (>= 30 min):
    // 9 x 300 s = 2700 weighted seconds of CONFIRMED_TEST, exactly ENX's threshold.
    void FillStore(int64_t clock_ahead_s) {
        SystemClock clock;
        SqliteStoreOptions o;
        o.state_dir = dir.path().string();
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        const int64_t t0 = int64_t{rolling_start} * 600 + 36000;
        std::vector<Sighting> sightings;
        for (int k = 0; k < 9; ++k) {
            Sighting s;
            const int64_t heard = t0 + 300 * k;
            s.first_seen_unix_s = heard + clock_ahead_s;
            s.last_seen_unix_s = s.first_seen_unix_s + 2;
            s.rpi = *DeriveRpi(DeriveRpik(tek), static_cast<EnIntervalNumber>(heard / 600));
            s.aem = *CryptMetadata(DeriveAemk(tek), s.rpi, *EncodeMetadata(Metadata::V10(-20)));
            s.min_rssi = s.max_rssi = -60;
            s.mean_rssi = -60;
            s.count = 2;
            s.seconds_since_previous_scan = 280;
            sightings.push_back(s);
        }
        if (clock_ahead_s != 0) {
            // Someone else heard at 00:00 of that day: the stored time range spans the day, as
            // on a device that ran all day, so the matcher looks at all of the key's RPIs.
            Sighting other = sightings.front();
            other.rpi.fill(0x5A);
            other.first_seen_unix_s = int64_t{rolling_start} * 600;
            other.last_seen_unix_s = other.first_seen_unix_s + 2;
            sightings.push_back(other);
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
        const std::string q = "'" + dir.path().string() + "/";
        const std::string cmd =
            "openssl ecparam -name prime256v1 -genkey -noout -out " + q + "key.pem' 2>/dev/null && "
            "openssl ec -in " + q + "key.pem' -pubout -out " + q + "pub.pem' 2>/dev/null";
        REQUIRE(std::system(cmd.c_str()) == 0);
        zip = SignedZip("export", bin);
    }

    // The planted TEK with `report_type`, in `keys` (or `revised_keys`) of an export whose
    // header says it covers [start, end).
    Bytes ExportOfPlantedKey(int report_type, uint64_t start, uint64_t end, bool revised) const {
        Bytes key;
        testing::PutBytes(key, 1, Bytes(tek.bytes().begin(), tek.bytes().end()));
        testing::PutInt(key, 2, 2);
        testing::PutInt(key, 3, rolling_start);
        testing::PutInt(key, 5, static_cast<uint64_t>(report_type));
        Bytes bin = testing::ExportBin({});
        for (const auto& [field, value] : {std::pair{1u, start}, std::pair{2u, end}}) {
            testing::PutTag(bin, field, 1);  // fixed64
            for (int i = 0; i < 8; ++i) bin.push_back(static_cast<uint8_t>(value >> (8 * i)));
        }
        testing::PutBytes(bin, revised ? 8 : 7, key);
        return bin;
    }

    // Signs export.bin bytes with the fixture's key into <name>.zip.
    std::string SignedZip(const std::string& name, const Bytes& bin) const {
        testing::WriteFile(dir.File(name + ".bin"), bin);
        const std::string q = "'" + dir.path().string() + "/";
        const std::string cmd = "openssl dgst -sha256 -sign " + q + "key.pem' -out " + q +
                                name + ".sig' " + q + name + ".bin'";
        REQUIRE(std::system(cmd.c_str()) == 0);
        Bytes info, signature, list;
        testing::PutBytes(info, 3, Bytes{'v', '1'});
        testing::PutBytes(info, 4, Bytes{'t', 'e', 's', 't'});
        const std::string oid = kEcdsaP256Sha256Oid;
        testing::PutBytes(info, 5, Bytes(oid.begin(), oid.end()));
        testing::PutBytes(signature, 1, info);
        testing::PutInt(signature, 2, 1);
        testing::PutInt(signature, 3, 1);
        testing::PutBytes(signature, 4, testing::ReadFile(dir.File(name + ".sig")));
        testing::PutBytes(list, 1, signature);
        const std::string path = dir.File(name + ".zip");
        REQUIRE(testing::WriteZip(path, {{"export.bin", bin}, {"export.sig", list}}));
        return path;
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
    CHECK(j["closest_attenuation_db"] == 40);  // TX -20 dBm heard at -60 dBm, no correction
    CHECK(j["sightings"]["accepted"] == 9);
    CHECK(j["sightings"]["drift_rejected"] == 0);
    CHECK(j["sightings"]["systematic_offset"] == false);
    CHECK(j["max_time_skew_minutes"] == 120);
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

    // The device view: no daemon runs here (needs attention, exit 1), the check is shown.
    auto status = f.Jejak({"status", "--json"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err == testing::kDaemonNotRunningError);
    CHECK(nlohmann::json::parse(status.out)["last_check"]["checked_at"] == j["checked_at"]);
    auto text = f.Jejak({"status"});
    CHECK(text.out.find("EXPOSED: " + j["exposure_date"].get<std::string>()) != std::string::npos);
    CHECK(text.out.find("exposure: NOTIFIED for 1 day(s)\n  " +
                        j["exposure_date"].get<std::string>() + "  score_sum=2700") !=
          std::string::npos);
    // status reads the scores back from the store, not from the clear file.
    const auto full = nlohmann::json::parse(status.out)["last_check"];
    CHECK(full["daily_summaries"] == j["daily_summaries"]);
    CHECK(full["exposure_score"] == j["exposure_score"]);
    CHECK(full["hook"]["ok"] == true);

    // Nothing about the decision is written in clear (this guards the old
    // exposure-status.json, which held "notify" and the check time).
    // The agent wrote nothing but the store's own files.
    const std::set<std::string> fixture = {"config.json", "hook.sh",    "hook-stdin.json",
                                           "key.pem",     "pub.pem",    "export.bin",
                                           "export.sig",  "export.zip"};
    for (const auto& e : std::filesystem::directory_iterator(f.dir.path())) {
        const std::string name = e.path().filename().string();
        if (name.rfind("store.db", 0) == 0 || name == "store.keys" || name == "master.key" ||
            fixture.count(name) != 0) {
            continue;
        }
        FAIL_CHECK("unexpected file in the state directory: " << name);
    }

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

TEST_CASE("jejak match on a full disk: one line, exit 1, no hook, nothing recorded; it works once space returns") {
    Fixture f;
    {
        testing::FaultyVfs vfs;
        vfs.Set(testing::FaultyVfs::Fault::kFull);
        auto run = f.Jejak({"match", "--keys", f.zip});
        INFO(run.err);
        CHECK(run.code == kExitFailure);
        CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
        CHECK(run.err.rfind("jejak: ", 0) == 0);
        CHECK(run.err.find("full") != std::string::npos);
        CHECK(run.out.find("EXPOSED") == std::string::npos);
        CHECK_FALSE(std::filesystem::exists(f.dir.File("hook-stdin.json")));
    }
    {
        SystemClock clock;
        SqliteStoreOptions o;
        o.state_dir = f.dir.path().string();
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        int checks = 0, ledger = 0;
        REQUIRE((*store)->ForEachExposureCheck(DayRange::All(), [&](int64_t, const ExposureCheckResult&) {
            ++checks;
        }).ok());
        REQUIRE((*store)->ForEachLedgerRecord(DayRange::All(), [&](int64_t, const LedgerRecord&) {
            ++ledger;
        }).ok());
        CHECK(checks == 0);
        CHECK(ledger == 0);
        auto verify = (*store)->Verify();
        REQUIRE(verify.ok());
        CHECK(verify->problems.empty());
    }
    auto again = f.Jejak({"match", "--keys", f.zip, "--json"});
    INFO(again.err);
    REQUIRE(again.code == kExitOk);
    CHECK(nlohmann::json::parse(again.out)["notify"] == true);
}

// Guards that the decision never reaches stdout of the text form (a service's stdout goes to
// the journal: it printed "EXPOSED: <date>"), and that the sealed result expires with its day
// (the clear status file never expired) and removes a status file older versions left.
TEST_CASE("jejak match: a receiver clock 25 min ahead matches at 120 minutes, not at 15") {
    Fixture wide(25 * 60);
    auto run = wide.Jejak({"match", "--keys", wide.zip, "--json"});
    REQUIRE_MESSAGE(run.code == kExitOk, run.err);
    CHECK(nlohmann::json::parse(run.out)["sightings"]["accepted"] == 9);
    Fixture narrow(25 * 60, 15);
    run = narrow.Jejak({"match", "--keys", narrow.zip, "--json"});
    REQUIRE_MESSAGE(run.code == kExitOk, run.err);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["max_time_skew_minutes"] == 15);
    CHECK(j["sightings"]["accepted"] == 0);
    CHECK(j["notify"] == false);
    // Heard 0 or 5 minutes into its RPI's interval, stored 25 minutes later: 15 min 1 s or
    // 20 min 1 s after the interval's last second.
    CHECK(j["sightings"]["drift_rejected_late"] == 9);
    CHECK(j["sightings"]["systematic_offset"] == true);
}

TEST_CASE("jejak match: an RTC 8 hours ahead (local time in UTC+8) flags a systematic offset") {
    Fixture f(8 * 3600);
    auto run = f.Jejak({"match", "--keys", f.zip, "--json"});
    REQUIRE_MESSAGE(run.code == kExitOk, run.err);
    const auto j = nlohmann::json::parse(run.out);
    CHECK(j["matched_keys"] == 1);  // the key's RPIs were heard...
    CHECK(j["sightings"]["accepted"] == 0);  // ...but all outside its window
    CHECK(j["sightings"]["drift_rejected_late"] == 9);
    CHECK(j["sightings"]["drift_rejected_early"] == 0);
    CHECK(j["sightings"]["systematic_offset"] == true);
    CHECK(run.err.find("jejak: warning: 9 sighting(s) of matched keys lie outside the +-120 min "
                       "window, the device clock ahead of the senders'") != std::string::npos);
}

TEST_CASE("jejak match logs only check done; the sealed result expires with its day") {
    Fixture f;
    std::ofstream(f.dir.File("exposure-status.json")) << R"({"notify": true})";
    auto run = f.Jejak({"match", "--keys", f.zip});
    INFO(run.err);
    REQUIRE(run.code == kExitOk);
    CHECK(run.out == "check done: 1 file(s), 3 keys; `jejak status` shows the result\n");
    CHECK_FALSE(std::filesystem::exists(f.dir.File("exposure-status.json")));
    auto status = f.Jejak({"status"});
    // The device view (exit 1 here: no daemon runs) shows the sealed check's decision.
    CHECK(status.out.find("EXPOSED: ") != std::string::npos);

    // 20 days later the check's day has left the 14-day window: the result is gone.
    ManualClock later((std::time(nullptr) + 20 * 86400) * int64_t{1000000});
    auto expired = testing::RunJejakOn(
        later, {"--state-dir", f.dir.path().string(), "--config", f.config, "status"});
    CHECK(expired.code == kExitFailure);
    CHECK(expired.out.find("EXPOSED") == std::string::npos);
    CHECK(expired.out.find("exposure: none notified") != std::string::npos);
}

// Guards revocation against argument order and across runs: with the key published as
// CONFIRMED_CLINICAL_DIAGNOSIS in one export and revised to REVOKED in a newer one,
// `--keys revoked.zip clinical.zip` reported EXPOSED, and a revocation arriving in a later
// run never retracted an earlier notification.
TEST_CASE("jejak match: a revocation wins whatever the file order and in later runs") {
    auto decision = [](const testing::CliRun& run) {
        INFO(run.err);
        REQUIRE(run.code == kExitOk);
        return nlohmann::json::parse(run.out);
    };
    // CONFIRMED_CLINICAL_DIAGNOSIS weighs less than CONFIRMED_TEST in the ENX sample: lower
    // the threshold so the clinical key alone notifies.
    auto any_score_notifies = [](const Fixture& fx) {
        nlohmann::json cfg = nlohmann::json::parse(ReadText(fx.config));
        cfg["risk"]["notify_threshold"] = {{"score_sum", 1}};
        std::ofstream(fx.config) << cfg.dump();
    };
    for (bool revoked_first : {false, true}) {
        Fixture f;
        any_score_notifies(f);
        const uint64_t t = uint64_t{f.rolling_start} * 600;
        const std::string clinical = f.SignedZip(
            "clinical", f.ExportOfPlantedKey(2, t + 86400, t + 2 * 86400, false));
        const std::string revoked =
            f.SignedZip("revoked", f.ExportOfPlantedKey(5, t + 2 * 86400, t + 3 * 86400, true));
        auto j = decision(revoked_first ? f.Jejak({"match", "--keys", revoked, clinical, "--json"})
                                        : f.Jejak({"match", "--keys", clinical, revoked, "--json"}));
        CAPTURE(revoked_first);
        CHECK(j["notify"] == false);
        CHECK(j["exposed_keys"] == 0);
    }

    Fixture f;
    any_score_notifies(f);
    const uint64_t t = uint64_t{f.rolling_start} * 600;
    const std::string clinical =
        f.SignedZip("clinical", f.ExportOfPlantedKey(2, t + 86400, t + 2 * 86400, false));
    const std::string revoked =
        f.SignedZip("revoked", f.ExportOfPlantedKey(5, t + 2 * 86400, t + 3 * 86400, true));
    CHECK(decision(f.Jejak({"match", "--keys", clinical, "--json"}))["notify"] == true);
    CHECK(nlohmann::json::parse(f.Jejak({"status", "--json"}).out)["exposure"]["notified"] == true);
    std::filesystem::remove(f.dir.File("hook-stdin.json"));
    // The revocation arrives alone: the earlier notification is retracted through the hook.
    auto retract = decision(f.Jejak({"match", "--keys", revoked, "--json"}));
    CHECK(retract["notify"] == false);
    CHECK(retract["retracted_keys"] == 1);
    CHECK(retract["hook"]["ran"] == true);
    CHECK(nlohmann::json::parse(ReadText(f.dir.File("hook-stdin.json")))["retracted_keys"] == 1);
    CHECK(retract["retracted_days"].size() == 1);
    CHECK(retract["newly_notified_days"].empty());
    // The retraction reaches the status: nothing notified stands any more.
    const auto shown = nlohmann::json::parse(f.Jejak({"status", "--json"}).out);
    CHECK(shown["exposure"] ==
          nlohmann::json{{"notified", false}, {"days", nlohmann::json::array()}});
    // The clinical export seen again later: the sealed revocation still holds.
    auto again = decision(f.Jejak({"match", "--keys", clinical, "--json"}));
    CHECK(again["notify"] == false);
    CHECK_FALSE(again.contains("retracted_keys"));
}

TEST_CASE("jejak match refuses tampered or unverifiable files and records nothing") {
    Fixture f;
    Bytes bin = testing::ReadFile(f.dir.File("export.bin"));
    REQUIRE_FALSE(bin.empty());
    bin[bin.size() - 1] ^= 0x01;
    testing::WriteZip(f.dir.File("bad.zip"), {{"export.bin", bin}, {"export.sig", {}}});
    auto run = f.Jejak({"match", "--keys", f.dir.File("bad.zip")});
    CHECK(run.code == kExitFailure);
    CHECK(run.err.find("bad.zip") != std::string::npos);
    // No result is recorded, but the failed check needs attention until one succeeds.
    auto failed = f.Jejak({"status", "--json"});
    CHECK(failed.code == kExitFailure);
    CHECK(failed.err.find("the last exposure check failed at ") != std::string::npos);
    CHECK(failed.err.find("bad.zip") != std::string::npos);
    CHECK(nlohmann::json::parse(failed.out)["last_check"].is_null());

    // Unknown signing key: the shared sample file is signed by another key.
    const std::string other = std::string(JEJAK_TEST_DATA_DIR) +
                              "/exports/internals_sample_diagnosis_key_file.zip";
    const auto unknown = f.Jejak({"match", "--keys", other});
    CHECK(unknown.code == kExitFailure);
    // A key missing from the configuration is named as such, not as a bad signature.
    CHECK(unknown.err.find("signing key not configured: no configured public key for key id "
                           "\"310\"") != std::string::npos);
    CHECK(unknown.err.find("[diagnosis] public_keys") != std::string::npos);
    CHECK(unknown.err.find("signature invalid") == std::string::npos);
    CHECK(f.Jejak({"match"}).code == kExitUsage);
    REQUIRE(f.Jejak({"match", "--keys", f.zip}).code == kExitOk);
    CHECK(f.Jejak({"status"}).err == testing::kDaemonNotRunningError);
}

// A notification whose hook failed is not lost: status needs attention and the next check
// runs the hook again, even though it notifies nothing new.
TEST_CASE("jejak match retries a failed hook at the next check until it succeeds") {
    Fixture f;
    const std::string good = ReadText(f.dir.File("hook.sh"));
    std::ofstream(f.dir.File("hook.sh")) << "#!/bin/sh\ncat > /dev/null\nexit 3\n";
    auto first = f.Jejak({"match", "--keys", f.zip, "--json"});
    REQUIRE_MESSAGE(first.code == kExitOk, first.err);
    CHECK(nlohmann::json::parse(first.out)["hook"]["ok"] == false);
    CHECK(f.Jejak({"status"}).err.find("notification hook failed") != std::string::npos);

    std::ofstream(f.dir.File("hook.sh")) << good;
    auto second = f.Jejak({"match", "--keys", f.zip, "--json"});
    REQUIRE_MESSAGE(second.code == kExitOk, second.err);
    const auto j = nlohmann::json::parse(second.out);
    CHECK(j["newly_notified_days"].empty());
    CHECK(j["hook"]["ok"] == true);
    CHECK(nlohmann::json::parse(ReadText(f.dir.File("hook-stdin.json")))["notify"] == true);
    CHECK(f.Jejak({"status"}).err == testing::kDaemonNotRunningError);

    // Delivered: the next check does not run it again.
    std::filesystem::remove(f.dir.File("hook-stdin.json"));
    auto third = f.Jejak({"match", "--keys", f.zip, "--json"});
    REQUIRE_MESSAGE(third.code == kExitOk, third.err);
    CHECK(nlohmann::json::parse(third.out)["hook"]["ran"] == false);
    CHECK_FALSE(std::filesystem::exists(f.dir.File("hook-stdin.json")));
}

TEST_CASE("jejak match below the threshold does not run the hook; no check yet is no reason") {
    Fixture f;
    std::ofstream(f.config) << nlohmann::json{
        {"diagnosis", {{"public_keys", {{{"key_id", "test"}, {"key_version", "v1"},
                                         {"pem_file", f.dir.File("pub.pem")}}}}}},
        {"risk", {{"calibration", {{"rssi_correction_db", 0}}},
                  {"notify_threshold", {{"score_sum", 2701}}}}},
        {"notify", {{"command", {f.dir.File("hook.sh")}}}}}.dump();
    auto run = f.Jejak({"match", "--keys", f.zip, "--json"});
    INFO(run.err);
    REQUIRE(run.code == kExitOk);
    // Nothing to notify is no failure: monitoring must not read an error or "ok": false.
    CHECK(nlohmann::json::parse(run.out)["hook"] ==
          nlohmann::json{{"ran", false}, {"not_run", "not exposed"}});
    CHECK(f.Jejak({"status"}).out.find("no exposure above the threshold") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(f.dir.File("hook-stdin.json")));

    // An empty state dir: only the stopped daemon needs attention, not the missing check.
    testing::ScratchDir empty("match-empty");
    auto status = RunJejak({"--state-dir", empty.path().string(), "status"});
    CHECK(status.code == kExitFailure);
    CHECK(status.err == testing::kDaemonNotRunningError);
    CHECK(status.out.find("exposure: none notified") != std::string::npos);
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
TEST_CASE("jejak match --keys DIR and --fetched check each verified file once") {
    Fixture f;
    const std::string inbox = f.dir.File("diagnosis-keys");  // the default download_dir
    std::filesystem::create_directories(inbox);
    std::filesystem::copy_file(f.zip, inbox + "/a.zip");
    testing::WriteFile(inbox + "/junk.zip", Bytes{'P', 'K', 1, 2});
    testing::WriteFile(inbox + "/notes.txt", Bytes{'x'});

    auto first = f.Jejak({"match", "--fetched", "--json"});
    INFO(first.err);
    REQUIRE(first.code == kExitOk);
    CHECK(nlohmann::json::parse(first.out)["matched_keys"] == 1);
    CHECK(first.err.find("jejak: skipped") != std::string::npos);
    CHECK(first.err.find("junk.zip") != std::string::npos);

    auto again = f.Jejak({"match", "--keys", inbox});
    CHECK(again.code == kExitOk);
    CHECK(again.out == "no new export files to check\n");
    CHECK(again.err.empty());

    std::filesystem::copy_file(f.zip, inbox + "/b.zip");
    auto next = f.Jejak({"match", "--keys", inbox, "--json"});
    REQUIRE(next.code == kExitOk);
    CHECK(nlohmann::json::parse(next.out)["files"] == 1);
    CHECK(f.Jejak({"match"}).code == kExitUsage);
}

}  // namespace jejak
