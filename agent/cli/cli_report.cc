// `jejak report`: the device's own keys to a health authority after a confirmed diagnosis.
//   jejak report [--code CODE|-] [--yes] [--keys-from FILE] [--json]
//     --code - reads the code from standard input; without --code a terminal is asked for
//     it, so the code never needs to be on a command line (visible to local users in /proc).
//     Shows what will leave the device (how many keys, their UTC days, the servers), asks
//     for consent (type yes, or --yes), then verifies the code, binds the keys to the
//     certificate and publishes them (config section "upload"). Today's key is cut at the
//     current interval and a new key takes over; the revision token is kept sealed.
//     --keys-from: a sync station uploading a token's offline key file instead of its own.
//   jejak report --chaff [--if-due]
//     One decoy sequence of the same requests (X-Chaff: 1), of the real ones' sizes. --if-due (the
//     scheduled check): only when the randomly drawn due time kept in the state dir has
//     come (agent/upload/chaff_schedule.h); prints "chaff not due" otherwise, and "no chaff:
//     ..." on a device without an upload section. A decoy that fails stays due (exit 1).
// Exit 0 published; 1 a server refused (one line naming its error code) or could not be
// reached; 2 bad arguments or configuration, or no consent (nothing sent).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "agent/cli/status/cli_clock_offset.h"
#include "agent/config/agent_files.h"
#include "agent/config/store_config.h"
#include "agent/upload/chaff_schedule.h"
#include "agent/upload/consent.h"
#include "agent/upload/date_recording_poster.h"
#include "agent/upload/upload_client.h"
#include "agent/upload/upload_json.h"
#include "agent/upload/upload_keys.h"
#include "gaen/keys/interval.h"

namespace jejak {
namespace {

struct ReportArgs {
    std::string code;
    std::string keys_from;
    bool yes = false;
    bool json = false;
    bool chaff = false;
    bool if_due = false;
};

UploadConfig LoadUploadConfig(CliEnv& env) {
    Result<nlohmann::json> section = LoadConfigSection(env, "upload");
    if (!section.ok()) throw CliError(kExitUsage, section.status().message());
    Result<UploadConfig> config = ParseUploadConfig(*section);
    if (!config.ok()) throw CliError(kExitUsage, "report: " + config.status().message());
    return std::move(*config);
}

EnIntervalNumber NowInterval(CliEnv& env) {
    Result<EnIntervalNumber> now = IntervalFromUnixSeconds(env.clock.NowUnixMicros() / 1000000);
    if (!now.ok()) Fail(now.status(), "report");
    return *now;
}

// A station's offline key file: keys from the future or older than the upload window are
// dropped (never sent), as for the device's own keys.
std::vector<ExposureKey> KeysFromFile(const std::string& path, EnIntervalNumber now,
                                     size_t* dropped) {
    std::ifstream in(path);
    if (!in) throw CliError(kExitUsage, "report: --keys-from " + path + ": cannot read");
    std::stringstream text;
    text << in.rdbuf();
    std::string body = text.str();
    Result<std::vector<ExposureKey>> keys = ParseKeyFile(body);
    SecureZero(body.data(), body.size());
    if (!keys.ok()) throw CliError(kExitUsage, "report: " + path + ": " + keys.status().message());
    const EnIntervalNumber today = RollingStartOf(now);
    const EnIntervalNumber oldest = today - (kUploadDays - 1) * kTekRollingPeriod;
    std::vector<ExposureKey> kept;
    for (const ExposureKey& k : *keys) {
        if (k.rolling_start_number > now || k.rolling_start_number < oldest) {
            ++*dropped;
        } else {
            kept.push_back(k);
        }
    }
    return kept;
}

void PrintOutcome(const ReportOutcome& outcome, const ConsentSummary& summary, size_t dropped,
                  bool kept_token, const ReportArgs& args, CliEnv& env) {
    if (args.json) {
        nlohmann::json days = nlohmann::json::array();
        for (uint32_t d : summary.days) days.push_back(FormatUtcDay(d));
        env.out
            << nlohmann::json{{"sent", outcome.keys_sent},         {"inserted", outcome.inserted},
                              {"test_type", outcome.test_type},    {"days", days},
                              {"partial", outcome.partial},        {"dropped_from_file", dropped},
                              {"revision_token_kept", kept_token}, {"warnings", outcome.warnings}}
                   .dump(2)
            << "\n";
        return;
    }
    env.out << "published " << outcome.keys_sent << " keys (" << outcome.test_type
            << " test); the key server inserted " << outcome.inserted << "\n";
    if (dropped > 0) env.out << "dropped " << dropped << " keys outside the last 14 days\n";
    if (outcome.partial) env.out << "warning: the key server accepted only some keys\n";
    for (const std::string& w : outcome.warnings) env.out << "warning: " << w << "\n";
}

void SendChaff(const UploadConfig& config, CliEnv& env, RandomSource& random) {
    const EnIntervalNumber now = NowInterval(env);
    // Shaped like what this device would really send: its own number of keys.
    size_t count = kUploadDays;
    bool revision = false;
    if (auto store = OpenConfiguredStore(env, env.clock, /*create=*/false); store.ok()) {
        if (auto sel = SelectUploadKeys(**store, now); sel.ok() && !sel->keys.empty()) {
            count = sel->keys.size();
        }
        if (auto kept = LoadRevisionToken(**store); kept.ok()) revision = !kept->empty();
    }
    std::unique_ptr<HttpPoster> http = NewUploadPoster(config);
    UploadClient client(config, *http, random);
    FailIfError(client.Chaff(count, now, revision), "report --chaff");
    env.out << "chaff sent\n";
}

// The scheduled decoy: sent only when due; the next due time is drawn after a send (or on
// the first run), never after a failure, so a device offline now sends at its next check.
void RunChaffIfDue(CliEnv& env, RandomSource& random) {
    Result<nlohmann::json> section = LoadConfigSection(env, "upload");
    if (!section.ok()) throw CliError(kExitUsage, section.status().message());
    if (section->empty()) {
        env.out << "no chaff: the upload section is not configured\n";
        return;
    }
    const UploadConfig config = LoadUploadConfig(env);
    const std::string path = env.state_dir + "/" + kChaffScheduleFileName;
    Result<std::optional<int64_t>> due = LoadChaffDue(path);
    const int64_t now = env.clock.NowUnixMicros() / 1000000;
    // An unreadable schedule is drawn anew, like a missing one.
    const ChaffStep step = PlanChaff(due.ok() ? *due : std::nullopt, now);
    if (step.send) SendChaff(config, env, random);
    if (step.schedule) {
        FailIfError(SaveChaffDue(path, now + DrawChaffDelay(random)), "report --chaff");
    }
    if (!step.send) env.out << "chaff not due\n";
}

void RunChaff(const ReportArgs& args, CliEnv& env) {
    if (!args.code.empty() || !args.keys_from.empty()) {
        throw CliError(kExitUsage, "report: --chaff takes no --code or --keys-from");
    }
    SystemRandom random;
    if (args.if_due) return RunChaffIfDue(env, random);
    SendChaff(LoadUploadConfig(env), env, random);
}

// The code never needs to be on a command line, where every local user can read it in
// /proc: `--code -` reads it from standard input, and without --code a terminal is asked.
std::string ObtainCode(const ReportArgs& args, ConsentTerminal& terminal, std::ostream& prompt) {
    if (!args.code.empty() && args.code != "-") return args.code;
    if (args.code.empty() && !terminal.Interactive()) {
        throw CliError(kExitUsage,
                       "report: --code CODE is required (--code - reads it from standard input)");
    }
    if (terminal.Interactive()) {
        prompt << "verification code from the health authority: " << std::flush;
    }
    std::optional<std::string> line = terminal.ReadLine();
    std::string code = line.value_or("");
    if (line) SecureZero(line->data(), line->size());
    const size_t first = code.find_first_not_of(" \t\r");
    const size_t last = code.find_last_not_of(" \t\r");
    code = first == std::string::npos ? std::string() : code.substr(first, last - first + 1);
    if (code.empty()) throw CliError(kExitUsage, "report: no verification code was given");
    return code;
}

void RunReport(const ReportArgs& args, CliEnv& env) {
    if (args.chaff) return RunChaff(args, env);
    if (args.if_due) throw CliError(kExitUsage, "report: --if-due needs --chaff");
    std::unique_ptr<ConsentTerminal> terminal = NewStdinConsentTerminal();
    std::string code = ObtainCode(args, *terminal, args.json ? env.err : env.out);
    const UploadConfig config = LoadUploadConfig(env);
    const EnIntervalNumber now = NowInterval(env);
    std::unique_ptr<SqliteStore> store;
    UploadSelection selection;
    size_t dropped = 0;
    if (!args.keys_from.empty()) {
        selection.keys = KeysFromFile(args.keys_from, now, &dropped);
    } else {
        auto opened = OpenConfiguredStore(env, env.clock, /*create=*/false);
        if (!opened.ok()) Fail(opened.status(), "report");
        store = std::move(*opened);
        Result<UploadSelection> selected = SelectUploadKeys(*store, now);
        if (!selected.ok()) Fail(selected.status(), "report");
        selection = std::move(*selected);
    }
    if (selection.keys.empty()) throw CliError(kExitFailure, "report: no keys to upload");

    const ConsentSummary summary = SummarizeKeys(
        selection.keys,
        {config.verification_url + " (verification)", config.publish_url + " (keys)"});
    FailIfError(
        ObtainConsent(summary, "send", "sent", args.yes, *terminal, args.json ? env.err : env.out),
        "report");

    std::string revision_token;
    if (store) {
        Result<std::string> kept = LoadRevisionToken(*store);
        if (!kept.ok()) Fail(kept.status(), "report: revision token");
        revision_token = std::move(*kept);
    }
    std::unique_ptr<HttpPoster> curl = NewUploadPoster(config);
    DateRecordingHttpPoster http(*curl, env.clock);  // the servers' clocks, for `status`
    SystemRandom random;
    UploadRetry retry;
    retry.clock = &env.clock;  // a 503 is retried: 2, 4 and 8 s later
    UploadClient client(config, http, random, retry);
    Result<ReportOutcome> outcome = client.Report(code, selection.keys, revision_token);
    SecureZero(code.data(), code.size());
    KeepClockOffset(http.last(), "report", env);
    if (!outcome.ok()) Fail(outcome.status(), "report");
    bool kept_token = false;
    if (store) {
        FailIfError(ReleaseTodaysKey(*store, selection, random),
                    "report: published, but "
                    "starting a new key failed");
        FailIfError(SaveRevisionToken(*store, outcome->revision_token),
                    "report: published, but keeping the revision token failed");
        kept_token = !outcome->revision_token.empty();
    }
    PrintOutcome(*outcome, summary, dropped, kept_token, args, env);
}

}  // namespace

void RegisterReportCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<ReportArgs>();
    CLI::App* report = app.add_subcommand(
        "report", "Upload this device's own keys after a confirmed diagnosis (config \"upload\")");
    report->add_option("--code", args->code,
                       "Verification code from the health authority; - reads it from standard "
                       "input (asked on a terminal when omitted)");
    report->add_flag("--yes", args->yes, "Consent given: do not ask on the terminal");
    report->add_option("--keys-from", args->keys_from,
                       "Upload the keys of an offline key file (`keys export --for-diagnosis`)");
    report->add_flag("--json", args->json, "Print the outcome as JSON");
    report->add_flag("--chaff", args->chaff, "Send one decoy upload (X-Chaff), nothing real");
    report->add_flag("--if-due", args->if_due,
                     "With --chaff: only when the randomly drawn due time has come (timer)");
    report->callback([args, &env] { RunReport(*args, env); });
}

}  // namespace jejak
