// jejak-bench match (issue 5). Not yet built.
#include "bench.h"

namespace jejak::bench {

void RegisterMatchBench(CLI::App& app) { (void)app; }

}  // namespace jejak::bench
