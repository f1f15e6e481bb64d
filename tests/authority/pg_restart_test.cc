// The authority's real HTTP front over a PgStore while PostgreSQL (the throwaway cluster of
// scripts/pg-cluster, test suite "postgresql") is stopped and started under a publish load:
// every publish is answered 200 or 503 with the API's retryable error body (never 500, never
// a hang), a 503 stored nothing (the same request succeeds once the database is back),
// publishes after a restart succeed (the pool replaced the sessions the restart ended, also
// when no request came in between), and exactly the keys of the 200s are in the next export.
// The server really stops and starts, so the waits are bounded wall-time waits.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "authority/export/export_worker.h"
#include "authority_test_util.h"
#include "gaen/export/export_verify.h"
#include "tests/support/child_process.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

// One device's upload: its keys, the publish request (certificate obtained beforehand) and
// every answer it got (HTTP status, 0 when none came within the client's timeouts).
struct RestartUpload {
    std::vector<ExposureKey> keys;
    std::string body;
    std::vector<int> statuses;
    std::vector<nlohmann::json> replies;
    bool accepted() const {
        return std::find(statuses.begin(), statuses.end(), 200) != statuses.end();
    }
};

// Client threads posting queued uploads to /v1/publish, one request at a time each.
class PublishLoad {
public:
    PublishLoad(int port, std::vector<RestartUpload>& uploads, int clients) : uploads_(uploads) {
        for (int c = 0; c < clients; ++c) threads_.emplace_back([this, port] { Client(port); });
    }
    ~PublishLoad() {
        {
            std::lock_guard lock(mu_);
            done_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    // Queues upload `i` (again, for a retry of the same request).
    void Send(size_t i) {
        {
            std::lock_guard lock(mu_);
            queue_.push_back(i);
            ++sent_;
        }
        cv_.notify_all();
    }
    // Waits until every queued request is answered; false after 60 s (a hang).
    bool WaitAnswered() {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return answered_ == sent_; });
    }

private:
    void Client(int port) {
        httplib::Client client("127.0.0.1", port);
        client.set_keep_alive(true);
        client.set_connection_timeout(5, 0);
        client.set_read_timeout(15, 0);  // no answer within it: status 0, a hang
        client.set_write_timeout(5, 0);
        for (;;) {
            size_t i = 0;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return done_ || !queue_.empty(); });
                if (done_) return;
                i = queue_.front();
                queue_.pop_front();
            }
            auto res = client.Post("/v1/publish", uploads_[i].body, "application/json");
            {
                std::lock_guard lock(mu_);
                uploads_[i].statuses.push_back(res ? res->status : 0);
                uploads_[i].replies.push_back(
                    nlohmann::json::parse(res ? res->body : std::string(), nullptr, false));
                ++answered_;
            }
            cv_.notify_all();
        }
    }

    std::vector<RestartUpload>& uploads_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<size_t> queue_;
    size_t sent_ = 0;
    size_t answered_ = 0;
    bool done_ = false;
    std::vector<std::thread> threads_;
};

// The cluster's server through `$JEJAK_TEST_PG_SERVER stop|start` (pg_ctl waits until it is
// down or accepts connections), each bounded at 90 s. A server this stopped is started
// again on destruction, so a failed check leaves the suite's later cases a database.
class PostgresServer {
public:
    explicit PostgresServer(std::string control) : control_(std::move(control)) {}
    ~PostgresServer() {
        if (stopped_) (void)Run("start");
    }
    // "" on success, else what went wrong. Safe to call from another thread than the
    // test's (no doctest assertion inside).
    std::string Stop() {
        stopped_ = true;
        return Run("stop");
    }
    std::string Start() {
        std::string error = Run("start");
        if (error.empty()) stopped_ = false;
        return error;
    }

private:
    std::string Run(const std::string& action) {
        ChildProcess p({control_, action});
        const std::optional<int> rc = p.WaitWithin(90000);
        if (rc == 0) return "";
        return "PostgreSQL " + action + (rc ? " exit " + std::to_string(*rc) : " timed out") +
               ": " + p.err();
    }
    std::string control_;
    std::atomic<bool> stopped_{false};
};

// A string field of a reply, "" when the reply is not an object holding one.
std::string ReplyField(const nlohmann::json& reply, const char* name) {
    if (!reply.is_object() || !reply.contains(name) || !reply[name].is_string()) return "";
    return reply[name].get<std::string>();
}

// Every answer of uploads [begin, end) is 200, or 503 with the publish API's retryable body.
void CheckOnly200Or503(const std::vector<RestartUpload>& uploads, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
        for (size_t a = 0; a < uploads[i].statuses.size(); ++a) {
            const int status = uploads[i].statuses[a];
            const nlohmann::json& reply = uploads[i].replies[a];
            const std::string code = ReplyField(reply, "code");
            const std::string error = ReplyField(reply, "error");
            CHECK_MESSAGE((status == 200 || status == 503), "upload ", i, ": HTTP ", status, " ",
                          code, " ", error);
            if (status != 503) continue;
            CHECK_MESSAGE(code == "internal_error", error);
            CHECK_MESSAGE(error.find("nothing was stored, try again") != std::string::npos, error);
        }
    }
}

// The key bytes of every batch `paths` names (signature checked), each with its count.
std::map<std::string, int> RestartExportedKeys(TestAuthority& a,
                                                const std::vector<std::string>& paths) {
    ExportKeyRing ring;
    const auto& s = a.state().settings();
    REQUIRE(ring.AddPem(s.export_key_id, s.export_key_version, a.state().export_public_key_pem())
                .ok());
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    std::map<std::string, int> seen;
    for (const std::string& p : paths) {
        auto loaded = LoadExport(a.state().exports_dir() + "/" + p, options);
        REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
        for (const DiagnosisKey& k : loaded->file.keys) {
            ++seen[std::string(k.key.bytes().begin(), k.key.bytes().end())];
        }
    }
    return seen;
}

std::string KeyBytes(const ExposureKey& k) {
    return std::string(k.key.bytes().begin(), k.key.bytes().end());
}

TEST_CASE("authority under a PostgreSQL stop and start mid publish load: each answer 200 or a "
          "retryable 503, publishes after the restart succeed, exactly the 200s exported" *
          doctest::test_suite("postgresql")) {
    const std::optional<std::string> database = TestDatabase(true);
    if (!database) return;
    const char* control = std::getenv("JEJAK_TEST_PG_SERVER");
    if (control == nullptr) {
        MESSAGE("not run: JEJAK_TEST_PG_SERVER is unset (scripts/pg-cluster run -- ... sets it)");
        return;
    }
    PostgresServer postgres(control);
    TestAuthority a(*database);
    a.StartServer([](ServeOptions& o) { o.threads = 4; });

    // Devices with their certificates, before any fault: the load is publishes only.
    constexpr size_t kPhase = 32;     // uploads per phase of the load
    constexpr size_t kDown = 8;       // sent while the server is down, never retried
    constexpr size_t kChanging = 96;  // at most, sent while it stops and while it starts
    constexpr size_t kDevices = 3 * kPhase + kDown + 2 * kChanging;
    std::vector<RestartUpload> uploads(kDevices);
    for (RestartUpload& u : uploads) {
        u.keys = PastKeys(2, a.random());
        std::vector<uint8_t> secret(16);
        a.random().Fill(secret);
        const std::string cert = a.Certify(a.VerifyCode(a.IssueCode()), u.keys, secret);
        u.body = a.PublishBody(u.keys, cert, secret).dump();
    }
    size_t next = 0;
    auto send_fresh = [&](PublishLoad& load, size_t n) {
        for (size_t end = next + n; next < end; ++next) load.Send(next);
    };
    // Runs `change` (a stop or a start) on another thread while fresh uploads keep coming,
    // four at a time (one per client), until it is done or kChanging were sent. Returns ""
    // or what went wrong.
    auto while_uploading = [&](PublishLoad& load, const std::function<std::string()>& change) {
        std::atomic<bool> busy{true};
        std::string error;
        std::thread changer([&] {
            error = change();
            busy = false;
        });
        const size_t end = next + kChanging;
        bool answered = true;
        while (answered && busy && next + 4 <= end) {
            send_fresh(load, 4);
            answered = load.WaitAnswered();
        }
        changer.join();
        return answered ? error : std::string("an upload got no answer within 60 s");
    };

    PublishLoad load(a.port(), uploads, 4);
    // 1. Warm: the pool holds open sessions.
    send_fresh(load, kPhase);
    REQUIRE(load.WaitAnswered());
    for (size_t i = 0; i < kPhase; ++i) CHECK(uploads[i].statuses == std::vector<int>{200});

    // 2. Stopped (fast: sessions ended) while uploads keep coming.
    const size_t stop_from = next;
    const std::string stopped = while_uploading(load, [&] { return postgres.Stop(); });
    REQUIRE_MESSAGE(stopped.empty(), stopped);

    // 3. Down: every upload is refused with a retryable 503.
    const size_t down_from = next;
    send_fresh(load, kDown);
    REQUIRE(load.WaitAnswered());
    for (size_t i = down_from; i < next; ++i) CHECK(uploads[i].statuses == std::vector<int>{503});

    // 4. Started again a moment later while uploads keep coming.
    const size_t starting_from = next;
    const std::string started = while_uploading(load, [&] { return postgres.Start(); });
    REQUIRE_MESSAGE(started.empty(), started);

    // 5. After the restart: every upload refused so far except those of step 3 is sent again
    // unchanged and accepted (a 503 stored nothing), and fresh ones are accepted.
    std::vector<size_t> retried;
    for (size_t i = stop_from; i < next; ++i) {
        if ((i < down_from || i >= starting_from) && !uploads[i].accepted()) retried.push_back(i);
    }
    for (size_t i : retried) load.Send(i);
    const size_t after_from = next;
    send_fresh(load, kPhase);
    REQUIRE(load.WaitAnswered());
    for (size_t i : retried) CHECK_MESSAGE(uploads[i].statuses.back() == 200, "retried upload ", i);
    for (size_t i = after_from; i < next; ++i) {
        CHECK_MESSAGE(uploads[i].statuses == std::vector<int>{200}, "upload ", i);
    }

    // 6. Restarted with no request in between (a quick `systemctl restart`): the pool's idle
    // sessions are all ended, and the next uploads are still accepted, not refused.
    const std::string stopped_again = postgres.Stop();
    REQUIRE_MESSAGE(stopped_again.empty(), stopped_again);
    const std::string started_again = postgres.Start();
    REQUIRE_MESSAGE(started_again.empty(), started_again);
    const size_t quick_from = next;
    send_fresh(load, kPhase);
    REQUIRE(load.WaitAnswered());
    for (size_t i = quick_from; i < next; ++i) {
        CHECK_MESSAGE(uploads[i].statuses == std::vector<int>{200}, "upload ", i,
                      " after a quick restart: HTTP ", uploads[i].statuses.front(), " ",
                      ReplyField(uploads[i].replies.front(), "error"));
    }

    // Every answer was 200 or a retryable 503, and both happened.
    CheckOnly200Or503(uploads, 0, next);
    size_t refusals = 0, accepted = 0;
    for (size_t i = 0; i < next; ++i) {
        refusals += static_cast<size_t>(
            std::count(uploads[i].statuses.begin(), uploads[i].statuses.end(), 503));
        accepted += uploads[i].accepted() ? 1 : 0;
    }
    CHECK(refusals >= kDown);
    CHECK(accepted >= 3 * kPhase);
    MESSAGE("uploads ", next, ", accepted ", accepted, ", 503 answers ", refusals);

    // The next export holds each key of every accepted upload once, and none of the others.
    ExportWorker worker(a.state(), a.store(), a.random());
    auto run = worker.RunOnce(kTestNow);
    REQUIRE_MESSAGE(run.ok(), run.status().ToString());
    const std::map<std::string, int> exported = RestartExportedKeys(a, run->paths);
    size_t missing = 0, twice = 0, leaked = 0;
    for (size_t i = 0; i < next; ++i) {
        for (const ExposureKey& k : uploads[i].keys) {
            const auto it = exported.find(KeyBytes(k));
            const int count = it == exported.end() ? 0 : it->second;
            if (uploads[i].accepted()) {
                missing += count == 0 ? 1 : 0;
                twice += count > 1 ? 1 : 0;
            } else {
                leaked += count > 0 ? 1 : 0;
            }
        }
    }
    CHECK(missing == 0);
    CHECK(twice == 0);
    CHECK(leaked == 0);
    CHECK(a.Exposures() == static_cast<int64_t>(2 * accepted));
}

}  // namespace
}  // namespace jejak::testing
