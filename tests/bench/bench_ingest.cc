// jejak-bench ingest (issue 4). Not yet built.
#include "bench.h"

namespace jejak::bench {

void RegisterIngestBench(CLI::App& app) { (void)app; }

}  // namespace jejak::bench
