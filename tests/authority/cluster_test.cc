// Several authority processes on one database, as a national deployment runs them:
//   - two `jejak authority serve` instances and many concurrent clients redeeming the same
//     codes and tokens: exactly one success per code and per token;
//   - two `jejak authority export` workers started together: every key published exactly
//     once, and index.txt lists exactly the batches written;
//   - a worker SIGKILLed mid-batch (paused after its claim through the export command's
//     test pause, JEJAK_TEST_EXPORT_PAUSE_AFTER_CLAIM_S) leaves no half batch, and the next
//     run completes the batch.
// Each case runs on SQLite and (test suite "postgresql", under scripts/pg-cluster) on
// PostgreSQL. The processes are real, so waits are bounded wall-time waits.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "gaen/export/export_verify.h"
#include "authority/export/export_worker.h"
#include "authority/files.h"
#include "authority_test_util.h"
#include "tests/support/child_process.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

#define CLUSTER_CASE(name, body) AUTHORITY_BACKEND_CASE("authority cluster: " name, body)

std::vector<std::string> JejakAuthority(const TestAuthority& a, std::vector<std::string> args) {
    std::vector<std::string> argv = {BuiltBinary("jejak"), "--state-dir", a.dir(), "authority"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

// A started `serve` instance and its port.
struct Instance {
    std::unique_ptr<ChildProcess> process;
    int port = 0;
};

Instance StartServe(const TestAuthority& a) {
    Instance i;
    i.process = std::make_unique<ChildProcess>(
        JejakAuthority(a, {"serve", "--listen", "127.0.0.1:0", "--threads", "8"}));
    REQUIRE_MESSAGE(i.process->WaitFor(0, "\n"), i.process->err());
    const std::string& line = i.process->out();
    const size_t colon = line.rfind(':');
    REQUIRE(line.rfind("listening on http://127.0.0.1:", 0) == 0);
    i.port = std::stoi(line.substr(colon + 1));
    return i;
}

void StopServe(Instance& i) {
    i.process->Signal(SIGTERM);
    CHECK(i.process->Wait() == 0);
}

// Every client posts each body once, to instance (client % 2); returns, per body, how many
// clients got 200 and the first 200 reply.
struct RaceOutcome {
    std::vector<int> successes;
    std::vector<nlohmann::json> replies;
    int other_errors = 0;  // replies that are neither 200 nor the expected refusal
};

RaceOutcome Race(const std::vector<int>& ports, const std::string& path,
                 const std::vector<std::string>& bodies, const std::string& api_key, int clients) {
    RaceOutcome out;
    out.successes.assign(bodies.size(), 0);
    out.replies.resize(bodies.size());
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            httplib::Client client("127.0.0.1", ports[static_cast<size_t>(c) % ports.size()]);
            client.set_keep_alive(true);
            const httplib::Headers headers = {{"X-API-Key", api_key}};
            for (size_t i = 0; i < bodies.size(); ++i) {
                auto res = client.Post(path, headers, bodies[i], "application/json");
                std::lock_guard lock(mu);
                if (res && res->status == 200) {
                    if (out.successes[i]++ == 0) out.replies[i] = nlohmann::json::parse(res->body);
                } else if (!res || res->status != 400) {
                    ++out.other_errors;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    return out;
}

void RaceOnTwoInstances(const std::string& database) {
    TestAuthority a(database);
    Instance one = StartServe(a);
    Instance two = StartServe(a);
    const std::vector<int> ports = {one.port, two.port};
    constexpr int kClients = 16;
    std::vector<std::string> verify_bodies;
    for (int i = 0; i < 12; ++i) {
        verify_bodies.push_back(
            nlohmann::json{{"code", a.IssueCode()}, {"accept", {"confirmed", "likely", "negative"}}}
                .dump());
    }
    RaceOutcome codes = Race(ports, "/api/verify", verify_bodies, a.api_key(), kClients);
    CHECK(codes.other_errors == 0);
    std::vector<std::string> cert_bodies;
    for (size_t i = 0; i < verify_bodies.size(); ++i) {
        CHECK_MESSAGE(codes.successes[i] == 1, "code ", i);
        if (codes.successes[i] != 1) continue;
        const std::string mac = Base64Encode(std::vector<uint8_t>(32, static_cast<uint8_t>(i)));
        cert_bodies.push_back(
            nlohmann::json{{"token", codes.replies[i]["token"]}, {"ekeyhmac", mac}}.dump());
    }
    RaceOutcome tokens = Race(ports, "/api/certificate", cert_bodies, a.api_key(), kClients);
    CHECK(tokens.other_errors == 0);
    for (size_t i = 0; i < cert_bodies.size(); ++i)
        CHECK_MESSAGE(tokens.successes[i] == 1, "token ", i);
    StopServe(one);
    StopServe(two);
}
CLUSTER_CASE("two serve instances, 16 clients: each code and each token is redeemed exactly once",
             RaceOnTwoInstances)

// `count` keys published straight into the store, all past their embargo.
std::set<std::array<uint8_t, 16>> PublishKeys(TestAuthority& a, size_t count) {
    std::set<std::array<uint8_t, 16>> keys;
    for (size_t done = 0; done < count; done += 100) {
        std::vector<StoredExposure> rows(100);
        std::vector<Tek> teks;
        for (StoredExposure& e : rows) {
            a.random().Fill(e.key.mutable_bytes());
            e.rolling_start = DayStartInterval(kTestNow) - 144;
            e.report_type = 1;
            teks.push_back(e.key);
            std::array<uint8_t, 16> k;
            std::copy(e.key.bytes().begin(), e.key.bytes().end(), k.begin());
            keys.insert(k);
        }
        auto r =
            a.store().Publish(teks, [&](const std::vector<StoredExposure>&) -> Result<PublishPlan> {
                PublishPlan plan;
                plan.inserts = rows;
                return plan;
            });
        REQUIRE(r.ok());
    }
    return keys;
}

// Sets a field of authority.json (e.g. smaller batches so that a run writes several).
void SetSetting(TestAuthority& a, const std::string& name, const nlohmann::json& value) {
    const std::string path = a.dir() + "/authority.json";
    auto text = ReadSmallFile(path);
    REQUIRE(text.ok());
    nlohmann::json j = nlohmann::json::parse(*text);
    j[name] = value;
    REQUIRE(WriteFileDurably(path, j.dump(2), 0644).ok());
}

// Reads index.txt and every listed batch (signature checked); counts each published key.
std::map<std::array<uint8_t, 16>, int> PublishedKeys(TestAuthority& a, size_t& batches) {
    ExportKeyRing ring;
    const auto& s = a.state().settings();
    REQUIRE(
        ring.AddPem(s.export_key_id, s.export_key_version, a.state().export_public_key_pem()).ok());
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    std::map<std::array<uint8_t, 16>, int> seen;
    auto index = ReadSmallFile(a.state().exports_dir() + "/index.txt");
    REQUIRE(index.ok());
    std::set<std::string> listed;
    size_t start = 0;
    batches = 0;
    for (size_t nl = index->find('\n'); nl != std::string::npos;
         start = nl + 1, nl = index->find('\n', start)) {
        const std::string name = index->substr(start, nl - start);
        CHECK(listed.insert(name).second);
        auto loaded = LoadExport(a.state().exports_dir() + "/" + name, options);
        REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
        for (const DiagnosisKey& k : loaded->file.keys) {
            std::array<uint8_t, 16> b;
            std::copy(k.key.bytes().begin(), k.key.bytes().end(), b.begin());
            ++seen[b];
        }
        ++batches;
    }
    // Nothing but the listed batches and index.txt: no half-written or unlisted file.
    for (const auto& entry : std::filesystem::directory_iterator(a.state().exports_dir())) {
        const std::string name = entry.path().filename().string();
        CHECK_MESSAGE((name == "index.txt" || listed.count(name) == 1), name);
    }
    return seen;
}

void CheckEachOnce(const std::set<std::array<uint8_t, 16>>& keys,
                   const std::map<std::array<uint8_t, 16>, int>& seen) {
    size_t missing = 0, twice = 0;
    for (const auto& k : keys) {
        const auto it = seen.find(k);
        if (it == seen.end())
            ++missing;
        else if (it->second != 1)
            ++twice;
    }
    CHECK(missing == 0);
    CHECK(twice == 0);
}

void TwoWorkers(const std::string& database) {
    TestAuthority a(database);
    const auto keys = PublishKeys(a, 3000);
    SetSetting(a, "export_max_keys", 250);  // 12 batches: a long window to race in
    const std::vector<std::string> args = {"export", "--now", std::to_string(kTestNow), "--json"};
    ChildProcess first(JejakAuthority(a, args));
    ChildProcess second(JejakAuthority(a, args));
    const int rc1 = first.Wait();
    const int rc2 = second.Wait();
    size_t published = 0;
    for (auto [rc, p] : {std::pair{rc1, &first}, std::pair{rc2, &second}}) {
        if (rc == 0) {
            published += nlohmann::json::parse(p->out())["keys"].get<size_t>();
        } else {
            CHECK(rc == 1);
            CHECK_MESSAGE(p->err().find("another export worker is running") != std::string::npos,
                          p->err());
        }
    }
    CHECK((rc1 == 0 || rc2 == 0));
    CHECK(published == keys.size());
    size_t batches = 0;
    CheckEachOnce(keys, PublishedKeys(a, batches));
    CHECK(batches == 12);
}
CLUSTER_CASE("two export workers started together publish each key exactly once", TwoWorkers)

void KilledWorker(const std::string& database) {
    TestAuthority a(database);
    const auto keys = PublishKeys(a, 500);
    const std::vector<std::string> args = {"export", "--now", std::to_string(kTestNow), "--json"};
    {
        ChildOptions pause;
        pause.env = {"JEJAK_TEST_EXPORT_PAUSE_AFTER_CLAIM_S=60"};
        ChildProcess worker(JejakAuthority(a, args), pause);
        REQUIRE_MESSAGE(worker.WaitFor(1, "paused after claiming"), worker.err());
        worker.Signal(SIGKILL);
        CHECK(worker.Wait() == 128 + SIGKILL);
    }
    // The claim is committed, nothing is published: no batch file, no index entry.
    auto pending = a.store().PendingBatches();
    REQUIRE(pending.ok());
    REQUIRE(pending->size() == 1);
    CHECK(pending->at(0).entries.size() == 500);
    for (const auto& entry : std::filesystem::directory_iterator(a.state().exports_dir())) {
        CHECK_MESSAGE(entry.path().filename() == "index.txt", entry.path().string());
    }
    auto index = ReadSmallFile(a.state().exports_dir() + "/index.txt");
    CHECK((!index.ok() || index->empty()));
    // The next run (the lease of the killed one is gone with it) completes the batch.
    ChildProcess next(JejakAuthority(a, args));
    REQUIRE_MESSAGE(next.Wait() == 0, next.err());
    const nlohmann::json report = nlohmann::json::parse(next.out());
    CHECK(report["resumed"] == 1);
    CHECK(report["batches"] == 1);
    CHECK(report["keys"] == 500);
    CHECK(report["paths"][0] == pending->at(0).path);
    size_t batches = 0;
    CheckEachOnce(keys, PublishedKeys(a, batches));
    CHECK(batches == 1);
    CHECK(a.store().PendingBatches()->empty());
}
CLUSTER_CASE("an export worker killed mid-batch leaves no half batch; the next run completes it",
             KilledWorker)

}  // namespace
}  // namespace jejak::testing
