// `jejak scan`: show GAEN (0xFD6F) adverts, either replayed from a btsnoop capture
// (`--replay FILE`, pure and deterministic) or heard live through a radio (`--radio SPEC`).
// Both print one line per advertising report: TIME ADDRESS RSSI RPI_HEX AEM_HEX, TIME in
// ISO 8601 UTC with microseconds (local with --local), RSSI "n/a" when the radio had none.
// Live on a terminal, a table (one row per address and RPI: RSSI last/min/mean, count, last
// seen) is redrawn in place instead; with --json, JSON Lines. A live scan runs until SIGINT/
// SIGTERM (Ctrl-C), as btmon and bluetoothctl do, or until --duration when given; either
// prints one "seen" line per (address, RPI) and a summary, and exits 0. A replayed capture
// without any advertising report (an advertiser's own capture) says so on stderr.
// RPIs and AEMs are public broadcast values; nothing secret is printed.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "platform/cli/cli_format.h"
#include "agent/config/config.h"
#include "agent/daemon/run_loop.h"
#include "platform/base/clock.h"
#include "platform/base/hex.h"
#include "platform/codec/capture_replay.h"
#include "platform/codec/gaen_advert.h"
#include "platform/radio_spec/radio_spec.h"

namespace jejak {
namespace {

constexpr size_t kMaxCaptureBytes = size_t{512} << 20;

struct ScanArgs {
    std::string replay;
    std::string radio;
    std::string hci_log;
    double duration_s = 0;  // 0: until a stop signal
    bool json = false;
    bool local = false;
};

std::string AddressString(const std::array<uint8_t, 6>& bytes) {
    BdAddr a;
    a.bytes = bytes;
    return a.ToString();
}

std::vector<uint8_t> ReadCapture(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw CliError(kExitUsage,
                       "scan --replay: cannot open " + path + ": " + std::strerror(errno));
    }
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0 || static_cast<size_t>(size) > kMaxCaptureBytes) {
        throw CliError(kExitUsage, "scan --replay: " + path +
                                       " is not a readable file of at "
                                       "most 512 MiB");
    }
    in.seekg(0);
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!in) throw CliError(kExitUsage, "scan --replay: cannot read " + path);
    return bytes;
}

nlohmann::json RssiJson(int rssi) {
    return rssi == 127 ? nlohmann::json(nullptr) : nlohmann::json(rssi);
}

// What a replay that printed nothing says about the capture, or "" when it held adverts.
std::string EmptyReplayNote(const CaptureReplay& replay, const std::string& path) {
    if (!replay.adverts.empty()) return {};
    if (replay.advertising_reports == 0) {
        return "scan --replay " + path + ": no advertising reports in " +
               std::to_string(replay.records) +
               " records: the capture holds nothing this controller heard (an advertiser's "
               "own capture?); replay the scanner's capture";
    }
    return "scan --replay " + path + ": " + std::to_string(replay.advertising_reports) +
           " advertising reports, none of them a GAEN (0xFD6F) advert";
}

void RunReplay(const ScanArgs& args, CliEnv& env) {
    const auto bytes = ReadCapture(args.replay);
    auto replay = ReplayGaenCapture(bytes);
    if (!replay.ok()) {
        throw CliError(kExitUsage,
                       "scan --replay " + args.replay + ": " + replay.status().message());
    }
    nlohmann::json array = nlohmann::json::array();
    for (const CapturedAdvert& s : replay->adverts) {
        const std::string address = s.address.ToString();
        const std::string rpi = HexEncode(s.payload.rpi);
        const std::string aem = HexEncode(s.payload.aem);
        if (args.json) {
            array.push_back({{"time_us", s.time_unix_us},
                             {"time_unix", s.time_unix_us / 1000000},
                             {"address", address},
                             {"rssi", RssiJson(s.rssi)},
                             {"rpi", rpi},
                             {"aem", aem}});
        } else {
            env.out << IsoTimeMicros(s.time_unix_us, args.local) << ' ' << address << ' '
                    << RssiText(s.rssi) << ' ' << rpi << ' ' << aem << '\n';
        }
    }
    if (args.json) env.out << array.dump(2) << '\n';
    if (const std::string note = EmptyReplayNote(*replay, args.replay); !note.empty()) {
        env.err << "jejak: " << note << '\n';
    }
}

// One advertising report as heard live.
struct Report {
    std::string address;
    std::string rpi;
    std::string aem;
    int rssi = 127;
    int64_t time_us = 0;
};

// Per (address, RPI): the live table's row and the summary's line.
struct LiveEntry {
    std::string address;
    std::string rpi;
    std::string aem;
    int rssi_last = 127;
    int rssi_min = 127;
    int rssi_max = -128;
    double rssi_sum = 0;
    uint64_t rssi_count = 0;  // reports with an RSSI (127 = not available)
    uint64_t count = 0;
    int64_t first_us = 0;
    int64_t last_us = 0;

    std::optional<double> RssiMean() const {
        if (rssi_count == 0) return std::nullopt;
        return rssi_sum / static_cast<double>(rssi_count);
    }
};

// Filled on the radio's thread (or the poll loop); drained by the printing loop.
struct LiveTable {
    std::mutex mu;
    std::map<std::string, LiveEntry> entries;  // key: address + rpi
    std::vector<Report> fresh;                 // reports not printed yet
    uint64_t reports = 0;

    void Add(const ReceivedAdvert& advert) {
        const auto payload = ParseGaenAdvert(advert.payload);
        if (!payload) return;
        Report r{AddressString(advert.address.bytes), HexEncode(payload->rpi),
                 HexEncode(payload->aem), advert.rssi_dbm, advert.unix_micros};
        std::lock_guard<std::mutex> lock(mu);
        LiveEntry& e = entries[r.address + r.rpi];
        if (e.count == 0) {
            e.address = r.address;
            e.rpi = r.rpi;
            e.first_us = r.time_us;
        }
        e.aem = r.aem;
        e.rssi_last = r.rssi;
        e.last_us = r.time_us;
        ++e.count;
        if (r.rssi != 127) {
            e.rssi_min = std::min(e.rssi_min == 127 ? r.rssi : e.rssi_min, r.rssi);
            e.rssi_max = std::max(e.rssi_max, r.rssi);
            e.rssi_sum += r.rssi;
            ++e.rssi_count;
        }
        ++reports;
        fresh.push_back(std::move(r));
    }
};


void PrintReports(LiveTable& table, const ScanArgs& args, CliEnv& env) {
    std::vector<Report> fresh;
    {
        std::lock_guard<std::mutex> lock(table.mu);
        fresh.swap(table.fresh);
    }
    for (const Report& r : fresh) {
        if (args.json) {
            env.out << nlohmann::json{{"event", "report"},
                                      {"time", IsoTimeMicros(r.time_us, args.local)},
                                      {"time_unix", r.time_us / 1000000},
                                      {"time_us", r.time_us},
                                      {"address", r.address},
                                      {"rssi", RssiJson(r.rssi)},
                                      {"rpi", r.rpi},
                                      {"aem", r.aem}}
                           .dump()
                    << '\n';
        } else {
            env.out << IsoTimeMicros(r.time_us, args.local) << ' ' << r.address << ' '
                    << RssiText(r.rssi) << ' ' << r.rpi << ' ' << r.aem << '\n';
        }
    }
    env.out.flush();
}

std::string MeanText(const LiveEntry& e) {
    const auto mean = e.RssiMean();
    if (!mean) return "n/a";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", *mean);
    return buf;
}

// The live table, redrawn in place (ANSI home + clear) on a terminal.
void DrawTable(LiveTable& table, const ScanArgs& args, CliEnv& env, int64_t elapsed_s) {
    std::lock_guard<std::mutex> lock(table.mu);
    table.fresh.clear();
    std::vector<const LiveEntry*> rows;
    for (const auto& [key, e] : table.entries) rows.push_back(&e);
    std::sort(rows.begin(), rows.end(),
              [](const LiveEntry* a, const LiveEntry* b) { return a->last_us > b->last_us; });
    char line[160];
    env.out << "\x1b[H\x1b[2J"
            << "jejak scan: " << table.reports << " reports, " << rows.size() << " (address, RPI), "
            << elapsed_s << " s; Ctrl-C stops\n";
    std::snprintf(line, sizeof line, "%-17s  %-8s  %5s %5s %6s  %6s  %s\n", "ADDRESS", "RPI",
                  "LAST", "MIN", "MEAN", "COUNT", "LAST SEEN");
    env.out << line;
    for (const LiveEntry* e : rows) {
        std::snprintf(line, sizeof line, "%-17s  %-8s  %5s %5s %6s  %6llu  %s\n",
                      e->address.c_str(), e->rpi.substr(0, 8).c_str(),
                      RssiText(e->rssi_last).c_str(), RssiText(e->rssi_min).c_str(),
                      MeanText(*e).c_str(), static_cast<unsigned long long>(e->count),
                      IsoTime(e->last_us / 1000000, args.local).c_str());
        env.out << line;
    }
    env.out.flush();
}

void PrintSummary(LiveTable& table, const ScanArgs& args, bool signalled, CliEnv& env) {
    std::lock_guard<std::mutex> lock(table.mu);
    for (const auto& [key, e] : table.entries) {
        if (args.json) {
            const auto mean = e.RssiMean();
            env.out << nlohmann::json{{"event", "seen"},
                                      {"address", e.address},
                                      {"rssi", RssiJson(e.rssi_last)},
                                      {"rssi_min", RssiJson(e.rssi_count ? e.rssi_min : 127)},
                                      {"rssi_max", RssiJson(e.rssi_count ? e.rssi_max : 127)},
                                      {"rssi_mean",
                                       mean ? nlohmann::json(*mean) : nlohmann::json(nullptr)},
                                      {"rpi", e.rpi},
                                      {"aem", e.aem},
                                      {"count", e.count},
                                      {"first_us", e.first_us},
                                      {"last_us", e.last_us},
                                      {"first_unix", e.first_us / 1000000},
                                      {"last_unix", e.last_us / 1000000}}
                           .dump()
                    << '\n';
        } else {
            env.out << "seen " << e.address << ' ' << RssiText(e.rssi_last) << ' ' << e.rpi << ' '
                    << e.aem << " count=" << e.count
                    << " rssi_min=" << RssiText(e.rssi_count ? e.rssi_min : 127)
                    << " rssi_mean=" << MeanText(e)
                    << " first=" << IsoTime(e.first_us / 1000000, args.local)
                    << " last=" << IsoTime(e.last_us / 1000000, args.local) << '\n';
        }
    }
    const char* why = signalled ? "signal" : "duration";
    if (args.json) {
        env.out << nlohmann::json{{"event", "summary"},
                                  {"reports", table.reports},
                                  {"distinct", table.entries.size()},
                                  {"stopped_by", why}}
                       .dump()
                << '\n';
    } else {
        env.out << "scan stopped (" << why << "): " << table.reports << " reports, "
                << table.entries.size() << " distinct (address, RPI)\n";
    }
    env.out.flush();
}

// True when stdout is a person's terminal: the table is drawn in place there.
bool OnTerminal(const ScanArgs& args, CliEnv& env) {
    return !args.json && &env.out == &std::cout && isatty(STDOUT_FILENO) == 1;
}

std::unique_ptr<Radio> OpenScanRadio(const ScanArgs& args, CliEnv& env) {
    Result<std::string> spec = ConfiguredRadioSpec(env, args.radio, "scan");
    if (!spec.ok()) Fail(spec.status(), "scan");
    if (!args.hci_log.empty()) {
        auto parsed = ParseRadioSpec(*spec);
        if (parsed.ok() && parsed->kind == RadioKind::kSim) {
            throw CliError(kExitUsage, "scan: --hci-log records HCI packets, and the sim radio " +
                                           *spec +
                                           " has none; use an HCI radio (hciN, uart:, "
                                           "unix:)");
        }
    }
    RadioOptions options;
    options.hci_log_path = args.hci_log;
    if (!env.real_time) options.sim_poll_ms = 0;  // the loop below polls
    auto radio = OpenRadio(*spec, env.clock, options);
    if (!radio.ok()) Fail(radio.status(), "scan --radio " + *spec);
    return std::move(radio).value();
}

void RunLive(const ScanArgs& args, CliEnv& env) {
    std::unique_ptr<Radio> radio = OpenScanRadio(args, env);
    auto table = std::make_shared<LiveTable>();
    Status s = radio->StartScanning(ScanParams{},
                                    [table](const ReceivedAdvert& advert) { table->Add(advert); });
    if (!s.ok()) throw CliError(kExitFailure, "scan: " + s.ToString());
    // SIGINT/SIGTERM end the scan early, with the summary, exit 0.
    StopSignals signals;
    const bool terminal = OnTerminal(args, env);
    const int64_t start = env.clock.MonotonicMicros();
    const auto duration = static_cast<int64_t>(args.duration_s * 1e6);
    int64_t drawn_s = -1;
    while (!StopSignals::Requested() &&
           (duration == 0 || env.clock.MonotonicMicros() - start < duration)) {
        env.clock.SleepFor(100000);
        FailIfError(radio->Poll().status(), "scan");
        const int64_t elapsed_s = (env.clock.MonotonicMicros() - start) / 1000000;
        if (!terminal) {
            PrintReports(*table, args, env);
        } else if (elapsed_s != drawn_s) {
            DrawTable(*table, args, env, elapsed_s);
            drawn_s = elapsed_s;
        }
    }
    const bool signalled = StopSignals::Requested();
    s = radio->StopScanning();
    if (!terminal) PrintReports(*table, args, env);
    PrintSummary(*table, args, signalled, env);
    if (!s.ok()) throw CliError(kExitFailure, "scan: " + s.ToString());
}

}  // namespace

void RegisterScanCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<ScanArgs>();
    CLI::App* scan = app.add_subcommand(
        "scan", "Show GAEN (0xFD6F) adverts: live from a radio, or replayed from a btsnoop file");
    scan->add_option("--replay", args->replay,
                     "btsnoop capture (datalink 1002 or 2001) to replay instead of scanning");
    scan->add_option("--radio", args->radio,
                     "Radio spec: hciN, uart:/dev/ttyX[@BAUD], unix:/path, sim:DIR (default: "
                     "config radio.spec)");
    scan->add_option("--duration", args->duration_s,
                     "Stop a live scan after this many seconds (default: run until Ctrl-C, "
                     "SIGINT or SIGTERM)")
        ->check(CLI::Range(0.1, 86400.0))
        ->default_str("");
    scan->add_option("--hci-log", args->hci_log,
                     "Write every HCI packet of the live scan to this new btsnoop file (mode "
                     "0600; an existing file or symlink is refused)");
    scan->add_flag("--json", args->json,
                   "JSON: an array for --replay; JSON Lines live (one object per report, then "
                   "one per (address, RPI) and a summary)");
    scan->add_flag("--local", args->local, "Times in local time instead of UTC");
    scan->callback([args, &env] {
        if (!args->replay.empty()) {
            if (!args->radio.empty() || !args->hci_log.empty()) {
                throw CliError(kExitUsage,
                               "scan: --replay cannot be combined with --radio or "
                               "--hci-log");
            }
            RunReplay(*args, env);
        } else {
            RunLive(*args, env);
        }
    });
}

}  // namespace jejak
