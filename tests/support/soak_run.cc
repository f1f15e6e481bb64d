// The soak run shared by `jejak-bench soak` and its ctest: see soak_run.h.
#include "tests/support/soak_run.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <ctime>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/daemon_status.h"
#include "agent/daemon/instance_lock.h"
#include "agent/daemon/run_loop.h"
#include "agent/clock/trusted_clock.h"
#include "gaen/export/export_write.h"
#include "crypto/ecdsa/ecdsa_sign.h"
#include "gaen/keys/interval.h"
#include "gaen/keys/key_schedule.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "platform/codec/gaen_advert.h"
#include "platform/sim/sim_ether.h"
#include "storage/row_codec.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "tests/support/child_process.h"

namespace jejak::bench {
namespace {

constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kDayS = 86400;
constexpr int64_t kCheckAtS = 23 * 3600;       // the daily check: 23:00 UTC, venue closed
constexpr int64_t kOpenS = 8 * 3600;           // visits fall within 08:00..22:00 UTC
constexpr int64_t kCloseS = 22 * 3600;
constexpr int64_t kAdvertIntervalUs = 270000;  // GAEN's 200-270 ms, the slow end
constexpr size_t kTekHistoryDays = 15;         // a report uploads the 14 days before today
constexpr size_t kMaxErrorLines = 20;

// The crowd at the venue: each visitor comes once a day at its own fixed hour and stays its
// own fixed time, advertising GAEN from its daily TEK. Poll delivers every advertising event
// since the previous poll, stamped with the event's time, as the simulated ether does.
class VisitorRadio final : public Radio {
public:
    VisitorRadio(const Clock& clock, int devices) : clock_(clock) {
        for (int i = 0; i < devices; ++i) {
            SimRandom r(0x50A4 + static_cast<uint64_t>(i));
            Visitor v;
            const int64_t stay_s = 1800 + static_cast<int64_t>(r.Uniform() * 9000);  // 30..180 min
            v.arrive_s = kOpenS + static_cast<int64_t>(r.Uniform() * static_cast<double>(kCloseS - kOpenS - stay_s));
            v.leave_s = v.arrive_s + stay_s;
            v.rssi = static_cast<int8_t>(-50 - i % 30);
            v.address.bytes = {static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 0, 0x11, 0x22, 0x33};
            visitors_.push_back(std::move(v));
        }
    }

    Status StartAdvertising(const AdvertisingSet&, const AdvertisingParams&) override { return Status::Ok(); }
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
        s.description = "soak crowd";
        s.scanning = callback_ != nullptr;
        return s;
    }

    Result<size_t> Poll() override {
        const int64_t now_us = clock_.NowUnixMicros();
        const int64_t day = now_us / kMicros / kDayS;
        if (day != day_) JEJAK_RETURN_IF_ERROR(NewDay(day));
        if (!callback_) return size_t{0};
        const int64_t midnight_us = day * kDayS * kMicros;
        while (next_arrival_ < order_.size() &&
               midnight_us + visitors_[order_[next_arrival_]].arrive_s * kMicros <= now_us) {
            Visitor& v = visitors_[order_[next_arrival_]];
            v.next_us = midnight_us + v.arrive_s * kMicros;
            present_.push_back(order_[next_arrival_]);
            ++next_arrival_;
        }
        size_t n = 0;
        ReceivedAdvert advert;
        advert.address_type = 1;
        advert.pdu_type = 3;
        for (size_t p = 0; p < present_.size();) {
            Visitor& v = visitors_[present_[p]];
            const int64_t leave_us = midnight_us + v.leave_s * kMicros;
            while (v.next_us <= now_us && v.next_us < leave_us) {
                JEJAK_ASSIGN_OR_RETURN(EnIntervalNumber interval, IntervalFromUnixSeconds(v.next_us / kMicros));
                if (interval != v.interval) JEJAK_RETURN_IF_ERROR(RotateVisitor(v, interval));
                advert.address = v.address;
                advert.rssi_dbm = v.rssi;
                advert.payload = v.payload;
                advert.unix_micros = v.next_us;
                callback_(advert);
                v.next_us += kAdvertIntervalUs;
                ++n;
            }
            if (v.next_us >= leave_us) {
                present_[p] = present_.back();
                present_.pop_back();
            } else {
                ++p;
            }
        }
        return n;
    }

    // The diagnosis keys a visitor uploads tonight: its TEKs of the last kTekHistoryDays,
    // today's (no longer used after closing time) included.
    std::vector<DiagnosisKey> KeysOf(int visitor) const {
        std::vector<DiagnosisKey> keys;
        for (const auto& [day, tek] : visitors_[static_cast<size_t>(visitor)].teks) {
            DiagnosisKey k;
            k.key = tek;
            k.rolling_start_interval_number = static_cast<uint32_t>(day * kTekRollingPeriod);
            k.report_type = ReportType::kConfirmedTest;
            keys.push_back(k);
        }
        return keys;
    }
    size_t present() const { return present_.size(); }

private:
    struct Visitor {
        int64_t arrive_s = 0, leave_s = 0;  // seconds after midnight UTC
        int8_t rssi = -60;
        RadioAddress address;
        std::deque<std::pair<int64_t, Tek>> teks;  // (UTC day, TEK), the last kTekHistoryDays
        Rpik rpik;
        Aemk aemk;
        EnIntervalNumber interval = 0;
        std::vector<uint8_t> payload;
        int64_t next_us = 0;
    };

    // A new UTC day: every visitor rolls its TEK; arrivals start over.
    Status NewDay(int64_t day) {
        day_ = day;
        for (Visitor& v : visitors_) {
            v.teks.emplace_back(day, GenerateTek(random_));
            while (v.teks.size() > kTekHistoryDays) v.teks.pop_front();
            v.rpik = DeriveRpik(v.teks.back().second);
            v.aemk = DeriveAemk(v.teks.back().second);
            v.interval = 0;
        }
        if (order_.empty()) {
            for (size_t i = 0; i < visitors_.size(); ++i) order_.push_back(i);
            std::sort(order_.begin(), order_.end(), [this](size_t a, size_t b) {
                return visitors_[a].arrive_s < visitors_[b].arrive_s;
            });
        }
        next_arrival_ = 0;
        present_.clear();
        // Visitors whose time today has already passed (a run that starts mid-day) do not come.
        const int64_t now_s = clock_.NowUnixMicros() / kMicros - day * kDayS;
        while (next_arrival_ < order_.size() && visitors_[order_[next_arrival_]].arrive_s < now_s) {
            ++next_arrival_;
        }
        return Status::Ok();
    }

    Status RotateVisitor(Visitor& v, EnIntervalNumber interval) {
        v.interval = interval;
        GaenPayload p;
        JEJAK_ASSIGN_OR_RETURN(p.rpi, DeriveRpi(v.rpik, interval));
        JEJAK_ASSIGN_OR_RETURN(MetadataBytes metadata, EncodeMetadata(Metadata::V10(-12)));
        JEJAK_ASSIGN_OR_RETURN(p.aem, CryptMetadata(v.aemk, p.rpi, metadata));
        v.payload = BuildGaenAdvert(p);
        v.address.bytes[2] = static_cast<uint8_t>(interval);  // address rotates with the RPI
        return Status::Ok();
    }

    const Clock& clock_;
    SystemRandom random_;
    std::vector<Visitor> visitors_;
    std::vector<size_t> order_;    // visitor indices by arrival time
    size_t next_arrival_ = 0;
    std::vector<size_t> present_;  // visitor indices at the venue now
    int64_t day_ = -1;
    AdvertCallback callback_;
};

// The daemon's log, kept bounded: lines are counted, warnings (what `jejak run` logs at
// warning priority) are kept as errors, routine lines are dropped.
class LogSink final : public std::stringbuf {
public:
    int sync() override {
        std::string text = str();
        str("");
        size_t start = 0;
        for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
            const std::string line = text.substr(start, nl - start);
            ++lines;
            if (line.rfind("store: refused", 0) == 0 || line.rfind("paused:", 0) == 0 ||
                line.rfind("clock:", 0) == 0 || line.rfind("waiting:", 0) == 0 ||
                line.rfind("status file:", 0) == 0) {
                warnings.push_back(line);
            }
        }
        if (start < text.size()) str(text.substr(start));
        return 0;
    }
    uint64_t lines = 0;
    std::vector<std::string> warnings;
};

long ProcStatusKib(const char* field) {
    std::ifstream in("/proc/self/status");
    const size_t len = std::strlen(field);
    for (std::string line; std::getline(in, line);) {
        if (line.compare(0, len, field) == 0) return std::strtol(line.c_str() + len, nullptr, 10);
    }
    return -1;
}

int OpenFds() {
    int n = 0;
    DIR* d = opendir("/proc/self/fd");
    if (d == nullptr) return -1;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
    return n - 1;  // the directory stream's own descriptor
}

// This process and the check processes it waited for.
double CpuSeconds() {
    double total = 0;
    for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
        struct rusage u = {};
        getrusage(who, &u);
        total += static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                 static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }
    return total;
}

// The largest peak RSS of any check process waited for so far.
long CheckPeakRssKib() {
    struct rusage u = {};
    getrusage(RUSAGE_CHILDREN, &u);
    return u.ru_maxrss;
}

uint64_t StoreBytes(const std::string& state_dir) {
    uint64_t total = 0;
    const std::string db = SqliteStore::DatabasePath(state_dir);
    for (const std::string& f : {db, db + "-wal", db + "-shm", SqliteStore::KeyringPath(state_dir)}) {
        std::error_code ec;
        const uintmax_t size = std::filesystem::file_size(f, ec);
        if (!ec) total += size;
    }
    return total;
}

std::string UtcDate(int64_t day) {
    const time_t t = static_cast<time_t>(day * kDayS);
    struct tm tm = {};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

struct CliOutcome {
    int code;
    std::string out, err;
};

// One command of the daily check unit, run as jejak-check.service runs it: the built `jejak`
// in a process of its own (so its memory is not the daemon's), on the simulated time of
// `clock` (JEJAK_SIM_CLOCK at rate 1 from now: the check takes seconds).
CliOutcome Jejak(const Clock& clock, std::vector<std::string> args) {
    args.insert(args.begin(), testing::BuiltBinary("jejak"));
    const auto real_now = std::chrono::duration<double>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    char sim[128];
    std::snprintf(sim, sizeof sim, "JEJAK_SIM_CLOCK=start=%.6f&anchor=%.6f&rate=1",
                  static_cast<double>(clock.NowUnixMicros()) / 1e6, real_now);
    testing::ChildOptions options;
    options.env = {sim};
    testing::ChildProcess child(args, options);
    if (!child.ok()) return {127, "", "cannot start " + args[0] + ": " + child.error()};
    const std::optional<int> code = child.WaitWithin(10 * 60 * 1000);
    if (!code) return {124, child.out(), child.err() + "(killed: still running after 10 min)"};
    return {*code, child.out(), child.err()};
}

// The key server: a static directory (index.txt, exports/) on 127.0.0.1, as a CDN serves one.
class KeyServer {
public:
    explicit KeyServer(const std::string& dir) {
        server_.set_mount_point("/", dir);
        port_ = server_.bind_to_any_port("127.0.0.1");
        if (port_ > 0) thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~KeyServer() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    int port() const { return port_; }

private:
    httplib::Server server_;
    int port_ = -1;
    std::thread thread_;
};

}  // namespace

Result<SoakResult> RunSoak(const SoakOptions& options, std::ostream& out) {
    JEJAK_RETURN_IF_ERROR(SystemRandom::Init());
    SoakResult result;
    result.options = options;
    const std::string parent =
        options.tmp.empty() ? std::filesystem::temp_directory_path().string() : options.tmp;
    std::string scratch = parent + "/jejak-soak-XXXXXX";
    if (mkdtemp(scratch.data()) == nullptr) {
        return Status::FromErrno(errno, "cannot create a scratch dir in " + parent);
    }
    struct Cleanup {
        std::string dir;
        bool keep;
        ~Cleanup() {
            std::error_code ec;
            if (!keep) std::filesystem::remove_all(dir, ec);
        }
    } cleanup{scratch, options.keep};
    if (options.keep) out << "scratch directory: " << scratch << "\n";

    const std::string box = scratch + "/box";
    const std::string served = scratch + "/server";
    const std::string config = scratch + "/box.json";
    std::filesystem::create_directories(box);
    std::filesystem::permissions(box, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
    std::filesystem::create_directories(served);

    // The health authority's signing key and the box's configuration (venue profile, the
    // retention, the key server).
    JEJAK_ASSIGN_OR_RETURN(EcdsaP256PrivateKey signing, EcdsaP256PrivateKey::Generate());
    JEJAK_ASSIGN_OR_RETURN(std::string public_pem, signing.PublicKeyPem());
    KeyServer server(served);
    if (server.port() <= 0) return Status::IOError("key server: cannot listen on 127.0.0.1");
    {
        const nlohmann::json c = {
            {"radio", {{"profile", "venue"}}},
            {"store", {{"retention_days", options.retention_days}}},
            {"diagnosis",
             {{"server_url", "http://127.0.0.1:" + std::to_string(server.port()) + "/"},
              {"allow_http_loopback", true},
              {"public_keys",
               nlohmann::json::array({{{"key_id", "jejak-demo"}, {"key_version", "v1"}, {"pem", public_pem}}})}}}};
        std::ofstream(config) << c.dump(2);
        std::ofstream(served + "/index.txt");
    }

    // Start at the current UTC midnight (the daemon refuses times before its build day).
    const int64_t day0 = SystemClock().NowUnixMicros() / kMicros / kDayS;
    ManualClock clock((day0 * kDayS + 1) * kMicros);

    JEJAK_ASSIGN_OR_RETURN(InstanceLock lock, InstanceLock::Acquire(box, "jejak-bench soak"));
    DaemonOptions o;  // the venue profile (config/jejak.toml): continuous scanning, 5-s windows
    o.scan = ScanParams{100, 100};
    o.summary_interval_s = 3600;
    o.ntp_synchronised = [] { return true; };
    TrustedClock store_clock(clock, clock.NowUnixMicros());
    o.store_clock = &store_clock;
    SqliteStoreOptions so;
    so.state_dir = box;
    so.retention_days = options.retention_days;
    JEJAK_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(store_clock, so));

    VisitorRadio radio(clock, options.devices);
    SystemRandom random;
    LogSink sink;
    std::ostream log(&sink);
    Daemon daemon(radio, clock, *store, random, o, log);
    JEJAK_RETURN_IF_ERROR(daemon.Start());

    int errors = 0;
    auto error = [&](const std::string& what) {
        ++errors;
        if (result.error_lines.size() < kMaxErrorLines) result.error_lines.push_back(what);
        out << "error: " << what << "\n";
    };
    size_t warnings_seen = 0;
    const int64_t started = clock.NowUnixMicros() / kMicros;
    RunLoopOptions loop;
    loop.tick_micros = options.tick_micros;
    // The status file as `jejak run` writes it, but once a simulated hour instead of every
    // 5 s: each write is two fsyncs of real time (as `jejak run` on an accelerated sim clock
    // also stretches it), and 17,280 a simulated day would measure the disk, not the daemon.
    loop.publish_every_s = 3600;
    loop.on_publish = [&] {
        DaemonStatusInputs in;
        in.daemon = daemon.Snapshot();
        in.radio = radio.GetStatus();
        if (auto stats = store->Stats(); stats.ok()) in.store = *stats;
        in.pid = static_cast<int>(getpid());
        in.started_unix = started;
        in.now_unix = clock.NowUnixMicros() / kMicros;
        in.publish_every_s = loop.publish_every_s;
        Status s = WriteDaemonStatus(box, DaemonStatusJson(in));
        if (!s.ok()) log << "status file: " << s.ToString() << std::endl;
    };

    uint64_t week_matched = 0, week_fetched = 0;
    for (int d = 1; d <= options.days; ++d) {
        const double cpu0 = CpuSeconds();
        const int64_t check_at = (day0 + d - 1) * kDayS + kCheckAtS;
        loop.duration_s = static_cast<double>(check_at * kMicros - clock.NowUnixMicros()) / 1e6;
        if (Status s = RunDaemonLoop(daemon, radio, clock, loop); !s.ok()) {
            error("daemon: " + s.ToString());
            break;
        }
        log.flush();
        for (; warnings_seen < sink.warnings.size(); ++warnings_seen) {
            error("daemon log: " + sink.warnings[warnings_seen]);
        }
        const int64_t today = clock.NowUnixMicros() / kMicros / kDayS;

        // One diagnosed visitor per simulated week: the authority publishes its keys.
        if ((d - 1) % 7 == 0) {
            const int week = (d - 1) / 7 + 1;
            const int visitor = (week * 37) % options.devices;
            std::vector<DiagnosisKey> keys = radio.KeysOf(visitor);
            ExportWriteOptions w;
            w.start_timestamp = static_cast<uint64_t>((today - 14) * kDayS);
            w.end_timestamp = static_cast<uint64_t>((today + 1) * kDayS);
            const std::string entry = "week-" + std::to_string(week) + ".zip";
            if (Status s = WriteSignedExport(served + "/" + entry, keys, signing, w); !s.ok()) {
                error("export: " + s.ToString());
            } else {
                std::ofstream(served + "/index.txt", std::ios::app) << entry << "\n";
                ++result.weekly_reports;
            }
        }

        // The daily check, the commands of the daily check unit.
        uint64_t matched = 0;
        const CliOutcome fetch = Jejak(clock, {"--state-dir", box, "--config", config, "keys", "fetch"});
        if (fetch.code != 0) error("keys fetch exit " + std::to_string(fetch.code) + ": " + fetch.err);
        const CliOutcome match =
            Jejak(clock, {"--state-dir", box, "--config", config, "match", "--fetched", "--json"});
        if (match.code != 0) {
            error("match exit " + std::to_string(match.code) + ": " + match.err);
        } else {
            const nlohmann::json j = nlohmann::json::parse(match.out, nullptr, false);
            if (j.is_object() && j.contains("matched_keys")) matched = j["matched_keys"].get<uint64_t>();
            if (j.is_object() && j.contains("files") && j["files"].is_array()) {
                week_fetched += j["files"].size();
            }
        }
        week_matched += matched;

        // The day's figures. The database file is read through a connection of its own.
        SoakDay day;
        day.day = d;
        day.keys_matched = matched;
        day.oldest_day_allowed = today - options.retention_days + 1;
        {
            Result<SqliteDb> db = SqliteDb::Open(SqliteStore::DatabasePath(box), /*create=*/false);
            Status read = db.status();
            if (read.ok()) {
                Result<int64_t> rows = db->QueryInt("SELECT COUNT(*) FROM sightings");
                Result<int64_t> min_id = db->QueryInt("SELECT COALESCE(MIN(id), -1) FROM sightings");
                read = !rows.ok() ? rows.status() : min_id.status();
                if (read.ok()) {
                    day.sightings_kept = *rows;
                    day.oldest_day_held = *min_id < 0 ? -1 : DayOfRowKey(*min_id);
                }
                if (Status closed = db->Close(); read.ok()) read = closed;
            }
            if (!read.ok()) error("reading the database file: " + read.ToString());
        }
        day.rss_kib = ProcStatusKib("VmRSS:");
        day.fds = OpenFds();
        day.store_bytes = StoreBytes(box);
        day.cpu_s = CpuSeconds() - cpu0;
        day.check_rss_kib_max = CheckPeakRssKib();
        const DaemonCounters c = daemon.Counters();
        day.adverts_heard = c.adverts_heard;
        day.errors = errors;
        out << "day " << d << ": rss_kib=" << day.rss_kib << " fds=" << day.fds
            << " store_bytes=" << day.store_bytes << " sightings_kept=" << day.sightings_kept
            << " oldest_day=" << (day.oldest_day_held < 0 ? std::string("none") : UtcDate(day.oldest_day_held))
            << " cpu_s=" << std::fixed << std::setprecision(2) << day.cpu_s
            << " adverts_heard=" << day.adverts_heard << " check_rss_kib_max=" << day.check_rss_kib_max
            << " matched_keys=" << matched
            << " errors=" << errors << "\n";
        result.days.push_back(day);
        if (d % 7 == 0 || d == options.days) {
            out << "week " << (d + 6) / 7 << ": days " << ((d - 1) / 7) * 7 + 1 << "-" << d
                << " reports_published=" << result.weekly_reports << " exports_checked=" << week_fetched
                << " matched_keys=" << week_matched << " store_refused=" << c.store_refused
                << " log_lines=" << sink.lines << "\n";
            week_matched = week_fetched = 0;
        }
        out.flush();
    }
    if (const DaemonCounters c = daemon.Counters(); c.store_refused > 0) {
        error("the store refused " + std::to_string(c.store_refused) + " writes");
    }
    if (Status s = daemon.Stop(); !s.ok()) error("daemon stop: " + s.ToString());
    if (Status s = store->Close(); !s.ok()) error("store close: " + s.ToString());
    if (!result.days.empty()) result.days.back().errors = errors;
    return result;
}

std::string SoakFinalLine(const SoakResult& r) {
    long rss_max = 0, rss_day1 = 0;
    int fds_max = 0;
    uint64_t store_max = 0;
    double cpu = 0;
    int errors = 0;
    for (const SoakDay& d : r.days) {
        rss_max = std::max(rss_max, d.rss_kib);
        fds_max = std::max(fds_max, d.fds);
        store_max = std::max(store_max, d.store_bytes);
        cpu += d.cpu_s;
        errors = d.errors;
    }
    if (!r.days.empty()) rss_day1 = r.days.front().rss_kib;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "soak days=%zu devices=%d rss_kib_max=%ld rss_kib_day1=%ld fds_max=%d "
                  "store_bytes_max=%" PRIu64 " cpu_s_per_day=%.1f errors=%d",
                  r.days.size(), r.options.devices, rss_max, rss_day1, fds_max, store_max,
                  r.days.empty() ? 0.0 : cpu / static_cast<double>(r.days.size()), errors);
    return buf;
}

std::vector<std::string> SoakCriteriaNotMet(const SoakResult& r, bool judge_rss) {
    std::vector<std::string> fails;
    const int retention = r.options.retention_days;
    const size_t n = r.days.size();
    if (n < static_cast<size_t>(retention) + 2 || n < 3) {
        fails.push_back("too few days to judge: " + std::to_string(n) + " (needs retention + 2 and at least 3)");
        return fails;
    }
    const SoakDay& day2 = r.days[1];
    const SoakDay& last = r.days.back();
    if (last.errors != 0) fails.push_back("errors: " + std::to_string(last.errors));
    auto within = [](double a, double b) { return std::fabs(a - b) <= 0.05 * b; };
    if (judge_rss && !within(static_cast<double>(last.rss_kib), static_cast<double>(day2.rss_kib))) {
        fails.push_back("rss: day " + std::to_string(last.day) + " " + std::to_string(last.rss_kib) +
                        " KiB is not within 5% of day 2's " + std::to_string(day2.rss_kib));
    }
    if (!within(last.fds, day2.fds)) {
        fails.push_back("fds: day " + std::to_string(last.day) + " " + std::to_string(last.fds) +
                        " is not within 5% of day 2's " + std::to_string(day2.fds));
    }
    const SoakDay& filled = r.days[static_cast<size_t>(retention)];  // day retention + 1
    for (size_t i = static_cast<size_t>(retention) + 1; i < n; ++i) {
        if (static_cast<double>(r.days[i].store_bytes) > 1.05 * static_cast<double>(filled.store_bytes)) {
            fails.push_back("store: day " + std::to_string(r.days[i].day) + " holds " +
                            std::to_string(r.days[i].store_bytes) + " bytes, over 5% more than day " +
                            std::to_string(filled.day) + "'s " + std::to_string(filled.store_bytes));
            break;
        }
    }
    for (const SoakDay& d : r.days) {
        if (d.oldest_day_held >= 0 && d.oldest_day_held < d.oldest_day_allowed) {
            fails.push_back("retention: day " + std::to_string(d.day) + " still holds sightings of day " +
                            std::to_string(d.oldest_day_held) + ", older than " +
                            std::to_string(d.oldest_day_allowed));
        }
        if (d.day >= retention && d.oldest_day_held != d.oldest_day_allowed) {
            fails.push_back("retention: day " + std::to_string(d.day) + " holds from day " +
                            std::to_string(d.oldest_day_held) + ", not exactly the retention (from " +
                            std::to_string(d.oldest_day_allowed) + ")");
        }
        if (d.sightings_kept <= 0) {
            fails.push_back("day " + std::to_string(d.day) + ": no sightings kept (the crowd was not heard)");
        }
    }
    uint64_t matched = 0;
    for (const SoakDay& d : r.days) matched += d.keys_matched;
    if (r.weekly_reports > 0 && matched == 0) {
        fails.push_back("the daily checks never matched the published visitors' keys");
    }
    return fails;
}

}  // namespace jejak::bench
