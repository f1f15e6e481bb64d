// `jejak report` and `jejak keys export --for-diagnosis` in process against a recording HTTP
// server on 127.0.0.1: nothing reaches the server without consent (no --yes and no typed yes
// on a terminal), a consented report sends exactly the device's keys and keeps the revision
// token, every server error code is one line and exit 1, chaff sends the same three requests
// with X-Chaff (and, from the scheduled check, only when its random due time has come), and
// an offline key file uploads from a station like the device's own keys.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "agent/upload/chaff_schedule.h"
#include "agent/upload/upload_keys.h"
#include "platform/base/base64.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/faulty_vfs.h"
#include "tests/fakes/recording_server.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using nlohmann::json;
using testing::CliRun;
using testing::RecordingServer;

// 10:05 UTC on 2025-11-27 (a fixed day: store, keys and CLI share this clock).
constexpr int64_t kNowS = 20419 * 86400 + 36300;
constexpr EnIntervalNumber kNowInterval = kNowS / 600;
constexpr EnIntervalNumber kToday = 20419 * 144;

struct Device {
    testing::ScratchDir dir{"cli-report"};
    ManualClock clock{kNowS * int64_t{1000000}};
    RecordingServer server;
    std::string state = dir.File("state");
    std::string config = dir.File("config.json");
    std::vector<StoredTek> teks;

    // Three days of keys: today, yesterday and 20 days ago (never sent).
    explicit Device(bool with_store = true) {
        WriteConfig(server.url());
        if (!with_store) return;
        SqliteStoreOptions o;
        o.state_dir = state;
        o.retention_days = 25;
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        SystemRandom random;
        for (EnIntervalNumber start : {kToday, kToday - 144, kToday - 20 * 144}) {
            StoredTek t{GenerateTek(random), start, 144};
            REQUIRE((*store)->PutTek(t).ok());
            teks.push_back(t);
        }
        REQUIRE((*store)->Close().ok());
    }

    void WriteConfig(const std::string& url) const {
        const json c = {{"store", {{"retention_days", 25}}},
                        {"upload",
                         {{"verification_url", url},
                          {"publish_url", url + "/"},
                          {"api_key", "device-key"},
                          {"health_authority_id", "org.example.test"},
                          {"allow_http_loopback", true}}}};
        std::ofstream(config) << c.dump();
    }

    CliRun Jejak(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--state-dir", state, "--config", config});
        return testing::RunJejakOn(clock, std::move(args));
    }

    std::vector<StoredTek> StoredTeks() const {
        SqliteStoreOptions o;
        o.state_dir = state;
        o.retention_days = 25;
        o.create_if_missing = false;
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        std::vector<StoredTek> rows;
        REQUIRE((*store)
                    ->ForEachTek(DayRange::All(), [&](const StoredTek& t) { rows.push_back(t); })
                    .ok());
        return rows;
    }
};

// Runs `fn` with standard input replaced by `fd` (a pty slave, /dev/null).
template <typename Fn>
CliRun WithStdin(int fd, Fn fn) {
    const int saved = dup(STDIN_FILENO);
    REQUIRE(saved >= 0);
    REQUIRE(dup2(fd, STDIN_FILENO) == STDIN_FILENO);
    CliRun run = fn();
    dup2(saved, STDIN_FILENO);
    close(saved);
    return run;
}

// Runs `fn` with a terminal on standard input on which `typed` has been typed.
template <typename Fn>
CliRun Typing(const std::string& typed, Fn fn) {
    int master = -1, slave = -1;
    REQUIRE(openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    REQUIRE(write(master, typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
    CliRun run = WithStdin(slave, fn);
    close(slave);
    close(master);
    return run;
}

// Runs `fn` with `text` on standard input through a pipe (not a terminal).
template <typename Fn>
CliRun Piped(const std::string& text, Fn fn) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    REQUIRE(write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fds[1]);
    CliRun run = WithStdin(fds[0], fn);
    close(fds[0]);
    return run;
}

template <typename Fn>
CliRun NoTerminal(Fn fn) {
    const int null = open("/dev/null", O_RDONLY);
    REQUIRE(null >= 0);
    CliRun run = WithStdin(null, fn);
    close(null);
    return run;
}

bool OneErrorLine(const CliRun& run) {
    return run.err.rfind("jejak: ", 0) == 0 && run.err.find('\n') == run.err.size() - 1;
}

std::vector<std::string> KeysSent(const testing::RecordedRequest& publish) {
    std::vector<std::string> keys;
    const json body = json::parse(publish.body);
    for (const json& k : body["temporaryExposureKeys"]) {
        keys.push_back(k["key"].get<std::string>() + "/" +
                       std::to_string(k["rollingStartNumber"].get<uint32_t>()) + "/" +
                       std::to_string(k["rollingPeriod"].get<uint32_t>()));
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::string KeyId(const StoredTek& t, uint32_t period) {
    return Base64Encode(t.tek.bytes()) + "/" + std::to_string(t.rolling_start) + "/" +
           std::to_string(period);
}

}  // namespace

TEST_CASE("report without --yes and without a terminal sends nothing and exits 2") {
    Device d;
    auto run = NoTerminal([&] { return d.Jejak({"report", "--code", "12345678"}); });
    CHECK(run.code == 2);
    CHECK(OneErrorLine(run));
    CHECK(run.err.find("consent needed: nothing was sent") != std::string::npos);
    // The summary was shown: two keys (today's and yesterday's), their days, the servers.
    CHECK(run.out.find("about to send 2 of this device's own daily keys") != std::string::npos);
    CHECK(run.out.find("key days (UTC): 2025-11-26, 2025-11-27") != std::string::npos);
    CHECK(run.out.find(d.server.url() + " (verification)") != std::string::npos);
    CHECK(d.server.requests().empty());
    CHECK(d.StoredTeks().size() == 3);  // nothing released either
}

TEST_CASE("report on a terminal: anything but a typed yes sends nothing") {
    Device d;
    for (const std::string typed : {"no\n", "y\n", "\n", "yess\n"}) {
        CAPTURE(typed);
        auto run = Typing(typed, [&] { return d.Jejak({"report", "--code", "12345678"}); });
        CHECK(run.code == 2);
        CHECK(OneErrorLine(run));
        CHECK(run.out.find("type yes to send them: ") != std::string::npos);
    }
    CHECK(d.server.requests().empty());

    auto yes = Typing(" YES \n", [&] { return d.Jejak({"report", "--code", "12345678"}); });
    CHECK(yes.code == 0);
    CHECK(d.server.requests().size() == 3);
}

// Issue 22: the code sat in /proc/PID/cmdline, readable by every local user, while the
// consent prompt waited. It never needs to be on the command line now.
TEST_CASE("report --code - reads the code from standard input") {
    Device d;
    auto run = Piped("  2900051330 \n", [&] { return d.Jejak({"report", "--code", "-", "--yes"}); });
    REQUIRE_MESSAGE(run.code == 0, run.err);
    const auto reqs = d.server.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(json::parse(reqs[0].body)["code"] == "2900051330");
    CHECK(run.out.find("2900051330") == std::string::npos);
    CHECK(run.out.find("verification code") == std::string::npos);  // no prompt on a pipe

    // Nothing on standard input: refused before anything is sent.
    auto empty = Piped("", [&] { return d.Jejak({"report", "--code", "-", "--yes"}); });
    CHECK(empty.code == 2);
    CHECK(OneErrorLine(empty));
    CHECK(empty.err.find("no verification code was given") != std::string::npos);
    CHECK(d.server.requests().size() == 3);
}

// Issue 22: the loopback hatch honoured http_proxy, so the API key and a real report's keys
// went to whatever proxy the environment named. Port 9 on loopback has no listener: a
// report through it would fail to connect.
TEST_CASE("report ignores the environment's proxy variables") {
    Device d;
    const char* names[] = {"http_proxy", "HTTPS_PROXY", "https_proxy", "all_proxy", "ALL_PROXY"};
    for (const char* name : names) setenv(name, "http://127.0.0.1:9", 1);
    auto run = d.Jejak({"report", "--code", "12345678", "--yes"});
    for (const char* name : names) unsetenv(name);
    CHECK_MESSAGE(run.code == 0, run.err);
    CHECK(d.server.requests().size() == 3);
}

TEST_CASE("report without --code asks a terminal for it, and needs --code - otherwise") {
    Device d;
    auto typed = Typing("2900051330\nyes\n", [&] { return d.Jejak({"report"}); });
    REQUIRE_MESSAGE(typed.code == 0, typed.err);
    CHECK(typed.out.rfind("verification code from the health authority: ", 0) == 0);
    const auto reqs = d.server.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(json::parse(reqs[0].body)["code"] == "2900051330");

    auto piped = NoTerminal([&] { return d.Jejak({"report", "--yes"}); });
    CHECK(piped.code == 2);
    CHECK(OneErrorLine(piped));
    CHECK(piped.err.find("--code - reads it from standard input") != std::string::npos);
    CHECK(d.server.requests().size() == 3);
}

TEST_CASE("report --yes sends exactly the device's keys, releases today's, keeps the token") {
    Device d;
    auto run = d.Jejak({"report", "--code", "12345678", "--yes"});
    REQUIRE(run.code == 0);
    CHECK(run.err.empty());
    CHECK(run.out.find("published 2 keys (confirmed test)") != std::string::npos);
    const auto reqs = d.server.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0].path == "/api/verify");
    CHECK(reqs[1].path == "/api/certificate");
    CHECK(reqs[2].path == "/v1/publish");
    CHECK(reqs[0].api_key == "device-key");
    CHECK(reqs[1].api_key == "device-key");
    for (const auto& r : reqs) CHECK_FALSE(r.chaff);
    // Today's key ends at the current interval; yesterday's is whole; 20 days ago never.
    const uint32_t cut = kNowInterval - kToday + 1;
    std::vector<std::string> expected = {KeyId(d.teks[0], cut), KeyId(d.teks[1], 144)};
    std::sort(expected.begin(), expected.end());
    CHECK(KeysSent(reqs[2]) == expected);
    CHECK(json::parse(reqs[2].body)["revisionToken"] == "");
    for (const StoredTek& t : d.teks)
        CHECK(run.out.find(Base64Encode(t.tek.bytes())) == std::string::npos);

    // The device stored the cut and a successor from the next interval.
    const auto eff = EffectiveTeks(d.StoredTeks());
    auto current = TekValidAt(eff, kNowInterval + 1);
    REQUIRE(current.has_value());
    CHECK(current->rolling_start == kNowInterval + 1);
    CHECK_FALSE(current->tek == d.teks[0].tek);

    // A later report (after the successor started) sends the kept revision token.
    d.clock.Advance(int64_t{600} * 1000000);
    auto again = d.Jejak({"report", "--code", "87654321", "--yes", "--json"});
    REQUIRE(again.code == 0);
    const json out = json::parse(again.out);
    CHECK(out["sent"] == 3);
    CHECK(out["revision_token_kept"] == true);
    CHECK(json::parse(d.server.requests()[5].body)["revisionToken"] == "revision-1");
}

// Opening the store writes (its configuration), so on a full disk report stops there, before
// consent and before any request: nothing can be accepted whose cut key and revision token
// could then not be kept.
TEST_CASE("report on a full disk: one line, exit 1, nothing sent, nothing changed; it works once space returns") {
    Device d;
    const std::vector<StoredTek> before = d.StoredTeks();
    {
        testing::FaultyVfs vfs;
        vfs.Set(testing::FaultyVfs::Fault::kFull);
        auto run = d.Jejak({"report", "--code", "12345678", "--yes"});
        INFO(run.err);
        CHECK(run.code == kExitFailure);
        CHECK(OneErrorLine(run));
        CHECK(run.err.find("full") != std::string::npos);
        CHECK(d.server.requests().empty());
    }
    const std::vector<StoredTek> after = d.StoredTeks();
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < after.size(); ++i) {
        CHECK(after[i].tek == before[i].tek);
        CHECK(after[i].rolling_start == before[i].rolling_start);
        CHECK(after[i].rolling_period == before[i].rolling_period);
    }
    auto again = d.Jejak({"report", "--code", "12345678", "--yes"});
    INFO(again.err);
    REQUIRE(again.code == 0);
    CHECK(d.server.requests().size() == 3);
    CHECK(d.StoredTeks().size() == before.size() + 2);  // today's cut and its successor
}

TEST_CASE("report: every server error code is one line and exit 1") {
    struct Case {
        const char* path;
        int status;
        const char* body;
        const char* code;
    };
    const Case cases[] = {
        {"/api/verify", 400, R"({"error":"x","errorCode":"code_invalid"})", "code_invalid"},
        {"/api/verify", 400, R"({"error":"x","errorCode":"code_expired"})", "code_expired"},
        {"/api/certificate", 400, R"({"error":"x","errorCode":"token_expired"})", "token_expired"},
        {"/api/certificate", 400, R"({"error":"x","errorCode":"hmac_invalid"})", "hmac_invalid"},
        {"/v1/publish", 400,
         R"({"error":"x","code":"health_authority_verification_certificate_invalid"})",
         "health_authority_verification_certificate_invalid"},
        {"/v1/publish", 400, R"({"error":"x","code":"unknown_health_authority_id"})",
         "unknown_health_authority_id"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.code);
        Device d;
        d.server.Queue(c.path, c.status, c.body);
        auto run = d.Jejak({"report", "--code", "1", "--yes"});
        CHECK(run.code == 1);
        CHECK(OneErrorLine(run));
        CHECK(run.err.find(c.code) != std::string::npos);
        CHECK(d.StoredTeks().size() == 3);  // no release after a failed upload
    }
}

TEST_CASE("report: an unreachable server is reported once; bad set-ups are usage errors") {
    Device d;
    int port = 0;
    {
        RecordingServer gone;  // a loopback port nothing listens on any more
        port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
    }
    d.WriteConfig("http://127.0.0.1:" + std::to_string(port));
    auto down = d.Jejak({"report", "--code", "1", "--yes"});
    CHECK(down.code == 1);
    CHECK(OneErrorLine(down));
    CHECK(down.err.find("unreachable") != std::string::npos);

    d.WriteConfig("http://example.org");
    auto plain = d.Jejak({"report", "--code", "1", "--yes"});
    CHECK(plain.code == 2);
    CHECK(plain.err.find("must be https") != std::string::npos);
    auto no_code = NoTerminal([&] { return d.Jejak({"report", "--yes"}); });
    CHECK(no_code.code == 2);
    CHECK(d.server.requests().empty());
}

TEST_CASE("report --chaff sends the three requests with X-Chaff, padded like a report") {
    Device d;
    auto chaff = d.Jejak({"report", "--chaff"});
    REQUIRE(chaff.code == 0);
    CHECK(chaff.out == "chaff sent\n");
    REQUIRE(d.Jejak({"report", "--code", "1", "--yes"}).code == 0);
    const auto reqs = d.server.requests();
    REQUIRE(reqs.size() == 6);
    for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(reqs[i].chaff);
        CHECK_FALSE(reqs[i + 3].chaff);
        CHECK(reqs[i].path == reqs[i + 3].path);
        CHECK(reqs[i].api_key == reqs[i + 3].api_key);
        const json c = json::parse(reqs[i].body), r = json::parse(reqs[i + 3].body);
        for (const auto& [k, v] : r.items()) CHECK(c.contains(k));
        // One size on the wire: the body makes up for the chaff's "X-Chaff: 1\r\n".
        CHECK(reqs[i].body.size() + std::string_view("X-Chaff: 1\r\n").size() ==
              reqs[i + 3].body.size());
    }
    // Chaff is shaped like this device's own upload: the same number of keys.
    CHECK(json::parse(reqs[2].body)["temporaryExposureKeys"].size() ==
          json::parse(reqs[5].body)["temporaryExposureKeys"].size());
    CHECK(d.StoredTeks().size() == 5);  // only the real report released today's key
}

TEST_CASE("report --chaff --if-due sends only when its randomly drawn time has come") {
    Device d;
    const std::string schedule = d.state + "/chaff-schedule.json";
    const auto due_time = [&] {
        auto due = LoadChaffDue(schedule);
        REQUIRE(due.ok());
        REQUIRE(due->has_value());
        return **due;
    };
    const auto now_s = [&] { return d.clock.NowUnixMicros() / 1000000; };
    // The first scheduled run only draws the due time: nothing is sent.
    auto first = d.Jejak({"report", "--chaff", "--if-due"});
    CHECK(first.code == 0);
    CHECK(first.out == "chaff not due\n");
    CHECK(first.err.empty());
    CHECK(d.server.requests().empty());
    const int64_t due = due_time();
    CHECK(due >= kNowS + kChaffMinDelayS);
    CHECK(due <= kNowS + kChaffMaxDelayS);

    // A second before it: nothing sent, the due time kept.
    d.clock.Advance((due - kNowS - 1) * int64_t{1000000});
    CHECK(d.Jejak({"report", "--chaff", "--if-due"}).out == "chaff not due\n");
    CHECK(d.server.requests().empty());
    CHECK(due_time() == due);

    // Due, but no network: one error line, exit 1, and still due for the next check.
    int port = 0;
    {
        RecordingServer gone;
        port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
    }
    d.WriteConfig("http://127.0.0.1:" + std::to_string(port));
    d.clock.Advance(int64_t{1000000});
    auto offline = d.Jejak({"report", "--chaff", "--if-due"});
    CHECK(offline.code == 1);
    CHECK(OneErrorLine(offline));
    CHECK(offline.err.find("unreachable") != std::string::npos);
    CHECK(due_time() == due);

    // Back online: one decoy sequence, and a new due time drawn from now.
    d.WriteConfig(d.server.url());
    auto sent = d.Jejak({"report", "--chaff", "--if-due"});
    CHECK(sent.code == 0);
    CHECK(sent.out == "chaff sent\n");
    const auto reqs = d.server.requests();
    REQUIRE(reqs.size() == 3);
    for (const auto& r : reqs) CHECK(r.chaff);
    CHECK(due_time() >= now_s() + kChaffMinDelayS);
    CHECK(due_time() <= now_s() + kChaffMaxDelayS);
    CHECK(d.Jejak({"report", "--chaff", "--if-due"}).out == "chaff not due\n");

    // A due time further ahead than any draw (the clock was set back) is drawn anew.
    REQUIRE(SaveChaffDue(schedule, now_s() + kChaffMaxDelayS + 86400).ok());
    CHECK(d.Jejak({"report", "--chaff", "--if-due"}).out == "chaff not due\n");
    CHECK(due_time() <= now_s() + kChaffMaxDelayS);
    CHECK(d.server.requests().size() == 3);

    // Usage: --if-due belongs to --chaff. A device without an upload section sends nothing.
    CHECK(d.Jejak({"report", "--code", "1", "--yes", "--if-due"}).code == 2);
    std::ofstream(d.config, std::ios::trunc) << json{{"store", {{"retention_days", 25}}}}.dump();
    auto unconfigured = d.Jejak({"report", "--chaff", "--if-due"});
    CHECK(unconfigured.code == 0);
    CHECK(unconfigured.out == "no chaff: the upload section is not configured\n");

    // `store wipe` removes the schedule with the agent's other files.
    REQUIRE(d.Jejak({"store", "wipe", "--yes"}).code == 0);
    CHECK_FALSE(std::filesystem::exists(schedule));
}

TEST_CASE("the daily check sends scheduled chaff after fetching, and its failure is not fatal") {
    std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/systemd/jejak-check.service");
    REQUIRE(in);
    std::vector<std::string> exec;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("ExecStart=", 0) == 0) exec.push_back(line);
    }
    REQUIRE(exec.size() == 3);
    CHECK(exec[0].find(" keys fetch") != std::string::npos);
    // "ExecStart=-": a failed decoy (offline) does not stop the check from matching.
    CHECK(exec[1].rfind("ExecStart=-/usr/bin/jejak ", 0) == 0);
    CHECK(exec[1].find(" report --chaff --if-due") != std::string::npos);
    CHECK(exec[2].find(" match --fetched") != std::string::npos);
}

TEST_CASE("keys export --for-diagnosis needs consent; a station uploads the file") {
    Device d;
    const std::string file = d.dir.File("keys.json");
    auto refused = NoTerminal([&] {
        return d.Jejak({"keys", "export", "--for-diagnosis", "--out", file});
    });
    CHECK(refused.code == 2);
    CHECK(refused.err.find("nothing was written") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(file));

    auto written = d.Jejak({"keys", "export", "--for-diagnosis", "--out", file, "--yes"});
    REQUIRE(written.code == 0);
    CHECK(written.out.find("wrote 2 keys for diagnosis") != std::string::npos);
    CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);
    const json keys = json::parse(std::ifstream(file));
    REQUIRE(keys["temporaryExposureKeys"].size() == 2);
    for (const json& k : keys["temporaryExposureKeys"]) {
        CHECK(k.contains("key"));
        CHECK(k.contains("rollingStartNumber"));
        CHECK(k.contains("rollingPeriod"));
        CHECK(k.contains("transmissionRisk"));
    }
    CHECK(d.StoredTeks().size() == 5);  // today's key released at export

    // The station: no store of its own, the same servers.
    Device station(/*with_store=*/false);
    station.WriteConfig(d.server.url());
    auto upload = station.Jejak({"report", "--code", "1", "--yes", "--keys-from", file});
    REQUIRE(upload.code == 0);
    const auto reqs = d.server.requests();
    REQUIRE(reqs.size() == 3);
    std::vector<std::string> expected = {KeyId(d.teks[0], kNowInterval - kToday + 1),
                                         KeyId(d.teks[1], 144)};
    std::sort(expected.begin(), expected.end());
    CHECK(KeysSent(reqs[2]) == expected);

    std::ofstream(d.dir.File("bad.json")) << R"({"temporaryExposureKeys":[{"key":"AA=="}]})";
    auto bad =
        station.Jejak({"report", "--code", "1", "--yes", "--keys-from", d.dir.File("bad.json")});
    CHECK(bad.code == 2);
    CHECK(OneErrorLine(bad));
}

TEST_CASE("keys export without --field-test refuses and says why") {
    Device d;
    auto run = d.Jejak(
        {"keys", "export", "--out", d.dir.File("x.zip"), "--signing-key", d.dir.File("k.pem")});
    CHECK(run.code == 2);
    CHECK(OneErrorLine(run));
    CHECK(run.err.find("field-test tool and needs --field-test") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(d.dir.File("x.zip")));
    auto mixed = d.Jejak(
        {"keys", "export", "--out", d.dir.File("x.zip"), "--field-test", "--for-diagnosis"});
    CHECK(mixed.code == 2);
}

}  // namespace jejak
