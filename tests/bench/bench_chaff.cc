// jejak-bench chaff: how long the authority takes to answer a real request and its decoy
// (regression: the chaff path must take comparable time, or the reply time tells a
// decoy apart). The service is called in process on a throwaway SQLite state directory, real
// and decoy calls interleaved, so HTTP and scheduling noise fall on both alike:
//   chaff call=verify real_p50_us=X chaff_p50_us=Y real_mean_us=.. chaff_mean_us=.. ratio=Y/X
// for verify, certificate and publish. Real verifies redeem issued codes; real certificates
// redeem their tokens; real publishes carry 14 keys and a valid certificate. Decoys carry
// the device's decoy values (random code, token and HMAC; 14 keys).
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <vector>

#include <nlohmann/json.hpp>

#include "authority/authority_state.h"
#include "platform/base/base64.h"
#include "authority/service.h"
#include "bench.h"
#include "bench_authority.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak::bench {
namespace {

using namespace jejak::authority;
using SteadyClock = std::chrono::steady_clock;

struct Timings {
    std::vector<double> real_us, chaff_us;
};

double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
double Mean(const std::vector<double>& v) {
    return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

template <typename Fn>
double Micros(Fn fn) {
    const auto start = SteadyClock::now();
    fn();
    return std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count();
}

void Print(const char* call, const Timings& t) {
    const double real = Median(t.real_us), chaff = Median(t.chaff_us);
    std::printf("chaff call=%s real_p50_us=%.0f chaff_p50_us=%.0f real_mean_us=%.0f "
                "chaff_mean_us=%.0f ratio=%.2f\n",
                call, real, chaff, Mean(t.real_us), Mean(t.chaff_us), real > 0 ? chaff / real : 0);
}

std::string RandomBase64(RandomSource& random, size_t bytes) {
    std::vector<uint8_t> b(bytes);
    random.Fill(b);
    return Base64Encode(b);
}

// A distinct source address per call: the rate limits see a crowd, not one guesser.
std::string Peer(size_t i) {
    return "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." +
           std::to_string(i % 256);
}

int RunChaffBench(int requests) {
    const testing::ScratchDir scratch("bench-chaff");
    const std::string dir = scratch.str();
    SystemRandom random;
    SystemClock clock;
    auto init = AuthorityState::Init(dir, "ZZ", random);
    auto state = init.ok() ? AuthorityState::Open(dir, authority::ExportKey::kLoad) : Result<std::unique_ptr<AuthorityState>>(init.status());
    auto store = state.ok() ? (*state)->OpenStore() : Result<std::unique_ptr<AuthorityStore>>(state.status());
    if (!store.ok()) {
        std::fprintf(stderr, "jejak-bench: %s\n", store.status().ToString().c_str());
        return 1;
    }
    const std::string key = init->api_key;
    const size_t n = static_cast<size_t>(requests);
    AuthorityService service(**state, **store, clock, random);
    std::vector<std::string> codes;
    for (size_t i = 0; i < n; ++i) {
        auto issued = service.IssueCode("confirmed", "", "", 3600);
        if (!issued.ok()) return 1;
        codes.push_back(issued->code);
    }
    const int64_t now = clock.NowUnixMicros() / 1000000;
    std::vector<std::string> bodies, decoys;
    for (size_t i = 0; i < n; ++i) bodies.push_back(PrepareRequest(**state, random, now));
    for (size_t i = 0; i < n; ++i) decoys.push_back(PrepareRequest(**state, random, now));

    Timings verify, certificate, publish;
    std::vector<std::string> tokens;
    size_t failed = 0;
    for (size_t i = 0; i < n; ++i) {
        const std::string real = nlohmann::json{{"code", codes[i]}}.dump();
        const std::string decoy =
            nlohmann::json{{"code", codes[i].substr(0, 4) + std::to_string(100000 + i)}}.dump();
        ApiReply r;
        verify.real_us.push_back(Micros([&] { r = service.Verify(key, real, false, Peer(i)); }));
        verify.chaff_us.push_back(Micros([&] { (void)service.Verify(key, decoy, true, Peer(i)); }));
        if (r.status != 200) ++failed;
        tokens.push_back(r.status == 200 ? r.body["token"].get<std::string>() : "");
    }
    for (size_t i = 0; i < n; ++i) {
        const std::string mac = RandomBase64(random, 32);
        const std::string real = nlohmann::json{{"token", tokens[i]}, {"ekeyhmac", mac}}.dump();
        const std::string decoy =
            nlohmann::json{{"token", RandomBase64(random, 32)}, {"ekeyhmac", mac}}.dump();
        ApiReply r;
        certificate.real_us.push_back(
            Micros([&] { r = service.Certificate(key, real, false, Peer(i)); }));
        certificate.chaff_us.push_back(
            Micros([&] { (void)service.Certificate(key, decoy, true, Peer(i)); }));
        if (r.status != 200) ++failed;
    }
    for (size_t i = 0; i < n; ++i) {
        ApiReply r;
        publish.real_us.push_back(Micros([&] { r = service.Publish(bodies[i], false); }));
        publish.chaff_us.push_back(Micros([&] { (void)service.Publish(decoys[i], true); }));
        if (r.status != 200) ++failed;
    }
    Print("verify", verify);
    Print("certificate", certificate);
    Print("publish", publish);
    std::printf("chaff-detail requests=%zu real_failed=%zu\n", n, failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace

void RegisterChaffBench(CLI::App& app) {
    auto requests = std::make_shared<int>(500);
    CLI::App* cmd = app.add_subcommand(
        "chaff", "Authority time for a real request and its decoy (verify, certificate, publish)");
    cmd->add_option("--requests", *requests, "Calls of each kind")->check(CLI::Range(1, 2000));
    cmd->callback([requests] {
        if (const int rc = RunChaffBench(*requests); rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace jejak::bench
