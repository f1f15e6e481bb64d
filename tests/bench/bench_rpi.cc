// jejak-bench rpi: RPIK + 144 RPIs per random key on one thread, for the dispatched
// backend and the portable one in the same run. Final lines:
//   rpi path=NAME keys=N keys_per_s=X
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench.h"
#include "crypto/random.h"
#include "crypto/rpi_batch.h"

namespace jejak::bench {
namespace {

constexpr size_t kChunkKeys = 64;  // keys per call: output stays in L2

struct RpiRun {
    double keys_per_s;
    uint64_t checksum;  // folds every RPI, so paths can be compared and nothing is elided
};

RpiRun TimeBackend(const KeyScheduleBackend& backend, const std::vector<uint8_t>& teks,
                   const std::vector<uint32_t>& firsts) {
    const size_t n = firsts.size();
    std::vector<uint8_t> out(kChunkKeys * kTekRollingPeriod * 16);
    uint64_t checksum = 0;
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; i += kChunkKeys) {
        const size_t m = std::min(kChunkKeys, n - i);
        backend.derive_rpis(teks.data() + 16 * i, firsts.data() + i, m, kTekRollingPeriod,
                            out.data());
        for (size_t k = 0; k < m * kTekRollingPeriod; k += 37) checksum += out[16 * k] + k;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {static_cast<double>(n) / secs, checksum};
}

void RunRpiBench(size_t keys, int runs) {
    SystemRandom random;
    std::vector<uint8_t> teks(16 * keys);
    random.Fill(teks);
    std::vector<uint32_t> firsts(keys);
    for (size_t i = 0; i < keys; ++i) firsts[i] = 2642976 + static_cast<uint32_t>(i % 10000) * 144;

    std::vector<const KeyScheduleBackend*> paths{&BestBackend()};
    if (&BestBackend() != &PortableBackend()) paths.push_back(&PortableBackend());
    std::vector<std::pair<std::string, double>> medians;
    uint64_t reference_checksum = 0;
    for (const KeyScheduleBackend* path : paths) {
        std::vector<double> rates;
        for (int r = 0; r < runs; ++r) {
            RpiRun run = TimeBackend(*path, teks, firsts);
            if (path == paths.front() && r == 0) reference_checksum = run.checksum;
            std::printf("run path=%s n=%d keys_per_s=%.0f ns_per_key=%.1f output=%s\n",
                        std::string(path->name).c_str(), r + 1, run.keys_per_s,
                        1e9 / run.keys_per_s,
                        run.checksum == reference_checksum ? "same" : "DIFFERENT");
            rates.push_back(run.keys_per_s);
        }
        std::sort(rates.begin(), rates.end());
        medians.emplace_back(std::string(path->name), rates[rates.size() / 2]);
    }
    if (medians.size() == 2) {
        std::printf("speedup %s/%s=%.1fx\n", medians[0].first.c_str(), medians[1].first.c_str(),
                    medians[0].second / medians[1].second);
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
    cmd->callback([keys, runs] { RunRpiBench(*keys, *runs); });
}

}  // namespace jejak::bench
