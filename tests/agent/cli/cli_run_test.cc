// `jejak run` and `jejak keys export` in-process: two daemons on a sim ether for a simulated
// minute (a LockstepClock: no wall time passes) see each other, A's own TEKs exported and signed make `jejak match` on B report
// the contact, no TEK appears on stdout, and usage errors exit 2.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "gaen/export/export_file.h"
#include "gaen/export/export_verify.h"
#include "crypto/ecdsa/ecdsa_p256.h"
#include "platform/base/clock.h"
#include "platform/base/hex.h"
#include "storage/sqlite_store.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/lockstep_clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

std::vector<StoredTek> TeksIn(const std::string& state_dir) {
    SystemClock clock;
    SqliteStoreOptions o;
    o.state_dir = state_dir;
    o.create_if_missing = false;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    std::vector<StoredTek> teks;
    REQUIRE(
        (*store)->ForEachTek(DayRange::All(), [&](const StoredTek& t) { teks.push_back(t); }).ok());
    REQUIRE((*store)->Close().ok());
    return teks;
}

void MakeSigningKey(const testing::ScratchDir& dir) {
    const std::string q = "'" + dir.path().string() + "/";
    const std::string cmd = "openssl ecparam -name prime256v1 -genkey -noout -out " + q +
                            "key.pem' 2>/dev/null && "
                            "openssl ec -in " +
                            q + "key.pem' -pubout -out " + q + "pub.pem' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
}

std::string ReadText(const std::string& path) {
    const testing::Bytes bytes = testing::ReadFile(path);
    return std::string(bytes.begin(), bytes.end());
}

bool ContainsTek(const std::string& text, const StoredTek& t) {
    std::string hex = HexEncode(t.tek.bytes());
    std::string raw(t.tek.bytes().begin(), t.tek.bytes().end());
    if (text.find(hex) != std::string::npos || text.find(raw) != std::string::npos) return true;
    std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
    return text.find(hex) != std::string::npos;
}

}  // namespace

TEST_CASE("jejak run x2 on a sim ether, keys export of A, jejak match on B finds A") {
    testing::ScratchDir dir("cli-run");
    const std::string ether = dir.File("ether");
    const std::string a_dir = dir.File("a");
    const std::string b_dir = dir.File("b");
    testing::CliRun a, b;
    // Both daemons wait on one clock that moves only when both wait: they run side by side
    // through 60 simulated seconds, starting at the real date so the store keeps the rows.
    const testing::LockstepClock clock(2, SystemClock().NowUnixMicros());
    std::thread ta([&] {
        a = testing::RunJejakOn(clock, {"--state-dir", a_dir, "run", "--radio",
                                        "sim:" + ether + "?x=0&seed=1", "--duration", "60",
                                        "--scan-window", "2", "--tx-power", "-10"});
        clock.Leave();
    });
    std::thread tb([&] {
        b = testing::RunJejakOn(clock, {"--state-dir", b_dir, "run", "--radio",
                                        "sim:" + ether + "?x=1&seed=2", "--duration", "60",
                                        "--scan-window", "2", "--verbose"});
        clock.Leave();
    });
    ta.join();
    tb.join();
    REQUIRE(a.code == 0);
    REQUIRE(b.code == 0);
    CHECK(a.out.find("started") != std::string::npos);
    CHECK(b.out.find("flushed ") != std::string::npos);
    CHECK(a.out.find("stopped") != std::string::npos);
    CHECK(std::filesystem::status(dir.File("a/master.key")).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

    const std::vector<StoredTek> a_teks = TeksIn(a_dir);
    REQUIRE_FALSE(a_teks.empty());
    for (const StoredTek& t : a_teks) CHECK_FALSE(ContainsTek(a.out + a.err, t));

    MakeSigningKey(dir);
    const std::string zip = dir.File("a.zip");
    auto exported =
        testing::RunJejak({"--state-dir", a_dir, "keys", "export", "--field-test", "--out", zip,
                           "--signing-key", dir.File("key.pem"), "--days", "2"});
    REQUIRE(exported.code == 0);
    CHECK(exported.out.find("exported " + std::to_string(a_teks.size()) + " keys") !=
          std::string::npos);
    for (const StoredTek& t : a_teks) CHECK_FALSE(ContainsTek(exported.out + exported.err, t));

    // The file is a well-formed export carrying exactly A's keys, signed by the key.
    auto blobs = ReadExportContainer(zip);
    REQUIRE(blobs.ok());
    REQUIRE(blobs->sig.has_value());
    auto parsed = ParseExportBin(blobs->bin);
    REQUIRE(parsed.ok());
    REQUIRE(parsed->keys.size() == a_teks.size());
    CHECK(parsed->keys[0].key == a_teks[0].tek);
    CHECK(parsed->keys[0].rolling_start_interval_number == a_teks[0].rolling_start);
    auto sigs = ParseExportSignatures(*blobs->sig);
    REQUIRE(sigs.ok());
    REQUIRE(sigs->size() == 1);
    auto pub = EcdsaP256PublicKey::FromPem(ReadText(dir.File("pub.pem")));
    REQUIRE(pub.ok());
    CHECK(pub->Verify(blobs->bin, (*sigs)[0].signature));

    auto match = testing::RunJejak(
        {"--state-dir", b_dir, "match", "--keys", zip, "--pubkey", dir.File("pub.pem"), "--json"});
    REQUIRE(match.code == 0);
    const auto j = nlohmann::json::parse(match.out);
    CHECK(j.value("matched_keys", 0) == 1);
    CHECK(j.value("exposure_windows", 0) >= 1);

    // A's own export does not match A (it never stores its own adverts).
    auto self = testing::RunJejak(
        {"--state-dir", a_dir, "match", "--keys", zip, "--pubkey", dir.File("pub.pem"), "--json"});
    REQUIRE(self.code == 0);
    CHECK(nlohmann::json::parse(self.out).value("matched_keys", -1) == 0);
}

TEST_CASE("jejak run and keys export: usage errors exit 2, a missing store exits 1") {
    testing::ScratchDir dir("cli-run-usage");
    const std::string state = dir.File("s");
    auto bad_spec = testing::RunJejak({"--state-dir", state, "run", "--radio", "bogus:x"});
    CHECK(bad_spec.code == 2);
    CHECK(bad_spec.err.find("bogus") != std::string::npos);
    auto no_radio = testing::RunJejak({"--state-dir", state, "run", "--duration", "1"});
    CHECK(no_radio.code == 2);
    CHECK(no_radio.err.find("no radio") != std::string::npos);
    auto bad_power = testing::RunJejak(
        {"--state-dir", state, "run", "--radio", "sim:" + dir.File("e"), "--tx-power", "99"});
    CHECK(bad_power.code == 2);

    testing::WriteFile(dir.File("junk.pem"), testing::Bytes{'n', 'o', 'p', 'e'});
    auto bad_key =
        testing::RunJejak({"--state-dir", state, "keys", "export", "--field-test", "--out",
                           dir.File("x.zip"), "--signing-key", dir.File("junk.pem")});
    CHECK(bad_key.code == 2);
    const std::string p384 = "openssl ecparam -name secp384r1 -genkey -noout -out '" +
                             dir.File("p384.pem") + "' 2>/dev/null";
    REQUIRE(std::system(p384.c_str()) == 0);
    auto wrong_curve =
        testing::RunJejak({"--state-dir", state, "keys", "export", "--field-test", "--out",
                           dir.File("x.zip"), "--signing-key", dir.File("p384.pem")});
    CHECK(wrong_curve.code == 2);
    CHECK(wrong_curve.err.find("P-256") != std::string::npos);
    MakeSigningKey(dir);
    auto no_store =
        testing::RunJejak({"--state-dir", dir.File("absent"), "keys", "export", "--field-test",
                           "--out", dir.File("x.zip"), "--signing-key", dir.File("key.pem")});
    CHECK(no_store.code == 1);
    CHECK_FALSE(std::filesystem::exists(dir.File("x.zip")));
}

}  // namespace jejak

namespace jejak {
namespace {
extern "C" void IgnoreSignal(int) {}
}  // namespace

TEST_CASE("jejak run without --duration stops cleanly on SIGTERM and stores its last window") {
    testing::ScratchDir dir("cli-run-sigterm");
    // Until `run` installs its own handler, a stray SIGTERM must not kill the test binary.
    struct sigaction quiet = {}, previous = {};
    quiet.sa_handler = IgnoreSignal;
    sigemptyset(&quiet.sa_mask);
    REQUIRE(sigaction(SIGTERM, &quiet, &previous) == 0);
    std::atomic<bool> done{false};
    testing::CliRun run;
    const auto started = std::chrono::steady_clock::now();
    std::thread t([&] {
        run = testing::RunJejak({"--state-dir", dir.File("s"), "run", "--radio",
                                 "sim:" + dir.File("ether"), "--duration", "120"});
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::seconds(2));
    while (!done) {
        kill(getpid(), SIGTERM);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    t.join();
    sigaction(SIGTERM, &previous, nullptr);
    CHECK(run.code == 0);
    CHECK(run.out.find("stopped") != std::string::npos);
    // Generous bound: only to tell a signal stop from the 120 s backstop.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
    CHECK(TeksIn(dir.File("s")).size() == 1);
}

}  // namespace jejak
