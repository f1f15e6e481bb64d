// AuthorityCounters: what the server counts about abuse and chaff, in one place so that a
// status or /metrics endpoint can read it. Plain atomics: incremented from any thread, read
// without locks; no counter ever holds a code, token, key or address.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jejak::authority {

struct AuthorityCounters {
    std::atomic<uint64_t> rate_limited_verify{0};       // 429 from a per-address/per-key bucket
    std::atomic<uint64_t> rate_limited_certificate{0};
    std::atomic<uint64_t> failed_verifications{0};      // no such code, used or expired
    std::atomic<uint64_t> failed_budget_refusals{0};    // 429 because the global budget is spent
    std::atomic<uint64_t> failed_budget_exhausted{0};   // times the budget ran dry
    std::atomic<uint64_t> chaff_requests{0};
    std::atomic<uint64_t> codes_issued{0};     // by issue-code or the console
    std::atomic<uint64_t> codes_claimed{0};    // redeemed by /api/verify
    std::atomic<uint64_t> codes_expired{0};    // presented after their expiry (or revocation)
    std::atomic<uint64_t> keys_published{0};   // rows written by /v1/publish
    std::atomic<uint64_t> database_errors{0};  // a store call that failed

    // (name, value) pairs in a fixed order, names in snake_case.
    std::vector<std::pair<std::string, uint64_t>> Snapshot() const;
};

}  // namespace jejak::authority
