// jejak-bench rpi: RPIK + 144 RPIs per random key on one thread, for the dispatched
// backend and the portable one in the same run. Final lines:
//   rpi path=NAME keys=N keys_per_s=X
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.h"
#include "crypto/random.h"
#include "gaen/keys/rpi_batch.h"

namespace jejak::bench {
namespace {

constexpr size_t kChunkKeys = 64;  // keys per call: output stays in L2

double ThreadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct RpiRun {
    double keys_per_s;      // wall clock: what the acceptance figure is about
    double cpu_keys_per_s;  // thread CPU time: comparable on a shared, busy machine
    uint64_t checksum;  // folds every RPI, so paths can be compared and nothing is elided
};

RpiRun TimeBackend(const KeyScheduleBackend& backend, const std::vector<uint8_t>& teks,
                   const std::vector<uint32_t>& firsts) {
    const size_t n = firsts.size();
    std::vector<uint8_t> out(kChunkKeys * kTekRollingPeriod * 16);
    uint64_t checksum = 0;
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; i += kChunkKeys) {
        const size_t m = std::min(kChunkKeys, n - i);
        const Status s = backend.derive_rpis(teks.data() + 16 * i, firsts.data() + i, m,
                                             kTekRollingPeriod, out.data());
        if (!s.ok()) throw std::runtime_error(s.ToString());
        for (size_t k = 0; k < m * kTekRollingPeriod; k += 37) checksum += out[16 * k] + k;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = ThreadCpuSeconds() - cpu_start;
    return {static_cast<double>(n) / secs, static_cast<double>(n) / cpu, checksum};
}

// The dispatched backend and the portable one, or every available backend ("all"), or one.
Result<std::vector<const KeyScheduleBackend*>> PickPaths(const std::string& which) {
    std::vector<const KeyScheduleBackend*> paths;
    if (which == "all") {
        for (auto it = AvailableBackends().rbegin(); it != AvailableBackends().rend(); ++it) {
            paths.push_back(*it);
        }
    } else if (which.empty()) {
        paths.push_back(&BestBackend());
        if (&BestBackend() != &PortableBackend()) paths.push_back(&PortableBackend());
    } else if (const KeyScheduleBackend* b = FindBackend(which)) {
        paths.push_back(b);
    } else {
        return Status::InvalidArgument("no backend '" + which + "' on this CPU");
    }
    return paths;
}

void RunRpiBench(size_t keys, int runs, const std::string& which) {
    auto picked = PickPaths(which);
    if (!picked.ok()) throw CLI::ValidationError("--backend", picked.status().message());
    const std::vector<const KeyScheduleBackend*> paths = *picked;
    SystemRandom random;
    std::vector<uint8_t> teks(16 * keys);
    random.Fill(teks);
    std::vector<uint32_t> firsts(keys);
    for (size_t i = 0; i < keys; ++i) firsts[i] = 2642976 + static_cast<uint32_t>(i % 10000) * 144;

    std::vector<std::pair<std::string, double>> medians;
    uint64_t reference_checksum = 0;
    for (const KeyScheduleBackend* path : paths) {
        std::vector<double> rates, cpu_rates;
        for (int r = 0; r < runs; ++r) {
            RpiRun run = TimeBackend(*path, teks, firsts);
            if (path == paths.front() && r == 0) reference_checksum = run.checksum;
            std::printf("run path=%s n=%d keys_per_s=%.0f ns_per_key=%.1f cpu_keys_per_s=%.0f "
                        "output=%s\n",
                        std::string(path->name).c_str(), r + 1, run.keys_per_s,
                        1e9 / run.keys_per_s, run.cpu_keys_per_s,
                        run.checksum == reference_checksum ? "same" : "DIFFERENT");
            rates.push_back(run.keys_per_s);
            cpu_rates.push_back(run.cpu_keys_per_s);
        }
        std::sort(rates.begin(), rates.end());
        std::sort(cpu_rates.begin(), cpu_rates.end());
        std::printf("median path=%s cpu_keys_per_s=%.0f\n", std::string(path->name).c_str(),
                    cpu_rates[cpu_rates.size() / 2]);
        medians.emplace_back(std::string(path->name), rates[rates.size() / 2]);
    }
    if (medians.size() >= 2) {
        std::printf("speedup %s/%s=%.1fx\n", medians[0].first.c_str(), medians.back().first.c_str(),
                    medians[0].second / medians.back().second);
    }
    for (const auto& [name, rate] : medians) {
        std::printf("rpi path=%s keys=%zu keys_per_s=%.0f\n", name.c_str(), keys, rate);
    }
}

}  // namespace

void RegisterRpiBench(CLI::App& app) {
    auto* cmd = app.add_subcommand("rpi", "RPIK + 144 RPIs per key, one thread, per backend");
    auto keys = std::make_shared<size_t>(1000000);
    auto runs = std::make_shared<int>(3);
    cmd->add_option("--keys", *keys, "Random keys per run")->check(CLI::Range(1, 100000000));
    cmd->add_option("--runs", *runs, "Runs per path; the median is reported")
        ->check(CLI::Range(1, 100));
    auto backend = std::make_shared<std::string>();
    cmd->add_option("--backend", *backend,
                    "One backend by name, or 'all' (default: the dispatched one and portable)");
    cmd->callback([keys, runs, backend] { RunRpiBench(*keys, *runs, *backend); });
}

}  // namespace jejak::bench
