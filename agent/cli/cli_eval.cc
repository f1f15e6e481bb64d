// `jejak eval` (the efficacy harness).
//   jejak eval [--dataset DIR]... [--schedules N] [--grid] [--json]
//     Replays public RSSI-at-known-distance recordings (Herald-, Pi- or multi-channel-format
//     CSV files under each DIR; by default the copied datasets, see eval_data.h) through the
//     agent's own aggregation and scoring in modes P (phone duty cycle, N seeded schedules,
//     default 200), C (continuous scanning) and R (per reading), for each published preset
//     and a threshold sweep, and prints the metrics beside the published field figures.
//     --grid: also the grid of border and time the default rule was chosen from.
//     --json: an array with one object per (file, mode, rule). Progress on stderr when it
//     is a terminal and the run takes more than a second. Exit 0 when the run completed,
//     2 when a folder is missing or holds no usable recording.
#include <unistd.h>

#include <chrono>

#include "agent/cli/cli.h"
#include "agent/eval/eval_report.h"

namespace jejak {
namespace {

struct EvalArgs {
    std::vector<std::string> datasets;
    int schedules = 200;
    bool grid = false;
    bool json = false;
};

// Prints "k/n streams" on a terminal's stderr once the run has taken a second.
class Progress {
public:
    explicit Progress(std::ostream& err) : err_(err), tty_(::isatty(STDERR_FILENO) == 1) {}
    void Update(size_t done, size_t total, const std::string& file) {
        if (!tty_ || std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
        err_ << "\rjejak: eval " << done << "/" << total << " streams (" << file << ")\x1b[K";
        err_.flush();
        shown_ = true;
    }
    ~Progress() {
        if (shown_) err_ << "\r\x1b[K";
    }

private:
    std::ostream& err_;
    bool tty_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

void RunEvalCommand(const EvalArgs& args, CliEnv& env) {
    std::vector<std::string> dirs = args.datasets;
    if (dirs.empty()) dirs = eval::DefaultDatasetDirs();
    if (dirs.empty()) {
        throw CliError(kExitUsage, "eval: no datasets installed; give --dataset DIR");
    }
    std::vector<eval::Dataset> datasets;
    for (const std::string& dir : dirs) {
        auto d = eval::LoadDataset(dir);
        if (!d.ok()) throw CliError(kExitUsage, "eval: " + d.status().message());
        datasets.push_back(std::move(d).value());
    }
    eval::EvalOptions options;
    options.schedules = args.schedules;
    options.grid = args.grid;
    eval::EvalResult result;
    {
        Progress progress(env.err);
        options.progress = [&](size_t done, size_t total, const std::string& file) {
            progress.Update(done, total, file);
        };
        result = eval::RunEval(datasets, options);
    }
    if (args.json) {
        env.out << eval::ResultJson(result).dump(1) << "\n";
    } else {
        eval::PrintReport(result, env.out);
    }
}

}  // namespace

void RegisterEvalCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<EvalArgs>();
    CLI::App* cmd = app.add_subcommand(
        "eval", "Efficacy harness: replay RSSI-at-distance recordings through the scoring");
    cmd->add_option("--dataset", args->datasets,
                    "Folder of Herald-, Pi- or multi-channel-format CSV files (repeatable)");
    cmd->add_option("--schedules", args->schedules, "Mode P: number of seeded phone schedules")
        ->check(CLI::Range(1, 10000));
    cmd->add_flag("--grid", args->grid,
                  "Also the grid of border (50-60 dB) and time (8-15 min) the default rule was "
                  "chosen from");
    cmd->add_flag("--json", args->json, "One JSON object per (file, mode, rule)");
    cmd->callback([args, &env] { RunEvalCommand(*args, env); });
}

}  // namespace jejak
