// jejak-bench subcommands. Each prints its figures and returns an exit code; none asserts
// on timing. One file per benchmark.
#pragma once

#include <CLI/CLI.hpp>

namespace jejak::bench {

void RegisterRpiBench(CLI::App& app);     // bench_rpi.cc
void RegisterStoreBench(CLI::App& app);   // bench_store.cc
void RegisterIngestBench(CLI::App& app);  // bench_ingest.cc
void RegisterMatchBench(CLI::App& app);   // bench_match.cc
void RegisterDaemonBench(CLI::App& app);  // bench_daemon.cc
void RegisterAuthorityBench(CLI::App& app);  // bench_authority.cc
void RegisterChaffBench(CLI::App& app);      // bench_chaff.cc
void RegisterSoakBench(CLI::App& app);       // bench_soak.cc

}  // namespace jejak::bench
