// `jejak-authority init|issue-code|serve|export` (also reached as `jejak authority ...`): the
// pilot health-authority server (authority/). The authority's state lives in --state-dir (see
// authority_state.h); nothing here prints a private key.
//
// Exit codes: 0 done; 1 the command ran and failed (no authority in the state dir, already
// initialised, another export worker running, the port is taken); 2 bad arguments.
#include <sys/stat.h>

#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "authority/cli/cli_authority.h"
#include "platform/cli/cli_format.h"
#include "authority/authority_state.h"
#include "authority/console/console_service.h"
#include "authority/export/export_worker.h"
#include "authority/http/http_server.h"
#include "authority/metrics/authority_metrics.h"
#include "authority/publish_rules.h"
#include "authority/store/open_authority_store.h"
#include "authority/service.h"
#include "crypto/random.h"
#include "platform/base/clock.h"

namespace jejak {
namespace {

using authority::AuthorityState;

volatile std::sig_atomic_t g_serve_stop = 0;
extern "C" void RequestServeStop(int) { g_serve_stop = 1; }

void InitRandom() {
    if (Status s = SystemRandom::Init(); !s.ok()) Fail(s, "authority");
}

// Only `export` reads the export signing key (authority_state.h: ExportKey).
std::unique_ptr<AuthorityState> OpenState(const CliEnv& env, const std::string& what,
                                          const std::string& database,
                                          authority::ExportKey export_key) {
    auto state = AuthorityState::Open(env.state_dir, export_key, database);
    if (!state.ok()) Fail(state.status(), what);
    return std::move(*state);
}

struct InitArgs {
    std::string region = "ZZ";
    bool json = false;
    std::string database;
};

void RunInit(const InitArgs& args, CliEnv& env) {
    InitRandom();
    SystemRandom random;
    auto report = AuthorityState::Init(env.state_dir, args.region, random, args.database);
    if (!report.ok()) Fail(report.status(), "authority init");
    const authority::AuthoritySettings& s = report->settings;
    if (args.json) {
        const nlohmann::json j = {{"api_key", report->api_key},
                                  {"health_authority_id", s.health_authority_id},
                                  {"export_key_id", s.export_key_id},
                                  {"export_key_version", s.export_key_version},
                                  {"export_public_key_pem", report->export_public_key_pem},
                                  {"certificate_public_key_pem", report->certificate_public_key_pem},
                                  {"region", s.region}};
        env.out << j.dump(2) << "\n";
    } else {
        env.out << "authority created in " << env.state_dir << "\n"
                << "health_authority_id " << s.health_authority_id << "\n"
                << "api_key " << report->api_key << "   (shown once; devices send it as X-API-Key)\n"
                << "export key id " << s.export_key_id << " version " << s.export_key_version
                << ", public key " << env.state_dir << "/export_public_key.pem\n"
                << "certificate public key " << env.state_dir << "/certificate_public_key.pem\n";
    }
}

struct IssueArgs {
    std::string type;
    std::string onset;
    std::string test_date;
    int64_t expires_in_s = 0;  // 0: the kind's lifetime (short 1 h, long 24 h by default)
    std::string kind = "short";
    bool json = false;
    std::string database;
};

void RunIssueCode(const IssueArgs& args, CliEnv& env) {
    InitRandom();
    auto state = OpenState(env, "authority issue-code", args.database, authority::ExportKey::kSkip);
    auto store = state->OpenStore();
    if (!store.ok()) Fail(store.status(), "authority issue-code");
    SystemRandom random;
    authority::AuthorityService service(*state, **store, env.clock, random);
    // The console's daily figures and audit trail count codes from the command line too.
    auto console_store = authority::OpenConsoleStore(state->database(), 1);
    const int64_t now = env.clock.NowUnixMicros() / 1000000;
    if (console_store.ok()) {
        service.SetEventSink([&](const char* name, int64_t count) {
            (void)(*console_store)->AddDailyCount(authority::UtcDayStart(now), name, count);
        });
    }
    const authority::CodeKind kind =
        args.kind == "long" ? authority::CodeKind::kLong : authority::CodeKind::kShort;
    auto issued = service.IssueCode(args.type, args.onset, args.test_date, args.expires_in_s, kind);
    if (!issued.ok()) Fail(issued.status(), "authority issue-code");
    if (console_store.ok()) {
        (void)(*console_store)->Audit({now, "cli", "issue", args.type + " (issue-code)"});
    }
    if (args.json) {
        env.out << nlohmann::json{{"code", issued->code},
                                  {"expires_at_unix", issued->expires_at},
                                  {"type", issued->type}}.dump()
                << "\n";
    } else {
        env.out << issued->code << "\n"
                << "type " << issued->type << ", single use, expires " << IsoTime(issued->expires_at)
                << "\n";
    }
}

struct ServeArgs {
    std::string listen;
    std::string tls_cert;
    std::string tls_key;
    bool insecure_http = false;
    int threads = 8;
    std::string database;
    bool no_console = false;
    std::string metrics = "loopback";
};

// What /metrics shows beyond the request counts: the service's and the console's counters,
// then the export figures read from the database and the exports directory.
std::string RenderMetrics(const authority::RequestMetrics& requests,
                          authority::AuthorityService& service,
                          const authority::ConsoleService* console,
                          authority::AuthorityStore& store, const AuthorityState& state,
                          const Clock& clock) {
    authority::PrometheusWriter out;
    requests.Write(out);
    authority::WriteServiceCounters(service.counters(), out);
    if (console) authority::WriteConsoleCounters(console->counters(), out);
    authority::ExportFigures figures;
    auto paths = store.CompletedBatchPaths();
    auto keys = store.CountExposures();
    if (paths.ok()) figures.batches = static_cast<int64_t>(paths->size());
    if (keys.ok()) figures.stored_keys = *keys;
    if (!paths.ok() || !keys.ok()) ++service.counters().database_errors;
    struct stat st {};
    if (::stat((state.exports_dir() + "/index.txt").c_str(), &st) == 0) {
        figures.newest_age_s =
            std::max<int64_t>(0, clock.NowUnixMicros() / 1000000 - st.st_mtim.tv_sec);
    }
    authority::WriteExportFigures(figures, out);
    return out.text();
}

void RunServe(const ServeArgs& args, CliEnv& env) {
    InitRandom();
    auto options = authority::ParseListen(args.listen);
    if (!options.ok()) Fail(options.status(), "authority serve");
    options->tls_cert_file = args.tls_cert;
    options->tls_key_file = args.tls_key;
    options->threads = args.threads;
    options->insecure_http = args.insecure_http;
    auto state = OpenState(env, "authority serve", args.database, authority::ExportKey::kSkip);
    auto store = state->OpenStore(static_cast<size_t>(args.threads));
    if (!store.ok()) Fail(store.status(), "authority serve");
    SystemRandom random;
    // Warnings (a spent failed-verification budget) and the request log to stderr, the
    // journal under systemd.
    std::mutex log_mu;
    const auto log = [&](const std::string& line) {
        std::lock_guard lock(log_mu);
        env.err << line << std::endl;
    };
    authority::AuthorityService service(*state, **store, env.clock, random, log);
    options->request_log = log;
    options->clock = &env.clock;
    options->database_check = [&store] { return (*store)->CountExposures().status(); };
    // The console (on unless --no-console: without users nobody can sign in) shares the
    // database; the service's daily events go to it for the console's figures.
    std::unique_ptr<authority::ConsoleStore> console_store;
    std::unique_ptr<authority::ConsoleService> console;
    if (!args.no_console) {
        auto opened = authority::OpenConsoleStore(state->database(), static_cast<size_t>(args.threads));
        if (!opened.ok()) Fail(opened.status(), "authority serve");
        console_store = std::move(*opened);
        console = std::make_unique<authority::ConsoleService>(*state, service, *console_store,
                                                              env.clock, random);
        authority::ConsoleStore* daily = console_store.get();
        const Clock* clock = &env.clock;
        service.SetEventSink([daily, clock](const char* name, int64_t count) {
            (void)daily->AddDailyCount(authority::UtcDayStart(clock->NowUnixMicros() / 1000000),
                                       name, count);
        });
        options->console = [&console](const authority::WebRequest& r) { return console->Handle(r); };
    }
    authority::RequestMetrics request_metrics;
    if (args.metrics != "off") {
        auto access = authority::ParseMetricsAccess(args.metrics);
        if (!access.ok()) Fail(access.status(), "authority serve");
        options->observe = [&request_metrics](const std::string& route, int status, double s) {
            request_metrics.Observe(route, status, s);
        };
        options->metrics = authority::MetricsHandler(*access, *state, [&] {
            return RenderMetrics(request_metrics, service, console.get(), **store, *state,
                                 env.clock);
        });
    }
    authority::AuthorityHttpServer server(service, state->exports_dir());
    if (Status s = server.Bind(*options); !s.ok()) Fail(s, "authority serve");
    const bool tls = !args.tls_cert.empty();
    const std::string host = options->host.find(':') != std::string::npos
                                 ? "[" + options->host + "]" : options->host;
    // The handlers before the announcement: a SIGTERM right after it still stops cleanly.
    g_serve_stop = 0;
    struct sigaction sa = {}, old_int = {}, old_term = {};
    sa.sa_handler = RequestServeStop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    env.out << "listening on " << (tls ? "https://" : "http://") << host << ":" << server.port()
            << std::endl;
    Status run;
    std::thread thread([&] { run = server.Run(); });
    while (!g_serve_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.Stop();
    thread.join();
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    if (!run.ok()) Fail(run, "authority serve");
    env.out << "stopped" << std::endl;
}

struct ExportArgs {
    int64_t now = -1;
    bool json = false;
    std::string database;
};

void RunExport(const ExportArgs& args, CliEnv& env) {
    InitRandom();
    auto state = OpenState(env, "authority export", args.database, authority::ExportKey::kLoad);
    auto store = state->OpenStore();
    if (!store.ok()) Fail(store.status(), "authority export");
    SystemRandom random;
    const int64_t now = args.now >= 0 ? args.now : env.clock.NowUnixMicros() / 1000000;
    authority::ExportWorker worker(*state, **store, random);
    worker.SetAfterClaimHook(authority::ExportPauseFromEnvironment());
    auto report = worker.RunOnce(now);
    if (!report.ok()) Fail(report.status(), "authority export");
    if (args.json) {
        env.out << nlohmann::json{{"batches", report->batches}, {"resumed", report->resumed},
                                  {"keys", report->keys}, {"padding_keys", report->padding_keys},
                                  {"paths", report->paths}}.dump()
                << "\n";
        return;
    }
    for (const std::string& p : report->paths) env.out << "wrote " << p << "\n";
    env.out << report->batches << " batch(es), " << report->keys << " key(s), "
            << report->padding_keys << " padding key(s) in " << state->exports_dir() << "\n";
}

void AddDatabaseOption(CLI::App* command, std::string& database) {
    command->add_option("--database", database,
                        "Store: a SQLite file or a postgresql:// URI (default: authority.json's)");
}

}  // namespace

void RegisterAuthorityCommands(CLI::App& app, CliEnv& env) {
    CLI::App* a = &app;

    auto init = std::make_shared<InitArgs>();
    CLI::App* i = a->add_subcommand("init", "Create the authority's keys and state in --state-dir");
    i->add_option("--region", init->region, "Export region (also the export key id), e.g. MY");
    i->add_flag("--json", init->json, "Print the identifiers and public keys as JSON");
    AddDatabaseOption(i, init->database);
    i->callback([init, &env] { RunInit(*init, env); });

    auto issue = std::make_shared<IssueArgs>();
    CLI::App* c = a->add_subcommand("issue-code", "Print a single-use verification code");
    c->add_option("--type", issue->type, "confirmed, likely or negative")
        ->required()
        ->check(CLI::IsMember({"confirmed", "likely", "negative"}));
    c->add_option("--onset", issue->onset, "Symptom onset date YYYY-MM-DD");
    c->add_option("--test-date", issue->test_date, "Test date YYYY-MM-DD");
    c->add_option("--kind", issue->kind,
                  "short (read out, typed at once; 1 h) or long (sent by SMS; 24 h)")
        ->check(CLI::IsMember({"short", "long"}));
    c->add_option("--expires-in", issue->expires_in_s,
                  "Code lifetime in seconds, at most the kind's (default: the kind's)")
        ->check(CLI::Range(int64_t{1}, int64_t{30} * 86400))
        ->default_str("");
    c->add_flag("--json", issue->json, "Print {\"code\", \"expires_at_unix\", \"type\"}");
    AddDatabaseOption(c, issue->database);
    c->callback([issue, &env] { RunIssueCode(*issue, env); });

    auto serve = std::make_shared<ServeArgs>();
    CLI::App* s = a->add_subcommand("serve", "Serve the verification and publish APIs and /exports/");
    s->add_option("--listen", serve->listen, "HOST:PORT (port 0: any free port)")->required();
    s->add_option("--tls-cert", serve->tls_cert, "PEM certificate chain: serve HTTPS");
    s->add_option("--tls-key", serve->tls_key, "PEM private key of --tls-cert");
    s->add_flag("--insecure-http", serve->insecure_http,
                "Plain HTTP on an address other than loopback (behind a TLS proxy)");
    s->add_option("--threads", serve->threads, "Worker threads")->check(CLI::Range(1, 256));
    AddDatabaseOption(s, serve->database);
    s->add_flag("--no-console", serve->no_console, "Do not serve the staff console at /console/");
    s->add_option("--metrics", serve->metrics,
                  "Who may read /metrics: loopback (clients on 127.0.0.1/::1), api-key (the "
                  "X-API-Key or Authorization: Bearer), or off")
        ->check(CLI::IsMember({"loopback", "api-key", "off"}));
    s->callback([serve, &env] { RunServe(*serve, env); });


    auto exp = std::make_shared<ExportArgs>();
    CLI::App* e = a->add_subcommand("export", "Publish embargo-free keys as signed export batches");
    e->add_option("--now", exp->now, "Run as if at this unix time (seconds; default: now)")
        ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
        ->default_str("");
    e->add_flag("--json", exp->json, "Print the run's report as JSON");
    AddDatabaseOption(e, exp->database);
    e->callback([exp, &env] { RunExport(*exp, env); });

    RegisterUserCommands(app, env);
}

}  // namespace jejak
