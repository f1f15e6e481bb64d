// Shared pieces of `jejak-bench authority`: the in-process pilot figure (bench_authority.cc)
// and the multi-instance deployment figure (bench_authority_cluster.cc).
#pragma once

#include <cstdint>
#include <string>

#include "authority/authority_state.h"
#include "crypto/random.h"

namespace jejak::bench {

struct AuthorityBenchArgs {
    int clients = 4;
    int requests = 2000;
    double seconds = 30;
    std::string database;  // "" and instances == 0: the in-process pilot benchmark
    int instances = 0;
};

// One prepared publish body with 14 new keys and a certificate bound to them.
std::string PrepareRequest(const authority::AuthorityState& state, RandomSource& random,
                           int64_t now);

// `serve` processes on args.database; prints the backend/instances/p99 line.
int RunAuthorityClusterBench(const AuthorityBenchArgs& args);

}  // namespace jejak::bench
