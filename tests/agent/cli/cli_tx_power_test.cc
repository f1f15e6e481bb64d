// Calibrated advertised power, through the real adverts: a `jejak run`
// whose radio setting is -15 dBm and whose calibrated radiated power is -20 dBm (the
// simulated radio radiates -20: `tx=-20`) is heard by `jejak scan --json` and by a second
// `jejak run` on the simulated ether, 1 m away, without noise. Every scanned AEM, decrypted
// with the sender's own TEK (from `keys export --field-test`), carries -20; the published GAEN
// formula (attenuation = TX power - RSSI) on the scanned adverts gives the attenuation that
// `jejak encounters --keys` and `jejak match` report; and scripts/calibrate_tx_power, given
// the same scan, recovers the -20 dBm the sender radiates.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "gaen/export/export_verify.h"
#include "gaen/keys/key_schedule.h"
#include "platform/base/clock.h"
#include "platform/base/hex.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/lockstep_clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

const int64_t kStart = SystemClock().NowUnixMicros() / 1000000 / 86400 * 86400 + 9 * 3600 + 120;

std::string IsoDay(int64_t unix_s) {
    char buf[16];
    const time_t t = static_cast<time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::vector<nlohmann::json> Reports(const std::string& jsonl) {
    std::vector<nlohmann::json> out;
    std::istringstream in(jsonl);
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j.value("event", "") == "report") out.push_back(j);
    }
    return out;
}

// The metadata TX power of a scanned advert, decrypted with one of `keys`; nullopt when none
// of them made its RPI.
std::optional<int> DecryptedTxPower(const nlohmann::json& report,
                                    const std::vector<DiagnosisKey>& keys) {
    Rpi rpi{};
    Aem aem{};
    REQUIRE(HexDecodeExact(report.at("rpi").get<std::string>(), rpi, "rpi").ok());
    REQUIRE(HexDecodeExact(report.at("aem").get<std::string>(), aem, "aem").ok());
    for (const DiagnosisKey& k : keys) {
        for (uint32_t i = 0; i < k.rolling_period; ++i) {
            if (*DeriveRpi(DeriveRpik(k.key), k.rolling_start_interval_number + i) != rpi) continue;
            auto metadata = DecodeMetadata(*DecryptMetadata(DeriveAemk(k.key), rpi, aem));
            REQUIRE(metadata.ok());
            return metadata->tx_power_dbm;
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("a daemon set to -15 dBm advertises its calibrated -20 dBm, and every reader agrees") {
    testing::ScratchDir dir("cli-tx-power");
    const std::string ether = dir.File("ether");
    const std::string a_dir = dir.File("a"), b_dir = dir.File("b");
    std::ofstream(dir.File("a.json")) << R"({"radio": {"calibrated_tx_power_dbm": -20}})";
    std::ofstream(dir.File("b.json"))
        << R"({"risk": {"preset": "enx-sample", "calibration": {"rssi_correction_db": 0}}})";
    const testing::LockstepClock clock(3, kStart * 1000000);
    testing::CliRun a, b, scan;
    std::thread ta([&] {
        a = testing::RunJejakOn(clock, {"--state-dir", a_dir, "--config", dir.File("a.json"), "run",
                                        "--radio", "sim:" + ether + "?x=0&seed=1&tx=-20&noise=0",
                                        "--tx-power", "-15", "--duration", "150"});
        clock.Leave();
    });
    std::thread tb([&] {
        b = testing::RunJejakOn(clock, {"--state-dir", b_dir, "run", "--radio",
                                        "sim:" + ether + "?x=1&seed=2&noise=0", "--duration", "170"});
        clock.Leave();
    });
    std::thread ts([&] {
        scan = testing::RunJejakOn(clock, {"--state-dir", dir.File("s"), "scan", "--radio",
                                           "sim:" + ether + "?x=1&seed=3&noise=0", "--json",
                                           "--duration", "140"});
        clock.Leave();
    });
    ta.join();
    tb.join();
    ts.join();
    REQUIRE_MESSAGE(a.code == 0, a.err);
    REQUIRE_MESSAGE(b.code == 0, b.err);
    REQUIRE_MESSAGE(scan.code == 0, scan.err);
    CHECK((a.out + a.err).find("advertising at -15 dBm (metadata: calibrated -20 dBm)") !=
          std::string::npos);

    const std::string q = "'" + dir.path().string() + "/";
    REQUIRE(std::system(("openssl ecparam -name prime256v1 -genkey -noout -out " + q +
                         "key.pem' 2>/dev/null && openssl ec -in " + q + "key.pem' -pubout -out " +
                         q + "pub.pem' 2>/dev/null")
                            .c_str()) == 0);
    const std::string zip = dir.File("a.zip");
    auto exported = testing::RunJejakOn(
        clock, {"--state-dir", a_dir, "keys", "export", "--field-test", "--out", zip,
                "--signing-key", dir.File("key.pem"), "--days", "2"});
    REQUIRE_MESSAGE(exported.code == 0, exported.err);
    auto loaded = LoadExport(zip);
    REQUIRE(loaded.ok());
    REQUIRE_FALSE(loaded->file.keys.empty());

    // Every advert of A scanned (B advertises too) carries -20 in the metadata A's own TEK
    // decrypts.
    std::string a_adverts;  // A's reports only: the capture of a calibration
    size_t a_reports = 0;
    std::set<int> attenuations;
    for (const nlohmann::json& r : Reports(scan.out)) {
        const std::optional<int> tx = DecryptedTxPower(r, loaded->file.keys);
        if (!tx) continue;
        CHECK(*tx == -20);
        attenuations.insert(*tx - r.at("rssi").get<int>());  // GAEN: TX power - RSSI
        a_adverts += r.dump() + "\n";
        ++a_reports;
    }
    REQUIRE(a_reports >= 30);  // what calibrate_tx_power needs
    // Free space at 1 m, no noise: 40 dB, the path loss the sender's -20 dBm crossed.
    REQUIRE(attenuations == std::set<int>{40});

    auto encounters = testing::RunJejakOn(
        clock, {"--state-dir", b_dir, "--config", dir.File("b.json"), "encounters", "--day",
                IsoDay(kStart), "--json", "--keys", zip, "--pubkey", dir.File("pub.pem")});
    REQUIRE_MESSAGE(encounters.code == 0, encounters.err);
    const auto e = nlohmann::json::parse(encounters.out);
    REQUIRE(e["contacts"].size() == 1);
    CHECK(e["contacts"][0]["tx_power_dbm"] == -20);
    CHECK(e["contacts"][0]["min_attenuation_db"] == 40);
    CHECK(e["contacts"][0]["typical_attenuation_db"] == 40);

    auto match = testing::RunJejakOn(clock, {"--state-dir", b_dir, "--config", dir.File("b.json"),
                                             "match", "--keys", zip, "--pubkey",
                                             dir.File("pub.pem"), "--json"});
    REQUIRE_MESSAGE(match.code == 0, match.err);
    const auto m = nlohmann::json::parse(match.out);
    CHECK(m["matched_keys"] == 1);
    CHECK(m["closest_attenuation_db"] == 40);

    // The calibration procedure on this scan: the receiver 1 m away, free space, no
    // correction: the power the sender radiates.
    std::ofstream(dir.File("scan.jsonl")) << a_adverts;
    const std::string cmd = "python3 '" + std::string(JEJAK_SOURCE_DIR) +
                            "/scripts/calibrate_tx_power' --scan " + q + "scan.jsonl'";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    for (char buf[256]; std::fgets(buf, sizeof buf, pipe) != nullptr;) out += buf;
    CHECK(pclose(pipe) == 0);
    CHECK_MESSAGE(out.find("calibrated_tx_power_dbm = -20\n") != std::string::npos, out);
}

}  // namespace jejak
