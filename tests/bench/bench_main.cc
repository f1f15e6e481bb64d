// jejak-bench: `jejak-bench rpi|store|ingest|match|authority [options]`.
#include <iostream>

#include "bench.h"
#include "crypto/random.h"

int main(int argc, char** argv) {
    if (jejak::Status s = jejak::SystemRandom::Init(); !s.ok()) {
        std::cerr << "jejak-bench: " << s.ToString() << "\n";
        return 1;
    }
    CLI::App app{"Jejak benchmarks: measure and print figures", "jejak-bench"};
    app.require_subcommand(1);
    jejak::bench::RegisterRpiBench(app);
    jejak::bench::RegisterStoreBench(app);
    jejak::bench::RegisterIngestBench(app);
    jejak::bench::RegisterMatchBench(app);
    jejak::bench::RegisterAuthorityBench(app);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
