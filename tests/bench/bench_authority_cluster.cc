// jejak-bench authority --database DB --instances N --clients C: the authority as deployed,
// N `jejak authority serve` processes (loopback, ephemeral ports) on one database (a SQLite
// file or a postgresql:// URI), C client threads in this process spread over the instances
// round-robin, each sending prepared /v1/publish requests (14 fresh keys, own valid
// certificate) on a keep-alive connection; then one `jejak authority export` process over
// every published key.
//   authority backend=sqlite|postgresql instances=N publish_per_s=X p99_ms=Y export_keys_per_s=Z
// X: 200 replies per wall second; Y: 99th percentile request latency. Bounded by --requests
// and --seconds. A detail line follows with CPU seconds used during the publish phase by
// the server processes, by this (client) process, by PostgreSQL's processes (every process
// named "postgres"), and by the whole machine, beside the cores x wall seconds available:
// when the machine is saturated, more instances cannot help.
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "authority/authority_state.h"
#include "authority/store/open_authority_store.h"
#include "bench_authority.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "tests/support/child_process.h"
#include "tests/support/scratch_dir.h"

namespace jejak::bench {
namespace {

using namespace jejak::authority;

double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// utime + stime of a process in seconds (0 when it is gone).
double ProcessCpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const size_t close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14 || i == 15) ticks += std::stod(f);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds of every process whose command name is `comm`, by pid.
std::vector<std::pair<pid_t, double>> CpuByName(const std::string& comm) {
    std::vector<std::pair<pid_t, double>> out;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "comm");
        std::string c;
        std::getline(in, c);
        if (c == comm) out.emplace_back(std::stoi(name), ProcessCpuSeconds(std::stoi(name)));
    }
    return out;
}

double Sum(const std::vector<std::pair<pid_t, double>>& v) {
    double s = 0;
    for (const auto& [pid, cpu] : v) s += cpu;
    return s;
}

// Busy (non-idle) CPU seconds of the whole machine, from /proc/stat.
double MachineBusySeconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return (user + nice + system + irq + softirq + steal) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A child process with its stdout captured and its stderr on this terminal.
std::unique_ptr<testing::ChildProcess> Spawn(const std::vector<std::string>& argv) {
    testing::ChildOptions o;
    o.inherit_stderr = true;
    return std::make_unique<testing::ChildProcess>(argv, o);
}

// build/bin/jejak beside build/bin/jejak-bench.
std::string JejakBinary() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return (self.parent_path() / "jejak").string();
}

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    return v[i];
}

struct PublishPhase {
    size_t ok = 0, failed = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;
};

PublishPhase Publish(const std::vector<int>& ports, const std::vector<std::string>& bodies,
                     int clients, double seconds) {
    PublishPhase phase;
    std::atomic<size_t> next{0}, ok{0}, failed{0};
    std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
    const double start = Now();
    const double deadline = start + seconds;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            httplib::Client client("127.0.0.1", ports[static_cast<size_t>(c) % ports.size()]);
            client.set_keep_alive(true);
            client.set_tcp_nodelay(true);
            for (size_t i = next++; i < bodies.size() && Now() < deadline; i = next++) {
                const double t0 = Now();
                auto res = client.Post("/v1/publish", bodies[i], "application/json");
                latencies[static_cast<size_t>(c)].push_back((Now() - t0) * 1000);
                (res && res->status == 200 ? ok : failed)++;
            }
        });
    }
    for (auto& t : threads) t.join();
    phase.seconds = Now() - start;
    phase.ok = ok;
    phase.failed = failed;
    for (auto& l : latencies)
        phase.latencies_ms.insert(phase.latencies_ms.end(), l.begin(), l.end());
    return phase;
}

}  // namespace

int RunAuthorityClusterBench(const AuthorityBenchArgs& args) {
    const std::string jejak = JejakBinary();
    if (access(jejak.c_str(), X_OK) != 0) {
        std::fprintf(stderr, "jejak-bench: %s is missing (build the jejak target)\n",
                     jejak.c_str());
        return 1;
    }
    const testing::ScratchDir scratch("bench-auth");
    const std::string dir = scratch.str();
    SystemRandom random;
    SystemClock clock;
    auto init = AuthorityState::Init(dir, "ZZ", random, args.database);
    auto state = init.ok() ? AuthorityState::Open(dir, authority::ExportKey::kLoad)
                           : Result<std::unique_ptr<AuthorityState>>(init.status());
    if (!state.ok()) {
        std::fprintf(stderr, "jejak-bench: %s\n", state.status().ToString().c_str());
        return 1;
    }
    const char* backend = BackendName(BackendOf((*state)->database()));
    const int64_t now = clock.NowUnixMicros() / 1000000;
    std::vector<std::string> bodies;
    for (int i = 0; i < args.requests; ++i) bodies.push_back(PrepareRequest(**state, random, now));

    // Every keep-alive client holds one server thread: threads >= clients per instance.
    const int per_instance = (args.clients + args.instances - 1) / args.instances;
    const std::string threads = std::to_string(std::max(per_instance + 1, 2));
    std::vector<std::unique_ptr<testing::ChildProcess>> servers;
    std::vector<int> ports;
    int rc = 1;
    for (int i = 0; i < args.instances; ++i) {
        servers.push_back(Spawn({jejak, "--state-dir", dir, "authority", "serve", "--listen",
                                 "127.0.0.1:0", "--threads", threads}));
        (void)servers.back()->WaitFor(0, "\n", 30000);
        const std::string line = servers.back()->out().substr(0, servers.back()->out().find('\n'));
        const size_t colon = line.rfind(':');
        if (line.rfind("listening on http://", 0) != 0 || colon == std::string::npos) {
            std::fprintf(stderr, "jejak-bench: instance %d did not start\n", i);
            break;
        }
        ports.push_back(std::stoi(line.substr(colon + 1)));
    }
    if (ports.size() == static_cast<size_t>(args.instances)) {
        std::vector<double> server_cpu0;
        for (const auto& s : servers) server_cpu0.push_back(ProcessCpuSeconds(s->pid()));
        const auto pg0 = CpuByName("postgres");
        const double self0 = SelfCpuSeconds(), machine0 = MachineBusySeconds();
        PublishPhase phase = Publish(ports, bodies, args.clients, args.seconds);
        const double self_cpu = SelfCpuSeconds() - self0;
        const double machine_cpu = MachineBusySeconds() - machine0;
        double pg_cpu = Sum(CpuByName("postgres")) - Sum(pg0);
        std::string server_cpu;
        for (size_t i = 0; i < servers.size(); ++i) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%s%.2f", i ? "+" : "",
                          ProcessCpuSeconds(servers[i]->pid()) - server_cpu0[i]);
            server_cpu += buf;
        }
        for (auto& s : servers) s->Signal(SIGTERM);
        for (auto& s : servers) s->Wait();
        servers.clear();

        const double export_start = Now();
        auto exporter = Spawn({jejak, "--state-dir", dir, "authority", "export", "--now",
                               std::to_string(now + 3 * 86400), "--json"});
        const int export_rc = exporter->Wait();
        const std::string report = exporter->out();
        const double export_s = Now() - export_start;
        const nlohmann::json j = nlohmann::json::parse(report, nullptr, false);
        if (export_rc == 0 && j.is_object() && j.contains("keys")) {
            const double keys = j["keys"].get<double>();
            double export_bytes = 0;
            for (const auto& f : std::filesystem::directory_iterator((*state)->exports_dir())) {
                if (f.path().extension() == ".zip")
                    export_bytes += static_cast<double>(f.file_size());
            }
            std::printf(
                "authority backend=%s instances=%d publish_per_s=%.0f p99_ms=%.1f "
                "export_keys_per_s=%.0f\n",
                backend, args.instances, static_cast<double>(phase.ok) / phase.seconds,
                Percentile(phase.latencies_ms, 0.99), keys / export_s);
            std::printf(
                "authority-detail clients=%d requests_ok=%zu requests_failed=%zu "
                "publish_s=%.2f p50_ms=%.1f server_cpu_s=%s client_cpu_s=%.2f "
                "postgres_cpu_s=%.2f machine_busy_cpu_s=%.2f machine_cpu_s_available=%.2f "
                "export_keys=%.0f export_s=%.2f export_bytes=%.0f\n",
                args.clients, phase.ok, phase.failed, phase.seconds,
                Percentile(phase.latencies_ms, 0.5), server_cpu.c_str(), self_cpu, pg_cpu,
                machine_cpu,
                phase.seconds * static_cast<double>(std::thread::hardware_concurrency()), keys,
                export_s, export_bytes);
            rc = phase.failed == 0 ? 0 : 1;
        } else {
            std::fprintf(stderr, "jejak-bench: export failed (exit %d)\n", export_rc);
        }
    }
    for (auto& s : servers) {
        s->Signal(SIGTERM);
        s->Wait();
    }
    return rc;
}

}  // namespace jejak::bench
