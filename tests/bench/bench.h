// jejak-bench subcommands. Each prints its figures and returns an exit code; none asserts
// on timing. One file per benchmark.
#pragma once

#include <CLI/CLI.hpp>

namespace jejak::bench {

void RegisterRpiBench(CLI::App& app);     // bench_rpi.cc
void RegisterStoreBench(CLI::App& app);   // bench_store.cc   (issue 3)
void RegisterIngestBench(CLI::App& app);  // bench_ingest.cc  (issue 4)
void RegisterMatchBench(CLI::App& app);   // bench_match.cc   (issue 5)

}  // namespace jejak::bench
