// jejak-bench store (issue 3). Not yet built.
#include "bench.h"

namespace jejak::bench {

void RegisterStoreBench(CLI::App& app) { (void)app; }

}  // namespace jejak::bench
