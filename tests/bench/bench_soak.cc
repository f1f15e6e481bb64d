// jejak-bench soak: the venue box for --days simulated days among --devices visitors, with
// the daily check (keys fetch + match --fetched) and one diagnosed visitor published per
// simulated week (tests/support/soak_run.h says what runs and what is measured).
// Prints one line per simulated day and per week, then
//   soak days= devices= rss_kib_max= rss_kib_day1= fds_max= store_bytes_max= cpu_s_per_day= errors=
// and whether the flatness criteria hold (exit 1 when not). Wall time is never measured:
// cpu_s_per_day is this process's CPU seconds (user + system) per simulated day.
#include <cstdio>
#include <iostream>
#include <memory>

#include "bench.h"
#include "tests/support/soak_run.h"

namespace jejak::bench {

void RegisterSoakBench(CLI::App& app) {
    auto a = std::make_shared<SoakOptions>();
    auto* cmd = app.add_subcommand("soak", "Venue box for many simulated days: RSS, fds, store, retention");
    cmd->add_option("--days", a->days, "Simulated days")->check(CLI::Range(3, 365));
    cmd->add_option("--devices", a->devices, "Visitors, each at the venue once a day")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--retention-days", a->retention_days, "store.retention_days of the box")
        ->check(CLI::Range(1, 25));
    cmd->add_option("--tmp", a->tmp, "Directory for the scratch state");
    cmd->add_flag("--keep", a->keep, "Keep the scratch directory");
    cmd->callback([a] {
        Result<SoakResult> r = RunSoak(*a, std::cout);
        if (!r.ok()) {
            std::fprintf(stderr, "jejak-bench: soak: %s\n", r.status().ToString().c_str());
            throw CLI::RuntimeError(1);
        }
        std::cout << SoakFinalLine(*r) << "\n";
        const std::vector<std::string> fails = SoakCriteriaNotMet(*r);
        for (const std::string& f : fails) std::cout << "not flat: " << f << "\n";
        if (fails.empty()) std::cout << "flat: all criteria met\n";
        std::cout.flush();
        if (!fails.empty()) throw CLI::RuntimeError(1);
    });
}

}  // namespace jejak::bench
