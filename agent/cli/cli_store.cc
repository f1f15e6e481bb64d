// `jejak store status|verify|wipe`: inspect, check and destroy the encrypted store in
// --state-dir. Output never contains key material or row contents, only counts, days and
// row ids.
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "platform/cli/cli_format.h"
#include "agent/config/agent_files.h"
#include "agent/config/store_config.h"
#include "agent/daemon/instance_lock.h"
#include "platform/base/clock.h"
#include "storage/sqlite_store.h"

namespace jejak {
namespace {

// "YYYY-MM-DD" of a UTC day number (days since 1970-01-01).
std::string DayString(UtcDay day) { return IsoDay(static_cast<int64_t>(day) * 86400); }

std::unique_ptr<SqliteStore> OpenOrThrow(const CliEnv& env) {
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) throw CliError(ExitCodeFor(store.status()), store.status().message());
    return std::move(store).value();
}

nlohmann::json StatsJson(const StoreStats& stats, const CliEnv& env) {
    nlohmann::json days = nlohmann::json::array();
    for (const DayCount& d : stats.days) {
        days.push_back({{"day", DayString(d.day)},
                        {"day_number", d.day},
                        {"day_unix", int64_t{d.day} * 86400},
                        {"sightings", d.sightings},
                        {"teks", d.teks},
                        {"exposure_checks", d.exposure_checks},
                        {"exposure_ledger", d.ledger_records}});
    }
    return {{"state_dir", env.state_dir},
            {"retention_days", stats.retention_days},
            {"oldest_retained_day", DayString(stats.oldest_retained_day)},
            {"oldest_retained_day_unix", int64_t{stats.oldest_retained_day} * 86400},
            {"bytes_on_disk", stats.bytes_on_disk},
            {"last_flush_unix", stats.last_flush_unix_s > 0 ? nlohmann::json(stats.last_flush_unix_s)
                                                           : nlohmann::json(nullptr)},
            {"last_flush", stats.last_flush_unix_s > 0 ? nlohmann::json(IsoTime(stats.last_flush_unix_s))
                                                      : nlohmann::json(nullptr)},
            {"days_held", stats.days.size()},
            {"days", days}};
}

void RunStatus(bool json, CliEnv& env) {
    auto store = OpenOrThrow(env);
    auto stats = store->Stats();
    if (!stats.ok()) throw CliError(kExitFailure, stats.status().message());
    if (json) {
        env.out << StatsJson(*stats, env).dump(2) << "\n";
        return;
    }
    env.out << "store:      " << env.state_dir << "\n"
            << "retention:  " << stats->retention_days << " days (oldest retained "
            << DayString(stats->oldest_retained_day) << ")\n"
            << "size:       " << stats->bytes_on_disk << " bytes\n"
            << "last flush: "
            << (stats->last_flush_unix_s > 0 ? IsoTime(stats->last_flush_unix_s) : "never")
            << "\n"
            << "days held:  " << stats->days.size() << "\n";
    for (const DayCount& d : stats->days) {
        env.out << "  " << DayString(d.day) << "  sightings=" << d.sightings << " teks=" << d.teks
                << " exposure_checks=" << d.exposure_checks
                << " exposure_ledger=" << d.ledger_records << "\n";
    }
}

void RunVerify(bool json, CliEnv& env) {
    auto store = OpenOrThrow(env);
    auto report = store->Verify();
    if (!report.ok()) throw CliError(kExitFailure, report.status().message());
    if (json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const RowProblem& p : report->problems) {
            problems.push_back({{"table", p.table}, {"day", DayString(p.day)},
                                {"row_id", p.row_id}, {"problem", p.what}});
        }
        env.out << nlohmann::json{{"rows_ok", report->rows_ok}, {"problems", problems}}.dump(2)
                << "\n";
    } else {
        for (const RowProblem& p : report->problems) {
            env.out << "corrupt: " << p.table << " day " << DayString(p.day) << " row " << p.row_id
                    << ": " << p.what << "\n";
        }
        env.out << "verified " << report->rows_ok << " rows, " << report->problems.size()
                << " problem" << (report->problems.size() == 1 ? "" : "s") << "\n";
    }
    if (!report->clean()) throw CliError(kExitFailure, "store verify found problems");
}

// Destroys keys, so it needs none: the passphrase is never read.
void RunWipe(bool yes, CliEnv& env) {
    auto options = LoadStoreOptions(env, PassphraseUse::kSkip);
    if (!options.ok()) throw CliError(kExitUsage, options.status().message());
    auto download_dir = ConfiguredDownloadDir(env);
    if (!download_dir.ok()) throw CliError(kExitUsage, download_dir.status().message());
    if (!SqliteStore::Exists(env.state_dir)) {
        throw CliError(kExitFailure, "no store in " + env.state_dir + ": nothing wiped");
    }
    // Never under a running daemon: it would go on writing into files being destroyed. The
    // lock is held until the wipe is done, so no daemon starts half way through.
    Result<InstanceLock> lock = InstanceLock::Acquire(env.state_dir, "jejak store wipe");
    if (!lock.ok()) {
        throw CliError(ExitCodeFor(lock.status()),
                       "store wipe: " + lock.status().message() + "; stop the daemon first");
    }
    if (!yes) {
        env.err << "This destroys every key and all data of the store in " << env.state_dir
                << " beyond recovery. Type 'wipe' to continue: " << std::flush;
        std::string answer;
        if (!std::getline(std::cin, answer) || answer != "wipe") {
            throw CliError(kExitFailure, "wipe cancelled");
        }
    }
    // Only a key file inside the state directory belongs to this store.
    const bool own_key = options->master.key_file.empty() ||
                         options->master.key_file == SqliteStore::DefaultMasterKeyPath(env.state_dir);
    Status s = SqliteStore::Wipe(*options, own_key);
    if (s.ok()) s = RemoveAgentFiles(env.state_dir, *download_dir);
    // Last, still holding it: the lock file, so that a wiped state dir is left empty. A
    // daemon starting now creates a fresh one.
    if (s.ok() && ::unlink(InstanceLock::PathFor(env.state_dir).c_str()) != 0 && errno != ENOENT) {
        s = Status::FromErrno(errno, "cannot remove " + InstanceLock::PathFor(env.state_dir));
    }
    if (!s.ok()) throw CliError(kExitFailure, s.message());
    env.out << "store in " << env.state_dir << " wiped\n";
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, CliEnv& env) {
    CLI::App* store = app.add_subcommand("store", "The encrypted encounter store");
    store->require_subcommand(1);

    auto status_json = std::make_shared<bool>(false);
    CLI::App* status = store->add_subcommand("status", "Days held, rows per day, size, retention");
    status->add_flag("--json", *status_json, "Print JSON");
    status->callback([status_json, &env] { RunStatus(*status_json, env); });

    auto verify_json = std::make_shared<bool>(false);
    CLI::App* verify = store->add_subcommand("verify", "Decrypt every row; exit 1 on any problem");
    verify->add_flag("--json", *verify_json, "Print JSON");
    verify->callback([verify_json, &env] { RunVerify(*verify_json, env); });

    auto yes = std::make_shared<bool>(false);
    CLI::App* wipe = store->add_subcommand("wipe", "Destroy the keys, then the store files");
    wipe->add_flag("--yes", *yes, "Do not ask for confirmation");
    wipe->callback([yes, &env] { RunWipe(*yes, env); });
}

}  // namespace jejak
