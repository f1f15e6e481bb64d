// jejak-bench authority: the pilot authority's publish throughput on loopback and the export
// worker's throughput, on a throwaway state directory.
//   authority publish_per_s=X export_keys_per_s=Y
// publish: N concurrent clients (keep-alive, one thread each) send prepared /v1/publish
// requests, each with 14 fresh keys (one per past day) and its own valid certificate (signed
// beforehand with the authority's certificate key, so only publishing is timed: parsing,
// signature and HMAC checks, validation, the SQLite transaction). Bounded by --requests and
// --seconds; X counts 200 replies per wall second. export: one worker run over every
// published key (one batch, fsync included); Y = keys / wall second. A detail line follows.
// With --database and/or --instances, the deployment benchmark of bench_authority_cluster.cc
// runs instead (serve processes on one database, p99 latency, per-process CPU).
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "authority/authority_state.h"
#include "platform/base/base64.h"
#include "authority/export/export_worker.h"
#include "authority/http/http_server.h"
#include "authority/jwt.h"
#include "authority/service.h"
#include "gaen/api/ekeyhmac.h"
#include "bench.h"
#include "bench_authority.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak::bench {

using namespace jejak::authority;

namespace {

double WallSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string PrepareRequest(const AuthorityState& state, RandomSource& random, int64_t now) {
    std::vector<ExposureKey> keys(14);
    const uint32_t today = static_cast<uint32_t>((now - now % 86400) / 600);
    nlohmann::json json_keys = nlohmann::json::array();
    for (size_t i = 0; i < keys.size(); ++i) {
        random.Fill(keys[i].key.mutable_bytes());
        keys[i].rolling_start_number = today - 144 * static_cast<uint32_t>(i + 1);
        keys[i].rolling_period = 144;
        json_keys.push_back({{"key", Base64Encode(keys[i].key.bytes())},
                             {"rollingStartNumber", keys[i].rolling_start_number},
                             {"rollingPeriod", 144}, {"transmissionRisk", 0}});
    }
    std::vector<uint8_t> secret(16);
    random.Fill(secret);
    const AuthoritySettings& s = state.settings();
    const nlohmann::json claims = {{"iss", s.issuer}, {"aud", s.audience}, {"iat", now},
                                   {"exp", now + 3600}, {"reportType", "confirmed"},
                                   {"tekmac", Base64Encode(ComputeEkeyHmac(secret, keys))}};
    auto cert = SignJwtEs256(claims, s.certificate_key_id, state.certificate_key());
    std::vector<uint8_t> padding(1024);
    random.Fill(padding);
    return nlohmann::json{{"temporaryExposureKeys", json_keys},
                          {"healthAuthorityID", s.health_authority_id},
                          {"verificationPayload", cert.ok() ? *cert : ""},
                          {"hmacKey", Base64Encode(secret)},
                          {"padding", Base64Encode(padding)}}
        .dump();
}

namespace {

int RunAuthorityBench(const AuthorityBenchArgs& args) {
    const testing::ScratchDir scratch("bench-auth");
    const std::string dir = scratch.str();
    SystemRandom random;
    SystemClock clock;
    int rc = 1;
    {
        auto init = AuthorityState::Init(dir, "ZZ", random);
        auto state = init.ok() ? AuthorityState::Open(dir, authority::ExportKey::kLoad) : Result<std::unique_ptr<AuthorityState>>(init.status());
        auto store = state.ok() ? (*state)->OpenStore() : Result<std::unique_ptr<AuthorityStore>>(state.status());
        if (!store.ok()) {
            std::fprintf(stderr, "jejak-bench: %s\n", store.status().ToString().c_str());
            return 1;
        }
        const int64_t now = clock.NowUnixMicros() / 1000000;
        std::vector<std::string> bodies;
        for (int i = 0; i < args.requests; ++i) bodies.push_back(PrepareRequest(**state, random, now));

        AuthorityService service(**state, **store, clock, random);
        AuthorityHttpServer server(service, (*state)->exports_dir());
        ServeOptions options;
        options.threads = std::max(args.clients, 2);
        if (Status bound = server.Bind(options); !bound.ok()) {
            std::fprintf(stderr, "jejak-bench: %s\n", bound.ToString().c_str());
            return 1;
        }
        std::thread serving([&] { (void)server.Run(); });

        std::atomic<size_t> next{0}, ok{0}, failed{0};
        const double start = WallSeconds();
        const double deadline = start + args.seconds;
        std::vector<std::thread> clients;
        for (int c = 0; c < args.clients; ++c) {
            clients.emplace_back([&] {
                httplib::Client client("127.0.0.1", server.port());
                client.set_keep_alive(true);
                client.set_tcp_nodelay(true);  // as curl does
                for (size_t i = next++; i < bodies.size() && WallSeconds() < deadline; i = next++) {
                    auto res = client.Post("/v1/publish", bodies[i], "application/json");
                    (res && res->status == 200 ? ok : failed)++;
                }
            });
        }
        for (auto& t : clients) t.join();
        const double publish_s = WallSeconds() - start;
        server.Stop();
        serving.join();

        ExportWorker worker(**state, **store, random);
        const double export_start = WallSeconds();
        auto run = worker.RunOnce(now + 3 * 86400);
        const double export_s = WallSeconds() - export_start;
        if (run.ok()) {
            std::printf("authority publish_per_s=%.0f export_keys_per_s=%.0f\n",
                        static_cast<double>(ok.load()) / publish_s,
                        static_cast<double>(run->keys) / export_s);
            std::printf("authority-detail clients=%d requests_ok=%zu requests_failed=%zu "
                        "publish_s=%.2f export_keys=%zu export_batches=%zu export_s=%.2f\n",
                        args.clients, ok.load(), failed.load(), publish_s, run->keys,
                        run->batches, export_s);
            rc = failed.load() == 0 ? 0 : 1;
        } else {
            std::fprintf(stderr, "jejak-bench: export: %s\n", run.status().ToString().c_str());
        }
    }
    return rc;
}

}  // namespace

void RegisterAuthorityBench(CLI::App& app) {
    auto args = std::make_shared<AuthorityBenchArgs>();
    CLI::App* cmd = app.add_subcommand(
        "authority", "Publish requests/s on loopback and export worker keys/s");
    cmd->add_option("--clients", args->clients, "Concurrent clients")->check(CLI::Range(1, 64));
    cmd->add_option("--requests", args->requests, "Publish requests (14 keys each)")
        ->check(CLI::Range(1, 200000));
    cmd->add_option("--seconds", args->seconds, "Stop publishing after this long")
        ->check(CLI::Range(0.1, 600.0));
    cmd->add_option("--database", args->database,
                    "Deployment mode: a SQLite file or postgresql:// URI shared by the instances");
    cmd->add_option("--instances", args->instances,
                    "Deployment mode: `jejak authority serve` processes (default 1)")
        ->check(CLI::Range(1, 16));
    cmd->callback([args] {
        const bool cluster = !args->database.empty() || args->instances > 0;
        if (cluster && args->instances == 0) args->instances = 1;
        const int rc = cluster ? RunAuthorityClusterBench(*args) : RunAuthorityBench(*args);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace jejak::bench
