// `jejak scan`: show GAEN (0xFD6F) adverts, either replayed from a btsnoop capture
// (`--replay FILE`, pure and deterministic) or heard live through a radio (`--radio SPEC`).
// Replay prints one line per advertising report: TIME_UNIX_US ADDRESS RSSI RPI_HEX AEM_HEX.
// Live prints each new (address, RPI) as it appears and a summary with counts at the end.
// RPIs and AEMs are public broadcast values; nothing secret is printed.
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "agent/config/config.h"
#include "agent/daemon/run_loop.h"
#include "platform/codec/capture_replay.h"
#include "platform/base/clock.h"
#include "platform/codec/gaen_advert.h"
#include "platform/base/hex.h"
#include "platform/radio_spec/radio_spec.h"

namespace jejak {
namespace {

constexpr size_t kMaxCaptureBytes = size_t{512} << 20;

struct ScanArgs {
    std::string replay;
    std::string radio;
    std::string hci_log;
    double duration_s = 10;
    bool json = false;
};

std::string AddressString(const std::array<uint8_t, 6>& bytes) {
    BdAddr a;
    a.bytes = bytes;
    return a.ToString();
}

std::vector<uint8_t> ReadCapture(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CliError(kExitUsage, "scan --replay: cannot open " + path);
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

void RunReplay(const ScanArgs& args, CliEnv& env) {
    const auto bytes = ReadCapture(args.replay);
    auto replay = ReplayGaenCapture(bytes);
    if (!replay.ok()) {
        throw CliError(kExitUsage,
                       "scan --replay " + args.replay + ": " + replay.status().message());
    }
    nlohmann::json array = nlohmann::json::array();
    for (const GaenSighting& s : replay->sightings) {
        const std::string address = s.address.ToString();
        const std::string rpi = HexEncode(s.payload.rpi);
        const std::string aem = HexEncode(s.payload.aem);
        if (args.json) {
            array.push_back({{"time_us", s.time_unix_us},
                             {"address", address},
                             {"rssi", s.rssi},
                             {"rpi", rpi},
                             {"aem", aem}});
        } else {
            env.out << s.time_unix_us << ' ' << address << ' ' << int{s.rssi} << ' ' << rpi << ' '
                    << aem << '\n';
        }
    }
    if (args.json) env.out << array.dump(2) << '\n';
}

// Live sightings grouped by (address, RPI); filled on the radio's thread.
struct LiveEntry {
    std::string address;
    std::string rpi;
    std::string aem;
    int rssi = 127;
    uint64_t count = 0;
    int64_t first_us = 0;
    int64_t last_us = 0;
    bool printed = false;
};

struct LiveTable {
    std::mutex mu;
    std::map<std::string, LiveEntry> entries;  // key: address + rpi

    void Add(const ReceivedAdvert& advert) {
        const auto payload = ParseGaenAdvert(advert.payload);
        if (!payload) return;
        LiveEntry fresh;
        fresh.address = AddressString(advert.address.bytes);
        fresh.rpi = HexEncode(payload->rpi);
        std::lock_guard<std::mutex> lock(mu);
        LiveEntry& e = entries[fresh.address + fresh.rpi];
        if (e.count == 0) {
            e = std::move(fresh);
            e.first_us = advert.unix_micros;
        }
        e.aem = HexEncode(payload->aem);
        e.rssi = advert.rssi_dbm;
        e.last_us = advert.unix_micros;
        ++e.count;
    }
};

void PrintNew(LiveTable& table, CliEnv& env) {
    std::lock_guard<std::mutex> lock(table.mu);
    for (auto& [key, e] : table.entries) {
        if (e.printed) continue;
        e.printed = true;
        env.out << "new " << e.address << ' ' << e.rssi << ' ' << e.rpi << ' ' << e.aem << '\n';
    }
    env.out.flush();
}

void PrintSummary(LiveTable& table, bool json, CliEnv& env) {
    std::lock_guard<std::mutex> lock(table.mu);
    nlohmann::json array = nlohmann::json::array();
    for (const auto& [key, e] : table.entries) {
        if (json) {
            array.push_back({{"address", e.address},
                             {"rssi", e.rssi},
                             {"rpi", e.rpi},
                             {"aem", e.aem},
                             {"count", e.count},
                             {"first_us", e.first_us},
                             {"last_us", e.last_us}});
        } else {
            env.out << "seen " << e.address << ' ' << e.rssi << ' ' << e.rpi << ' ' << e.aem
                    << " count=" << e.count << " first_us=" << e.first_us
                    << " last_us=" << e.last_us << '\n';
        }
    }
    if (json) env.out << array.dump(2) << '\n';
}

void RunLive(const ScanArgs& args, CliEnv& env) {
    Result<std::string> spec = ConfiguredRadioSpec(env, args.radio, "scan");
    if (!spec.ok()) Fail(spec.status(), "scan");
    RadioOptions options;
    options.hci_log_path = args.hci_log;
    if (!env.real_time) options.sim_poll_ms = 0;  // the loop below polls
    auto radio = OpenRadio(*spec, env.clock, options);
    if (!radio.ok()) Fail(radio.status(), "scan --radio " + *spec);
    auto table = std::make_shared<LiveTable>();
    Status s = (*radio)->StartScanning(
        ScanParams{}, [table](const ReceivedAdvert& advert) { table->Add(advert); });
    if (!s.ok()) throw CliError(kExitFailure, "scan: " + s.ToString());
    // SIGINT/SIGTERM end the scan early, with the summary.
    StopSignals signals;
    const int64_t start = env.clock.MonotonicMicros();
    const auto duration = static_cast<int64_t>(args.duration_s * 1e6);
    while (!StopSignals::Requested() && env.clock.MonotonicMicros() - start < duration) {
        env.clock.SleepFor(100000);
        FailIfError((*radio)->Poll().status(), "scan");
        if (!args.json) PrintNew(*table, env);
    }
    s = (*radio)->StopScanning();
    if (!args.json) PrintNew(*table, env);
    PrintSummary(*table, args.json, env);
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
    scan->add_option("--duration", args->duration_s, "Seconds to scan live")
        ->check(CLI::Range(0.1, 86400.0));
    scan->add_option("--hci-log", args->hci_log,
                     "Write every HCI packet of the live scan to this btsnoop file");
    scan->add_flag("--json", args->json, "Print a JSON array instead of lines");
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
