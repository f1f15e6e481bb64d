// jejak-bench daemon: the daemon's memory and CPU at a busy venue. One Daemon (venue
// profile: continuous scanning, windows of 5 s, the encrypted SQLite store in a scratch dir
// with 30 s flushes) runs on a ManualClock for --minutes of simulated time while a crowd
// radio reports --devices devices in range, each advertising GAEN with its own TEK (RPI and
// AEM rotating every 10 minutes) and heard --reports-per-s times a second (a 270 ms
// advertising interval under a 100 % scan duty cycle gives about 3.7). The daemon ticks
// every 100 ms of simulated time, as `jejak run` does.
// Figures: peak RSS of the whole process (VmHWM: binary, libraries, SQLite cache, daemon)
// and CPU time (user + system) per simulated hour.
// Final line: daemon devices=N rss_kib=X cpu_s_per_hour=Y
#include <stdlib.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/daemon/daemon.h"
#include "bench.h"
#include "gaen/keys/key_schedule.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "platform/codec/gaen_advert.h"
#include "storage/sqlite_store.h"
#include "tests/support/scratch_dir.h"

namespace jejak::bench {
namespace {

constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kStartUnix = 1795000000;  // a fixed moment in 2026

// Reports `devices` advertisers to the scan callback from Poll, on the injected clock.
class CrowdRadio final : public Radio {
public:
    CrowdRadio(const Clock& clock, int devices, double reports_per_s) : clock_(clock) {
        period_us_ = static_cast<int64_t>(1e6 / reports_per_s);
        SystemRandom random;
        for (int i = 0; i < devices; ++i) {
            Device d;
            d.rpik = DeriveRpik(GenerateTek(random));
            d.aemk = DeriveAemk(GenerateTek(random));
            d.next_us = clock.MonotonicMicros() + (period_us_ * i) / devices;
            d.rssi = static_cast<int8_t>(-45 - i % 40);
            d.address.bytes = {static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 1, 2, 3, 0x3F};
            devices_.push_back(std::move(d));
        }
    }
    Status StartAdvertising(const AdvertisingSet&, const AdvertisingParams&) override {
        return Status::Ok();
    }
    Status Rotate(const AdvertisingSet&) override { return Status::Ok(); }
    Status StopAdvertising() override { return Status::Ok(); }
    Status StartScanning(const ScanParams&, AdvertCallback cb) override {
        callback_ = std::move(cb);
        return Status::Ok();
    }
    Status StopScanning() override {
        callback_ = nullptr;
        return Status::Ok();
    }
    RadioStatus GetStatus() const override {
        RadioStatus s;
        s.description = "crowd";
        s.scanning = callback_ != nullptr;
        return s;
    }

    Result<size_t> Poll() override {
        if (!callback_) return size_t{0};
        const int64_t now_us = clock_.MonotonicMicros();
        const int64_t unix_us = clock_.NowUnixMicros();
        JEJAK_ASSIGN_OR_RETURN(EnIntervalNumber interval, IntervalFromUnixSeconds(unix_us / kMicros));
        if (interval != interval_) JEJAK_RETURN_IF_ERROR(Rotate(interval));
        size_t n = 0;
        ReceivedAdvert advert;
        advert.address_type = 1;
        advert.pdu_type = 3;
        advert.unix_micros = unix_us;
        for (Device& d : devices_) {
            while (d.next_us <= now_us) {
                advert.address = d.address;
                advert.rssi_dbm = d.rssi;
                advert.payload = d.payload;
                callback_(advert);
                d.next_us += period_us_;
                ++n;
            }
        }
        return n;
    }

private:
    struct Device {
        Rpik rpik;
        Aemk aemk;
        int64_t next_us = 0;
        int8_t rssi = -60;
        RadioAddress address;
        std::vector<uint8_t> payload;
    };

    Status Rotate(EnIntervalNumber interval) {
        interval_ = interval;
        for (Device& d : devices_) {
            GaenPayload p;
            JEJAK_ASSIGN_OR_RETURN(p.rpi, DeriveRpi(d.rpik, interval));
            JEJAK_ASSIGN_OR_RETURN(MetadataBytes metadata, EncodeMetadata(Metadata::V10(-12)));
            JEJAK_ASSIGN_OR_RETURN(p.aem, CryptMetadata(d.aemk, p.rpi, metadata));
            d.payload = BuildGaenAdvert(p);
            d.address.bytes[2] = static_cast<uint8_t>(interval);
        }
        return Status::Ok();
    }

    const Clock& clock_;
    int64_t period_us_ = 270000;
    std::vector<Device> devices_;
    EnIntervalNumber interval_ = 0;
    AdvertCallback callback_;
};

long PeakRssKib() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

double CpuSeconds() {
    struct rusage u = {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct DaemonBenchArgs {
    int devices = 1000;
    int minutes = 10;
    double reports_per_s = 3.7;
    std::string tmp = std::filesystem::temp_directory_path().string();
};

int RunDaemonBench(const DaemonBenchArgs& a) {
    if (!SystemRandom::Init().ok()) return 1;
    const testing::ScratchDir scratch("bench-daemon", a.tmp);
    const std::string dir = scratch.str();
    int code = 0;
    {
        ManualClock clock(kStartUnix * kMicros);
        SqliteStoreOptions so;
        so.state_dir = dir;
        auto store = SqliteStore::Open(clock, so);
        if (!store.ok()) {
            std::fprintf(stderr, "jejak-bench: %s\n", store.status().ToString().c_str());
            return 1;
        }
        CrowdRadio radio(clock, a.devices, a.reports_per_s);
        SystemRandom random;
        DaemonOptions o;  // venue profile (config/jejak.toml): continuous scanning
        o.scan = ScanParams{100, 100};
        o.summary_interval_s = 600;
        std::ostringstream log;
        Daemon daemon(radio, clock, **store, random, o, log);
        const double cpu0 = CpuSeconds();
        Status s = daemon.Start();
        const int64_t ticks = int64_t{a.minutes} * 600;
        for (int64_t t = 0; s.ok() && t < ticks; ++t) {
            clock.Advance(100000);
            s = radio.Poll().status();
            if (s.ok()) s = daemon.Tick();
        }
        if (s.ok()) s = daemon.Stop();
        if (s.ok()) s = (*store)->Close();
        const double cpu = CpuSeconds() - cpu0;
        if (!s.ok()) {
            std::fprintf(stderr, "jejak-bench: %s\n", s.ToString().c_str());
            code = 1;
        } else {
            const DaemonCounters c = daemon.Counters();
            std::printf("adverts heard %llu, sightings stored %llu over %d simulated minutes\n",
                        static_cast<unsigned long long>(c.adverts_heard),
                        static_cast<unsigned long long>(c.sightings_stored), a.minutes);
            std::printf("daemon devices=%d rss_kib=%ld cpu_s_per_hour=%.1f\n", a.devices,
                        PeakRssKib(), cpu * 60.0 / a.minutes);
        }
    }
    return code;
}

}  // namespace

void RegisterDaemonBench(CLI::App& app) {
    auto a = std::make_shared<DaemonBenchArgs>();
    auto* cmd = app.add_subcommand("daemon", "Daemon at a venue: peak RSS and CPU per hour");
    cmd->add_option("--devices", a->devices, "Devices in range")->check(CLI::Range(1, 100000));
    cmd->add_option("--minutes", a->minutes, "Simulated minutes")->check(CLI::Range(1, 1440));
    cmd->add_option("--reports-per-s", a->reports_per_s, "Reports per device per second")
        ->check(CLI::Range(0.01, 100.0));
    cmd->add_option("--tmp", a->tmp, "Directory for the scratch store");
    cmd->callback([a] {
        const int code = RunDaemonBench(*a);
        if (code != 0) throw CLI::RuntimeError(code);
    });
}

}  // namespace jejak::bench
