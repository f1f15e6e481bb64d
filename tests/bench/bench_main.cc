// jejak-bench: `jejak-bench rpi|store|ingest|match|authority|chaff|daemon|soak [options]`.
#include <iostream>
#include <string>

#include "bench.h"
#include "crypto/random.h"

int main(int argc, char** argv) {
    if (jejak::Status s = jejak::SystemRandom::Init(); !s.ok()) {
        std::cerr << "jejak-bench: " << s.ToString() << "\n";
        return 1;
    }
    CLI::App app{"Jejak benchmarks: measure and print figures", "jejak-bench"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("jejak-bench ") + JEJAK_VERSION);
    jejak::bench::RegisterRpiBench(app);
    jejak::bench::RegisterStoreBench(app);
    jejak::bench::RegisterIngestBench(app);
    jejak::bench::RegisterMatchBench(app);
    jejak::bench::RegisterDaemonBench(app);
    jejak::bench::RegisterAuthorityBench(app);
    jejak::bench::RegisterChaffBench(app);
    jejak::bench::RegisterSoakBench(app);
    if (argc < 2) {  // usage, not CLI11's RequiredError exit code (106)
        std::cerr << app.help() << "jejak-bench: a benchmark is required: rpi, store, ingest, match, authority, chaff, daemon, soak\n";
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        std::cerr << "jejak-bench: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {  // a benchmark's set-up failed (no scratch dir, ...)
        std::cerr << "jejak-bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
