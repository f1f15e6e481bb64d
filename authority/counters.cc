// Reading the counters.
#include "authority/counters.h"

namespace jejak::authority {

std::vector<std::pair<std::string, uint64_t>> AuthorityCounters::Snapshot() const {
    return {{"rate_limited_verify", rate_limited_verify.load()},
            {"rate_limited_certificate", rate_limited_certificate.load()},
            {"failed_verifications", failed_verifications.load()},
            {"failed_budget_refusals", failed_budget_refusals.load()},
            {"failed_budget_exhausted", failed_budget_exhausted.load()},
            {"chaff_requests", chaff_requests.load()},
            {"codes_issued", codes_issued.load()},
            {"codes_claimed", codes_claimed.load()},
            {"codes_expired", codes_expired.load()},
            {"keys_published", keys_published.load()},
            {"database_errors", database_errors.load()}};
}

}  // namespace jejak::authority
