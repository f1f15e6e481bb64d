// Offsets are seen: `jejak report` and `jejak keys fetch`, run in process
// against a real HTTP server on 127.0.0.1 (libcurl, its header callback) whose Date header
// states its clock, keep the device clock's offset, and `jejak status` shows it: the exact
// `"clock"` object of `status --json` (null fields before any measurement) and an attention
// reason (exit 1) for an offset above 10 minutes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <ctime>
#include <fstream>
#include <string>

#include "crypto/random.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "tests/support/test_data.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/recording_server.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using nlohmann::json;

// 2026-12-07 15:12:55 UTC on the device; the server's Date says otherwise.
constexpr int64_t kDeviceNow = 1796656375;

std::string HttpDate(int64_t unix_s) {
    char buf[64];
    const time_t t = static_cast<time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

struct Device {
    testing::ScratchDir dir{"cli-clock-offset"};
    ManualClock clock{kDeviceNow * int64_t{1000000}};
    testing::RecordingServer server;
    std::string state = dir.File("state");
    std::string config = dir.File("config.json");

    Device() {
        const json c = {
            {"upload",
             {{"verification_url", server.url()}, {"publish_url", server.url() + "/"},
              {"api_key", "device-key"}, {"health_authority_id", "org.example.test"},
              {"allow_http_loopback", true}}},
            {"diagnosis",
             {{"server_url", server.url() + "/"}, {"allow_http_loopback", true},
              {"public_keys",
               {{{"key_id", "310"}, {"key_version", "v1"},
                 {"pem_file", testing::TestDataPath("exports/internals_partner_key_310-v1.pem")}}}}}}};
        std::ofstream(config) << c.dump();
        SqliteStoreOptions o;
        o.state_dir = state;
        auto store = SqliteStore::Open(clock, o);
        REQUIRE(store.ok());
        SystemRandom random;
        REQUIRE((*store)->PutTek({GenerateTek(random), static_cast<EnIntervalNumber>(kDeviceNow / 86400 * 144), 144}).ok());
        REQUIRE((*store)->Close().ok());
    }

    testing::CliRun Jejak(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--state-dir", state, "--config", config});
        return testing::RunJejakOn(clock, std::move(args));
    }

    json Status(int expected_code) const {
        const testing::CliRun run = Jejak({"status", "--json"});
        CHECK(run.code == expected_code);
        return json::parse(run.out);
    }
};

bool MentionsClock(const json& status) {
    for (const json& reason : status["attention"]) {
        if (reason.get<std::string>().find("the clock is") != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("status shows a null clock offset before any server was asked") {
    Device d;
    const json s = d.Status(1);  // the daemon is not running: attention anyway
    CHECK(s["clock"] == json({{"offset_s", nullptr}, {"measured_unix", nullptr}, {"source", nullptr}}));
    CHECK_FALSE(MentionsClock(s));
}

TEST_CASE("report against a server 15 minutes behind: status shows +899.5 s and needs attention") {
    Device d;
    d.server.SetDate(HttpDate(kDeviceNow - 900));
    const testing::CliRun report = d.Jejak({"report", "--code", "1234567890", "--yes"});
    REQUIRE_MESSAGE(report.code == 0, report.err);
    CHECK(report.err.find("the clock is 900 s ahead of report " + d.server.url()) != std::string::npos);
    const json s = d.Status(1);
    CHECK(s["clock"]["offset_s"] == 899.5);  // device minus the middle of the server's second
    CHECK(s["clock"]["measured_unix"] == kDeviceNow);
    CHECK(s["clock"]["source"] == "report " + d.server.url());
    CHECK(MentionsClock(s));
    const testing::CliRun text = d.Jejak({"status"});
    CHECK(text.out.find("clock offset: +899.5 s against report " + d.server.url()) != std::string::npos);
    CHECK(text.err.find("the clock is 900 s ahead of report") != std::string::npos);
}

TEST_CASE("keys fetch against a server 5 minutes ahead: offset -300.5 s, within the bound") {
    Device d;
    d.server.SetDate(HttpDate(kDeviceNow + 300));
    d.server.Queue("/index.txt", 200, "");
    const testing::CliRun fetch = d.Jejak({"keys", "fetch"});
    REQUIRE_MESSAGE(fetch.code == 0, fetch.err);
    const json s = d.Status(1);
    CHECK(s["clock"]["offset_s"] == -300.5);
    CHECK(s["clock"]["source"] == "keys fetch " + d.server.url());
    CHECK_FALSE(MentionsClock(s));
}

TEST_CASE("keys fetch that fails still measures; a server without Date keeps the last offset") {
    Device d;
    d.server.SetDate(HttpDate(kDeviceNow - 3600));
    const testing::CliRun fetch = d.Jejak({"keys", "fetch"});  // index.txt: 404
    CHECK(fetch.code == 1);
    CHECK(d.Status(1)["clock"]["offset_s"] == 3599.5);
    d.server.SetDate("");
    d.server.Queue("/index.txt", 200, "");
    REQUIRE(d.Jejak({"keys", "fetch"}).code == 0);
    const json s = d.Status(1);
    CHECK(s["clock"]["offset_s"] == 3599.5);
    CHECK(MentionsClock(s));
}

TEST_CASE("a damaged clock offset file is an attention reason, not a crash") {
    Device d;
    std::ofstream(d.state + "/clock-offset.json") << "{\"offset_s\": \"soon\"}";
    const json s = d.Status(1);
    CHECK(s["clock"]["offset_s"].is_null());
    bool named = false;
    for (const json& r : s["attention"]) named |= r.get<std::string>().find("clock-offset.json") != std::string::npos;
    CHECK(named);
}

}  // namespace jejak
