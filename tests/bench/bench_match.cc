// jejak-bench match: streaming matcher throughput with --threads N workers (default 1),
// timed in wall-clock seconds (threads are the point, so CPU time would hide the gain; run it
// on a quiet machine and repeat). derive-only is one thread, in thread CPU seconds.
// peak_rss_kib is the process's peak during that run (the benchmark's own workload arrays,
// ~30 MB at the defaults, included). Each run is followed by a "cpu" line: the same run in
// process CPU seconds (all threads), which a shared machine disturbs much less.
//   match keys=N stored=M found=F keys_per_s=X ... threads=N        keys generated in memory
//   read-files keys=N files=F keys_per_s=X                          reading them alone, no matching
//   match-files keys=N stored=M found=F keys_per_s=X ... threads=N  the same keys from export.zip,
//                                                    read on their own thread as `jejak match` does
// Stored sightings are M random RPIs spread over 14 days plus 5 planted true matches (RPIs
// of 5 of the keys, heard inside their validity); all 5 must be found. Keys start on the
// same 14 days, so no key is skipped by the time-range filter: every key pays for RPIK, 144
// AES blocks and 144 index probes. Files are written with libzip by a minimal test-only
// export writer (unsigned: the matcher's cost is measured, not ECDSA).
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/check/export_feed.h"
#include "gaen/export/export_verify.h"
#include "agent/exposure/match.h"
#include "bench.h"
#include "crypto/random.h"

namespace jejak::bench {
namespace {

constexpr EnIntervalNumber kFirstDayInterval = 2642976;  // 2020-04-02, the spec vectors' day
constexpr uint32_t kDays = 14;
constexpr size_t kPlanted = 5;
constexpr size_t kFeedKeys = 4096;
constexpr size_t kKeysPerFile = 100000;  // ~3 MB files; the reader holds one file at a time

struct Workload {
    std::vector<uint8_t> teks;      // 16 bytes per key
    std::vector<uint32_t> starts;   // rolling start per key
    std::vector<SightingRecord> records;
    std::vector<size_t> planted;    // key indices
};

Workload MakeWorkload(size_t keys, size_t stored) {
    SystemRandom random;
    Workload w;
    w.teks.resize(16 * keys);
    random.Fill(w.teks);
    w.starts.resize(keys);
    for (size_t i = 0; i < keys; ++i) {
        w.starts[i] = kFirstDayInterval + static_cast<uint32_t>(i % kDays) * kTekRollingPeriod;
    }
    std::vector<uint8_t> bytes(24 * stored);
    random.Fill(bytes);
    w.records.resize(stored);
    for (size_t i = 0; i < stored; ++i) {
        SightingRecord& r = w.records[i];
        std::memcpy(r.rpi.data(), &bytes[24 * i], 16);
        uint32_t offset;
        std::memcpy(&offset, &bytes[24 * i + 16], 4);
        r.first_seen = UnixSecondsOfInterval(kFirstDayInterval) + offset % (kDays * 86400);
        r.last_seen = r.first_seen + 2;
        r.mean_rssi = -70;
        r.max_rssi = -65;
    }
    for (size_t p = 0; p < kPlanted && p < keys && p < stored; ++p) {
        const size_t k = ((keys / kPlanted) * p + 7) % keys;
        w.planted.push_back(k);
        const EnIntervalNumber interval = w.starts[k] + 60 + static_cast<uint32_t>(p);
        Rpi rpi;
        Status s = RpiDeriver().Derive(Tek(std::span<const uint8_t, 16>(&w.teks[16 * k], 16)),
                                       interval, std::span(&rpi, 1));
        (void)s;
        w.records[p * (stored / kPlanted)].rpi = rpi;
        w.records[p * (stored / kPlanted)].first_seen = UnixSecondsOfInterval(interval) + 30;
    }
    return w;
}

size_t CountFound(const std::vector<KeyHits>& matches, const Workload& w) {
    size_t found = 0;
    for (size_t k : w.planted) {
        const Tek tek(std::span<const uint8_t, 16>(&w.teks[16 * k], 16));
        for (const KeyHits& m : matches) {
            if (m.key.key == tek) {
                ++found;
                break;
            }
        }
    }
    return found;
}

// Thread CPU seconds: for the single-threaded derive-only figure.
double CpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The key schedule alone (same chunking as the matcher), to show the probing share.
void RunDeriveOnly(const Workload& w) {
    const size_t n = w.starts.size();
    std::vector<Rpi> out(Matcher::kChunkKeys * kTekRollingPeriod);
    const RpiDeriver deriver;
    std::vector<Tek> teks(Matcher::kChunkKeys);
    uint64_t fold = 0;
    const double start = CpuSeconds();
    for (size_t i = 0; i < n; i += Matcher::kChunkKeys) {
        const size_t m = std::min(Matcher::kChunkKeys, n - i);
        for (size_t j = 0; j < m; ++j) std::memcpy(teks[j].data(), &w.teks[16 * (i + j)], 16);
        Status s = deriver.DeriveMany(std::span(teks.data(), m), std::span(&w.starts[i], m),
                                      kTekRollingPeriod, std::span(out.data(), m * kTekRollingPeriod));
        (void)s;
        fold += out[0][0];
    }
    const double secs = CpuSeconds() - start;
    std::printf("derive-only keys=%zu keys_per_s=%.0f fold=%llu\n", n, static_cast<double>(n) / secs,
                static_cast<unsigned long long>(fold));
}

// Peak resident set since the last ResetPeakRss (VmHWM), so each run reports its own peak
// rather than the export writer's; falls back to the process peak if /proc says nothing.
void ResetPeakRss() {
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    if (f == nullptr) return;
    std::fputs("5", f);
    std::fclose(f);
}

long PeakRssKib() {
    if (std::FILE* f = std::fopen("/proc/self/status", "r"); f != nullptr) {
        char line[256];
        long kib = -1;
        while (std::fgets(line, sizeof line, f) != nullptr) {
            if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
        }
        std::fclose(f);
        if (kib > 0) return kib;
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// Wall-clock seconds, for the matcher runs (several threads).
double WallSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// CPU seconds of every thread of the process: keys per CPU second stays comparable when the
// machine is shared, where the wall-clock rate measures the neighbours too.
double ProcessCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timer {
    double wall = WallSeconds();
    double cpu = ProcessCpuSeconds();
};

// "cpu name=match cpu_s=X keys_per_cpu_s=Y": the same run in process CPU time.
void ReportCpu(const char* name, size_t keys, const Timer& start) {
    const double cpu = ProcessCpuSeconds() - start.cpu;
    std::printf("cpu name=%s cpu_s=%.3f keys_per_cpu_s=%.0f\n", name, cpu,
                static_cast<double>(keys) / cpu);
}

void Report(const char* name, size_t keys, size_t stored, size_t found, double secs,
            const MatchStats& stats, unsigned threads) {
    std::printf("%s keys=%zu stored=%zu found=%zu keys_per_s=%.0f probes=%llu skipped=%llu "
                "peak_rss_kib=%ld threads=%u\n",
                name, keys, stored, found, static_cast<double>(keys) / secs,
                static_cast<unsigned long long>(stats.probes),
                static_cast<unsigned long long>(stats.skipped_keys), PeakRssKib(), threads);
}

void RunInMemory(const Workload& w, const RpiIndex& index, unsigned threads) {
    const size_t n = w.starts.size();
    std::vector<DiagnosisKey> feed(kFeedKeys);
    Matcher matcher(index, MatchOptions{threads});
    ResetPeakRss();
    const Timer start;
    for (size_t i = 0; i < n; i += kFeedKeys) {
        const size_t m = std::min(kFeedKeys, n - i);
        for (size_t j = 0; j < m; ++j) {
            std::memcpy(feed[j].key.data(), &w.teks[16 * (i + j)], 16);
            feed[j].rolling_start_interval_number = w.starts[i + j];
        }
        matcher.Add(std::span(feed.data(), m));
    }
    const std::vector<KeyHits> matches = matcher.Finish();
    const double secs = WallSeconds() - start.wall;
    Report("match", n, w.records.size(), CountFound(matches, w), secs, matcher.stats(),
           matcher.threads());
    ReportCpu("match", n, start);
}

// --- minimal test-only export writer (protobuf by hand, zip with libzip) ---
void PutVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

std::string EncodeExportBin(const Workload& w, size_t begin, size_t end) {
    std::string bin(kExportHeader, kExportHeaderSize);
    bin += std::string("\x20\x01\x28\x01", 4);  // batch_num 1, batch_size 1
    for (size_t i = begin; i < end; ++i) {
        std::string key;
        key += '\x0a';
        key += '\x10';
        key.append(reinterpret_cast<const char*>(&w.teks[16 * i]), 16);
        key += '\x10';  // transmission_risk_level
        PutVarint(key, 2);
        key += '\x18';  // rolling_start_interval_number
        PutVarint(key, w.starts[i]);
        key += '\x28';  // report_type CONFIRMED_TEST
        PutVarint(key, 1);
        bin += '\x3a';  // field 7, length-delimited
        PutVarint(bin, key.size());
        bin += key;
    }
    return bin;
}

bool WriteZip(const std::string& path, const std::string& bin) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (z == nullptr) return false;
    zip_source_t* src = zip_source_buffer(z, bin.data(), bin.size(), 0);
    if (src == nullptr || zip_file_add(z, "export.bin", src, ZIP_FL_OVERWRITE) < 0) {
        zip_discard(z);
        return false;
    }
    zip_source_t* sig = zip_source_buffer(z, "", 0, 0);
    if (sig == nullptr || zip_file_add(z, "export.sig", sig, ZIP_FL_OVERWRITE) < 0) {
        zip_discard(z);
        return false;
    }
    return zip_close(z) == 0;
}

std::vector<std::string> WriteExports(const Workload& w, const std::string& dir) {
    std::filesystem::create_directories(dir);
    std::vector<std::string> paths;
    for (size_t i = 0; i < w.starts.size(); i += kKeysPerFile) {
        const std::string path = dir + "/export-" + std::to_string(paths.size()) + ".zip";
        if (!WriteZip(path, EncodeExportBin(w, i, std::min(w.starts.size(), i + kKeysPerFile)))) {
            std::fprintf(stderr, "cannot write %s\n", path.c_str());
            return {};
        }
        paths.push_back(path);
    }
    return paths;
}

// The reading alone (inflate, structure check, key decode; no matching), one thread: what the
// from-files path adds to the in-memory one.
void RunReadOnly(const std::vector<std::string>& paths) {
    size_t keys = 0;
    const Timer start;
    for (const std::string& path : paths) {
        auto summary = VisitExport(path, {}, [&](const DiagnosisKey&, KeyList) {
            ++keys;
            return Status::Ok();
        });
        if (!summary.ok()) {
            std::fprintf(stderr, "%s\n", summary.status().ToString().c_str());
            return;
        }
    }
    const double secs = WallSeconds() - start.wall;
    std::printf("read-files keys=%zu files=%zu keys_per_s=%.0f\n", keys, paths.size(),
                static_cast<double>(keys) / secs);
    ReportCpu("read-files", keys, start);
}

// The from-files path as `jejak match` runs it: FeedExportFiles reads on its own thread.
void RunFromFiles(const Workload& w, const RpiIndex& index, const std::vector<std::string>& paths,
                  unsigned threads) {
    Matcher matcher(index, MatchOptions{threads});
    ResetPeakRss();
    const Timer start;
    auto fed = FeedExportFiles(paths, {}, matcher);
    if (!fed.ok()) {
        std::fprintf(stderr, "%s\n", fed.status().ToString().c_str());
        return;
    }
    const std::vector<KeyHits> matches = matcher.Finish();
    const double secs = WallSeconds() - start.wall;
    Report("match-files", w.starts.size(), w.records.size(), CountFound(matches, w), secs,
           matcher.stats(), matcher.threads());
    ReportCpu("match-files", w.starts.size(), start);
}

void RunMatchBench(size_t keys, size_t stored, const std::string& dir, bool files,
                   unsigned threads) {
    const Workload w = MakeWorkload(keys, stored);
    const auto build_start = std::chrono::steady_clock::now();
    const RpiIndex index(w.records, 0x9E3779B97F4A7C15ull);
    const double build_secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
    // What the matcher holds whatever the number of keys: the index plus one chunk of keys
    // and their derived RPIs (the workload arrays above are the benchmark's own input).
    const size_t chunk_bytes =
        Matcher::kChunkKeys * (kTekRollingPeriod * sizeof(Rpi) + sizeof(DiagnosisKey) + 32);
    std::printf("index stored=%zu distinct=%zu bytes=%zu build_ms=%.1f backend=%s "
                "matcher_fixed_bytes=%zu\n",
                stored, index.distinct_rpis(), index.memory_bytes(), build_secs * 1e3,
                std::string(BestBackend().name).c_str(), index.memory_bytes() + chunk_bytes);
    RunDeriveOnly(w);
    RunInMemory(w, index, threads);
    if (!files) return;
    const std::vector<std::string> paths = WriteExports(w, dir);
    if (!paths.empty()) {
        RunReadOnly(paths);
        RunFromFiles(w, index, paths, threads);
    }
    for (const auto& p : paths) std::filesystem::remove(p);
    std::error_code ec;
    std::filesystem::remove(dir, ec);  // removed only when empty
}

}  // namespace

void RegisterMatchBench(CLI::App& app) {
    auto* cmd = app.add_subcommand("match", "Streaming matcher: keys/s against stored RPIs");
    auto keys = std::make_shared<size_t>(1000000);
    auto stored = std::make_shared<size_t>(100000);
    // Per process, so benchmarks run side by side do not delete each other's files.
    auto dir = std::make_shared<std::string>(
        (std::filesystem::temp_directory_path() /
         ("jejak-bench-match-" + std::to_string(::getpid())))
            .string());
    auto no_files = std::make_shared<bool>(false);
    auto threads = std::make_shared<unsigned>(1);
    cmd->add_option("--keys", *keys, "Diagnosis keys")->check(CLI::Range(1, 50000000));
    cmd->add_option("--stored", *stored, "Stored sighting records")->check(CLI::Range(5, 50000000));
    cmd->add_option("--dir", *dir, "Where the export files are written (removed afterwards)");
    cmd->add_flag("--no-files", *no_files, "Skip the export-file run");
    cmd->add_option("--threads", *threads, "Matcher worker threads (0: one per online CPU)")
        ->check(CLI::Range(0u, 256u));
    cmd->callback([=] { RunMatchBench(*keys, *stored, *dir, !*no_files, *threads); });
}

}  // namespace jejak::bench
