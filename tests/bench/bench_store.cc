// jejak-bench store: the encrypted store's write throughput and its write volume.
//   1. rows_per_s: encrypted sightings committed per second in batches (--batch rows per
//      AddSightings + Flush, one transaction and one fsync each), one thread; the same
//      rows inserted into plain (unencrypted) tables of the same shape and pragmas are
//      timed alongside for comparison.
//   2. bytes_per_hour: one simulated hour of a venue box (--devices present, one scan every
//      --scan-interval-s seeing every device, RPIs rotating every 15 min, default 30 s
//      flushes), measured as bytes the process hands to write(2)/pwrite(2) (/proc/self/io
//      wchar), plus what the block layer reports (write_bytes) when available.
// Final line: store rows_per_s=X bytes_per_hour=Y
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "tests/support/scratch_dir.h"

namespace jejak::bench {
namespace {

constexpr int64_t kStartUnix = 1795000000;  // a fixed moment in 2026 (mid-day UTC)

struct IoCounters {
    uint64_t wchar = 0;
    uint64_t write_bytes = 0;
};

IoCounters ReadIo() {
    IoCounters io;
    std::ifstream in("/proc/self/io");
    std::string key;
    uint64_t value = 0;
    while (in >> key >> value) {
        if (key == "wchar:") io.wchar = value;
        if (key == "write_bytes:") io.write_bytes = value;
    }
    return io;
}

std::vector<Sighting> RandomSightings(size_t n, int64_t t) {
    std::vector<uint8_t> noise(n * 20);
    SystemRandom().Fill(noise);
    std::vector<Sighting> rows(n);
    for (size_t i = 0; i < n; ++i) {
        Sighting& s = rows[i];
        std::copy_n(noise.begin() + static_cast<long>(i * 20), 16, s.rpi.begin());
        std::copy_n(noise.begin() + static_cast<long>(i * 20 + 16), 4, s.aem.begin());
        s.first_seen_unix_s = t;
        s.last_seen_unix_s = t + 3;
        s.count = 4;
        s.min_rssi = -88;
        s.max_rssi = -61;
        s.mean_rssi = -72.5f;
        s.seconds_since_previous_scan = 56;
    }
    return rows;
}

std::unique_ptr<SqliteStore> OpenBenchStore(const Clock& clock, const std::string& dir,
                                            bool durable) {
    SqliteStoreOptions o;
    o.state_dir = dir;
    o.durable_commits = durable;
    o.flush_interval_s = 86400;  // flushed explicitly
    auto store = SqliteStore::Open(clock, o);
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    return std::move(store).value();
}

double ThreadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Rate {
    double wall = 0;  // rows per wall-clock second (includes waiting for fsync)
    double cpu = 0;   // rows per second of this thread's CPU time (user + kernel)
};

Rate TimeEncrypted(const std::string& parent, const std::vector<Sighting>& rows, size_t batch,
                   bool durable) {
    const testing::ScratchDir dir("bench-store", parent);
    ManualClock clock(kStartUnix * 1000000);
    auto store = OpenBenchStore(clock, dir.str(), durable);
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < rows.size(); i += batch) {
        const size_t m = std::min(batch, rows.size() - i);
        Status s = store->AddSightings({rows.data() + i, m});
        if (s.ok()) s = store->Flush();
        if (!s.ok()) throw std::runtime_error(s.ToString());
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = ThreadCpuSeconds() - cpu_start;
    if (!store->Close().ok()) throw std::runtime_error("close failed");
    const auto n = static_cast<double>(rows.size());
    return {n / secs, n / cpu};
}

// The same rows unencrypted (rpi, aem and the numbers as columns) under the same key layout,
// journal mode, synchronous setting and batching.
Rate TimePlain(const std::string& parent, const std::vector<Sighting>& rows, size_t batch,
               bool durable) {
    const testing::ScratchDir dir("bench-store", parent);
    auto db = SqliteDb::Open(dir.str() + "/plain.db", true);
    if (!db.ok()) throw std::runtime_error(db.status().ToString());
    auto check = [](const Status& s) { if (!s.ok()) throw std::runtime_error(s.ToString()); };
    check(db->Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
                   (durable ? "FULL" : "NORMAL") + "; CREATE TABLE s(id INTEGER PRIMARY KEY, "
                   "rpi BLOB, aem BLOB, first INTEGER, last INTEGER, count INTEGER, minr INTEGER, "
                   "maxr INTEGER, mean REAL, prev INTEGER)", "plain schema"));
    auto insert = db->Prepare("INSERT INTO s VALUES(?,?,?,?,?,?,?,?,?,?)");
    check(insert.status());
    int64_t id = 0;
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < rows.size(); i += batch) {
        check(db->Exec("BEGIN", "begin"));
        for (size_t k = i; k < std::min(i + batch, rows.size()); ++k) {
            const Sighting& s = rows[k];
            insert->BindInt(1, RowKey(s.Day(), ++id));
            insert->BindBlob(2, s.rpi);
            insert->BindBlob(3, s.aem);
            insert->BindInt(4, s.first_seen_unix_s);
            insert->BindInt(5, s.last_seen_unix_s);
            insert->BindInt(6, s.count);
            insert->BindInt(7, s.min_rssi);
            insert->BindInt(8, s.max_rssi);
            insert->BindInt(9, static_cast<int64_t>(s.mean_rssi));
            insert->BindInt(10, s.seconds_since_previous_scan);
            check(insert->Run("plain insert"));
        }
        check(db->Exec("COMMIT", "commit"));
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto n = static_cast<double>(rows.size());
    return {n / secs, n / (ThreadCpuSeconds() - cpu_start)};
}

struct HourRun {
    uint64_t rows = 0;
    IoCounters io;
};

HourRun SimulateVenueHour(const std::string& parent, uint32_t devices, int scan_interval_s,
                          bool durable) {
    const testing::ScratchDir dir("bench-store", parent);
    ManualClock clock(kStartUnix * 1000000);
    SqliteStoreOptions o;  // default 30 s flush interval
    o.state_dir = dir.str();
    o.durable_commits = durable;
    auto opened = SqliteStore::Open(clock, o);
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    std::unique_ptr<SqliteStore> store = std::move(opened).value();
    std::vector<Sighting> devs = RandomSightings(devices, kStartUnix);
    SystemRandom random;
    HourRun run;
    const IoCounters before = ReadIo();
    for (int t = 0; t < 3600; t += scan_interval_s) {
        clock.SetUnixMicros((kStartUnix + t) * 1000000);
        for (uint32_t d = 0; d < devices; ++d) {
            if ((t + static_cast<int>(d) * 7) % 900 < scan_interval_s) random.Fill(devs[d].rpi);
            devs[d].first_seen_unix_s = kStartUnix + t;
            devs[d].last_seen_unix_s = kStartUnix + t + 3;
        }
        Status s = store->AddSightings(devs);  // flushes by itself every 30 s
        if (!s.ok()) throw std::runtime_error(s.ToString());
        run.rows += devices;
    }
    clock.SetUnixMicros((kStartUnix + 3600) * 1000000);
    if (!store->Close().ok()) throw std::runtime_error("close failed");
    const IoCounters after = ReadIo();
    run.io = {after.wchar - before.wchar, after.write_bytes - before.write_bytes};
    return run;
}

double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct StoreBenchArgs {
    size_t rows = 300000;
    size_t batch = 1000;
    int runs = 3;
    uint32_t devices = 500;
    int scan_interval_s = 60;
    std::string dir = std::filesystem::temp_directory_path().string();
    bool durable = true;
};

void RunStoreBench(const StoreBenchArgs& a) {
    const std::vector<Sighting> rows = RandomSightings(a.rows, kStartUnix);
    std::vector<double> enc, plain, enc_cpu, plain_cpu;
    for (int r = 0; r < a.runs; ++r) {
        const Rate e = TimeEncrypted(a.dir, rows, a.batch, a.durable);
        const Rate p = TimePlain(a.dir, rows, a.batch, a.durable);
        enc.push_back(e.wall);
        plain.push_back(p.wall);
        enc_cpu.push_back(e.cpu);
        plain_cpu.push_back(p.cpu);
        std::printf("run n=%d batch=%zu sync=%s encrypted_rows_per_s=%.0f plain_rows_per_s=%.0f "
                    "encrypted_rows_per_cpu_s=%.0f plain_rows_per_cpu_s=%.0f\n",
                    r + 1, a.batch, a.durable ? "full" : "normal", e.wall, p.wall, e.cpu, p.cpu);
    }
    const double enc_median = Median(enc);
    std::printf("median encrypted_rows_per_s=%.0f plain_rows_per_s=%.0f ratio=%.2f "
                "encrypted_rows_per_cpu_s=%.0f plain_rows_per_cpu_s=%.0f\n",
                enc_median, Median(plain), enc_median / Median(plain), Median(enc_cpu),
                Median(plain_cpu));
    std::vector<double> wchar, blocks;
    uint64_t hour_rows = 0;
    for (int r = 0; r < a.runs; ++r) {
        const HourRun h = SimulateVenueHour(a.dir, a.devices, a.scan_interval_s, a.durable);
        hour_rows = h.rows;
        wchar.push_back(static_cast<double>(h.io.wchar));
        blocks.push_back(static_cast<double>(h.io.write_bytes));
        std::printf("venue n=%d devices=%u scan_interval_s=%d rows=%llu written=%llu "
                    "block_layer=%llu\n", r + 1, a.devices, a.scan_interval_s,
                    static_cast<unsigned long long>(h.rows),
                    static_cast<unsigned long long>(h.io.wchar),
                    static_cast<unsigned long long>(h.io.write_bytes));
    }
    std::printf("venue bytes_per_row=%.1f block_layer_bytes_per_hour=%.0f\n",
                Median(wchar) / static_cast<double>(hour_rows), Median(blocks));
    std::printf("store rows_per_s=%.0f bytes_per_hour=%.0f\n", enc_median, Median(wchar));
}

}  // namespace

void RegisterStoreBench(CLI::App& app) {
    auto* cmd = app.add_subcommand("store", "Encrypted store: rows/s in batches, bytes/hour at a venue");
    auto a = std::make_shared<StoreBenchArgs>();
    cmd->add_option("--rows", a->rows, "Rows per throughput run")->check(CLI::Range(1000, 100000000));
    cmd->add_option("--batch", a->batch, "Rows per flush (transaction)")->check(CLI::Range(1, 1000000));
    cmd->add_option("--runs", a->runs, "Runs; medians are reported")->check(CLI::Range(1, 100));
    cmd->add_option("--devices", a->devices, "Devices present at the venue")->check(CLI::Range(1, 100000));
    cmd->add_option("--scan-interval-s", a->scan_interval_s, "Seconds between scans")
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--dir", a->dir, "Where scratch stores are created");
    auto sync = std::make_shared<std::string>("full");
    cmd->add_option("--sync", *sync, "full (the store's default: every flush durable) or normal")
        ->check(CLI::IsMember({"full", "normal"}));
    cmd->callback([a, sync] {
        a->durable = *sync == "full";
        RunStoreBench(*a);
    });
}

}  // namespace jejak::bench
