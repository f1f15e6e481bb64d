// The AuthorityStore contract, run against the SQLite implementation: single-use secrets
// (also under concurrent redemption), publish transactions, batch claiming.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "authority/store/sqlite_authority_store.h"
#include "authority_test_util.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

std::unique_ptr<AuthorityStore> OpenStore(const AuthorityTempDir& dir) {
    auto store = OpenSqliteAuthorityStore(dir.path() + "/a.db", true);
    REQUIRE(store.ok());
    return std::move(*store);
}

SecretHash Hash(uint8_t fill) {
    SecretHash h;
    h.fill(fill);
    return h;
}

StoredExposure Exposure(uint8_t fill, int64_t available_at) {
    StoredExposure e;
    for (auto& b : e.key.mutable_bytes()) b = fill;
    e.rolling_start = 2700000;
    e.available_at = available_at;
    e.report_type = 1;
    return e;
}

Result<size_t> Insert(AuthorityStore& store, std::vector<StoredExposure> rows) {
    std::vector<Tek> keys;
    for (const auto& r : rows) keys.push_back(r.key);
    return store.Publish(keys, [&](const std::vector<StoredExposure>& existing) -> Result<PublishPlan> {
        if (!existing.empty()) return Status::FailedPrecondition("exists");
        PublishPlan plan;
        plan.inserts = rows;
        plan.new_revision = Hash(9);
        return plan;
    });
}

TEST_CASE("store: a code is redeemed once, then reported used; unknown and expired are told apart") {
    AuthorityTempDir dir;
    auto store = OpenStore(dir);
    REQUIRE(store->InsertCode(Hash(1), {"confirmed", "2027-01-10", ""}, 100).ok());
    CHECK(store->InsertCode(Hash(1), {"likely", "", ""}, 100).code() == StatusCode::kFailedPrecondition);
    REQUIRE(store->InsertCode(Hash(2), {"likely", "", ""}, 100).ok());
    auto first = store->RedeemCode(Hash(1), 50);
    REQUIRE(first.ok());
    CHECK(first->outcome == Redeem::kOk);
    CHECK(first->claims.test_type == "confirmed");
    CHECK(first->claims.symptom_date == "2027-01-10");
    CHECK(store->RedeemCode(Hash(1), 51)->outcome == Redeem::kUsed);
    CHECK(store->RedeemCode(Hash(3), 51)->outcome == Redeem::kUnknown);
    CHECK(store->RedeemCode(Hash(2), 100)->outcome == Redeem::kExpired);
    CHECK(store->RedeemToken(Hash(2), 10)->outcome == Redeem::kUnknown);  // separate tables
}

TEST_CASE("store: concurrent redemption of one token succeeds exactly once") {
    AuthorityTempDir dir;
    auto store = OpenStore(dir);
    for (uint8_t i = 0; i < 20; ++i) REQUIRE(store->InsertToken(Hash(i), {"confirmed", "", ""}, 100).ok());
    std::atomic<int> successes{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (uint8_t i = 0; i < 20; ++i) {
                auto r = store->RedeemToken(Hash(i), 10);
                if (r.ok() && r->outcome == Redeem::kOk) ++successes;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(successes == 20);
}

TEST_CASE("store: a refused publish plan writes nothing") {
    AuthorityTempDir dir;
    auto store = OpenStore(dir);
    REQUIRE(Insert(*store, {Exposure(1, 0), Exposure(2, 0)}).ok());
    CHECK(*store->CountExposures() == 2);
    CHECK(Insert(*store, {Exposure(3, 0), Exposure(2, 0)}).status().code() ==
          StatusCode::kFailedPrecondition);
    CHECK(*store->CountExposures() == 2);
}

TEST_CASE("store: batches claim only keys past their embargo, each key once") {
    AuthorityTempDir dir;
    auto store = OpenStore(dir);
    REQUIRE(Insert(*store, {Exposure(1, 100), Exposure(2, 100), Exposure(3, 500)}).ok());
    auto lease = store->LockExports();
    REQUIRE(lease.ok());
    CHECK(store->LockExports().status().IsUnavailable());
    auto name = [](int64_t s, int64_t e, int64_t id) {
        return std::to_string(s) + "-" + std::to_string(e) + "-" + std::to_string(id);
    };
    CHECK_FALSE(store->ClaimBatch(99, 10, name)->has_value());
    auto b1 = store->ClaimBatch(200, 1, name);
    REQUIRE(b1.ok());
    REQUIRE(b1->has_value());
    CHECK((*b1)->entries.size() == 1);
    CHECK((*b1)->path == "-86200-200-1");
    auto b2 = store->ClaimBatch(200, 10, name);
    REQUIRE(b2->has_value());
    CHECK((*b2)->entries.size() == 1);
    CHECK((*b2)->start_timestamp == 200);
    CHECK_FALSE(store->ClaimBatch(200, 10, name)->has_value());
    CHECK(store->PendingBatches()->size() == 2);
    REQUIRE(store->CompleteBatch((*b1)->id).ok());
    CHECK(store->PendingBatches()->size() == 1);
    CHECK(*store->CompletedBatchPaths() == std::vector<std::string>{"-86200-200-1"});
    auto b3 = store->ClaimBatch(600, 10, name);
    REQUIRE(b3->has_value());
    CHECK((*b3)->entries.size() == 1);
    lease->reset();
    CHECK(store->LockExports().ok());
}

}  // namespace
}  // namespace jejak::testing
