// The export worker: signed batches the agent's own reader accepts with the init'ed public
// key, embargo respected, padding and shuffling, index.txt, idempotence, resumption.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "gaen/export/export_verify.h"
#include "authority/export/export_worker.h"
#include "authority/files.h"
#include "authority_test_util.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

LoadedExport LoadVerified(TestAuthority& a, const std::string& relative) {
    ExportKeyRing ring;
    const auto& s = a.state().settings();
    REQUIRE(ring.AddPem(s.export_key_id, s.export_key_version, a.state().export_public_key_pem()).ok());
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    auto loaded = LoadExport(a.state().exports_dir() + "/" + relative, options);
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
    return std::move(*loaded);
}

std::string Index(TestAuthority& a) {
    auto text = ReadSmallFile(a.state().exports_dir() + "/index.txt");
    return text.ok() ? *text : "";
}

void EmbargoPaddingIndex(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    // 13 past days plus today's key cut at the current interval (same-day release).
    auto keys = PastKeys(13, a.random());
    ExposureKey today;
    a.random().Fill(today.key.mutable_bytes());
    today.rolling_start_number = DayStartInterval(kTestNow);
    today.rolling_period = IntervalOf(kTestNow) - DayStartInterval(kTestNow);
    keys.push_back(today);
    REQUIRE(a.ReportKeys(keys).status == 200);
    ExportWorker worker(a.state(), a.store(), a.random());

    // The past days' keys ended long ago and are released at once; today's key waits.
    auto first = worker.RunOnce(kTestNow);
    REQUIRE_MESSAGE(first.ok(), first.status().ToString());
    REQUIRE(first->batches == 1);
    CHECK(first->keys == 13);
    CHECK(first->padding_keys >= 1000 - 13);
    CHECK(first->padding_keys <= 1100 - 13);
    CHECK(Index(a) == first->paths[0] + "\n");
    CHECK(worker.RunOnce(kTestNow + 7199)->batches == 0);

    // 2 h after its end (the upload's interval), today's key follows in a batch of its own.
    auto run = worker.RunOnce(kTestNow + 7200);
    REQUIRE_MESSAGE(run.ok(), run.status().ToString());
    REQUIRE(run->batches == 1);
    CHECK(run->keys == 1);
    CHECK(Index(a) == first->paths[0] + "\n" + run->paths[0] + "\n");

    const LoadedExport e = LoadVerified(a, first->paths[0]);
    CHECK(e.summary.verdict.check == SignatureCheck::kValid);
    CHECK(e.file.header.region == "ZZ");
    CHECK(e.file.header.batch_num == 1);
    CHECK(e.file.header.signature_infos.at(0).verification_key_id == "ZZ");
    CHECK(e.file.header.end_timestamp == static_cast<uint64_t>(kTestNow));
    CHECK(e.file.keys.size() == 13 + first->padding_keys);
    const LoadedExport e2 = LoadVerified(a, run->paths[0]);
    CHECK(e2.file.header.start_timestamp == static_cast<uint64_t>(kTestNow));
    std::vector<DiagnosisKey> all = e.file.keys;
    all.insert(all.end(), e2.file.keys.begin(), e2.file.keys.end());
    size_t found = 0;
    size_t real_in_front = 0;  // real keys among the first 13 positions of the first file
    for (size_t i = 0; i < all.size(); ++i) {
        const DiagnosisKey& k = all[i];
        CHECK(k.report_type == ReportType::kConfirmedTest);
        for (const ExposureKey& u : keys) {
            if (u.key == k.key) {
                ++found;
                if (i < 13) ++real_in_front;
                CHECK(k.rolling_start_interval_number == u.rolling_start_number);
                CHECK(k.rolling_period == u.rolling_period);
                CHECK(k.transmission_risk_level == 2);  // filled in from "confirmed"
            }
        }
    }
    CHECK(found == 14);
    // Shuffled among the padding: the real keys are not simply written first.
    CHECK(real_in_front < 13);

    // Running again publishes nothing and leaves index.txt as it was.
    auto again = worker.RunOnce(kTestNow + 7300);
    REQUIRE(again.ok());
    CHECK(again->batches == 0);
    CHECK(Index(a) == first->paths[0] + "\n" + run->paths[0] + "\n");

    // The files are reachable over HTTP where a device's `keys fetch` looks for them.
    const auto [status, body] = a.Get("/exports/" + run->paths[0]);
    CHECK(status == 200);
    CHECK(body.size() == std::filesystem::file_size(a.state().exports_dir() + "/" + run->paths[0]));
}
AUTHORITY_BACKEND_CASE("export worker: embargoed keys wait, released keys are signed, "
                       "padded and indexed", EmbargoPaddingIndex)

void ResumesPendingBatch(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    REQUIRE(a.ReportKeys(PastKeys(3, a.random())).status == 200);
    // Simulate a worker that claimed a batch and died before writing it.
    {
        auto lease = a.store().LockExports();
        REQUIRE(lease.ok());
        auto claimed = a.store().ClaimBatch(kTestNow, 100, BatchFileName);
        REQUIRE(claimed.ok());
        REQUIRE(claimed->has_value());
    }
    CHECK(Index(a).empty());
    REQUIRE(a.ReportKeys(PastKeys(2, a.random(), kTestNow)).status == 200);
    ExportWorker worker(a.state(), a.store(), a.random());
    auto run = worker.RunOnce(kTestNow + 60);
    REQUIRE(run.ok());
    CHECK(run->resumed == 1);
    CHECK(run->batches == 2);
    CHECK(run->keys == 5);
    CHECK(Index(a) == run->paths[0] + "\n" + run->paths[1] + "\n");
    CHECK(LoadVerified(a, run->paths[0]).file.header.end_timestamp <
          LoadVerified(a, run->paths[1]).file.header.end_timestamp);
    // No temporary files are left behind.
    for (const auto& entry : std::filesystem::directory_iterator(a.state().exports_dir())) {
        CHECK(entry.path().extension() != ".tmp");
    }
}
AUTHORITY_BACKEND_CASE("export worker: a batch left pending by a killed worker is "
                       "completed before new ones", ResumesPendingBatch)

void RevisedKeys(const std::string& database) {
    TestAuthority a(database);
    a.StartServer();
    const auto keys = PastKeys(2, a.random());
    HttpResult first = a.ReportKeys(keys, "likely");
    REQUIRE(first.status == 200);
    ExportWorker worker(a.state(), a.store(), a.random());
    auto run1 = worker.RunOnce(kTestNow + 60);
    REQUIRE(run1.ok());
    REQUIRE(run1->batches == 1);

    const std::vector<uint8_t> secret(16, 0x11);
    const std::string cert = a.Certify(a.VerifyCode(a.IssueCode("confirmed")), keys, secret);
    nlohmann::json body = a.PublishBody(keys, cert, secret);
    body["revisionToken"] = first.body["revisionToken"];
    REQUIRE(a.PostJson("/v1/publish", body, false).status == 200);

    auto run2 = worker.RunOnce(kTestNow + 120);
    REQUIRE(run2.ok());
    REQUIRE(run2->batches == 1);
    const LoadedExport e = LoadVerified(a, run2->paths[0]);
    CHECK(e.file.keys.empty());
    REQUIRE(e.file.revised_keys.size() == 2);
    for (const auto& k : e.file.revised_keys) CHECK(k.report_type == ReportType::kConfirmedTest);
}
AUTHORITY_BACKEND_CASE("export worker: a revision of an exported key is published in revised_keys",
                       RevisedKeys)

TEST_CASE("batch keys: padding copies real metadata, small and empty batches") {
    SystemRandom random;
    std::vector<ExportEntry> entries(3);
    for (size_t i = 0; i < entries.size(); ++i) {
        random.Fill(entries[i].exposure.key.mutable_bytes());
        entries[i].exposure.rolling_start = 2700000 + static_cast<uint32_t>(i) * 144;
        entries[i].exposure.report_type = 1;
        entries[i].exposure.transmission_risk = 2;
    }
    BatchKeys b = BuildBatchKeys(entries, 10, 0, random);
    CHECK(b.keys.size() == 10);
    CHECK(b.padding == 7);
    for (const auto& k : b.keys) {
        CHECK(k.rolling_start_interval_number >= 2700000);
        CHECK(k.rolling_start_interval_number <= 2700288);
        CHECK(k.transmission_risk_level == 2);
    }
    CHECK(BuildBatchKeys({}, 10, 5, random).keys.empty());
    CHECK(BuildBatchKeys(entries, 2, 5, random).padding == 0);
}

}  // namespace
}  // namespace jejak::testing
