// The authority on a full or failing disk (SQLite through FaultyVfs): every request it could
// not store is answered 503 with the API's error body and a message that says to retry (the
// code or certificate is not spent), never 500; every 200 is synced to disk before it is
// sent (synchronous=FULL: a power cut cannot take back an accepted upload) and its keys are
// in the next export.
#include <doctest/doctest.h>

#include <algorithm>

#include "gaen/export/export_verify.h"
#include "authority/export/export_worker.h"
#include "authority_test_util.h"
#include "tests/fakes/faulty_vfs.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

std::vector<DiagnosisKey> ExportedKeys(TestAuthority& a, const std::vector<std::string>& paths) {
    ExportKeyRing ring;
    const auto& s = a.state().settings();
    REQUIRE(ring.AddPem(s.export_key_id, s.export_key_version, a.state().export_public_key_pem()).ok());
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    std::vector<DiagnosisKey> keys;
    for (const std::string& p : paths) {
        auto loaded = LoadExport(a.state().exports_dir() + "/" + p, options);
        REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
        keys.insert(keys.end(), loaded->file.keys.begin(), loaded->file.keys.end());
    }
    return keys;
}

bool Contains(const std::vector<DiagnosisKey>& exported, const ExposureKey& k) {
    return std::any_of(exported.begin(), exported.end(), [&](const DiagnosisKey& d) {
        return d.key == k.key && d.rolling_start_interval_number == k.rolling_start_number;
    });
}

TEST_CASE("authority on a full disk answers 503 and stores nothing; the retry's 200 is synced and exported") {
    FaultyVfs vfs;  // before the authority opens its database
    TestAuthority a;
    a.StartServer();
    const auto keys = PastKeys(3, a.random());
    const std::vector<uint8_t> secret(16, 0x42);

    // Verification on a full disk: the code is not spent, so the same code works later.
    const std::string code = a.IssueCode();
    vfs.Set(FaultyVfs::Fault::kFull);
    HttpResult verify = a.PostJson("/api/verify", {{"code", code}, {"accept", {"confirmed"}}});
    CHECK(verify.status == 503);
    CHECK(verify.body["errorCode"] == "internal_server_error");
    CHECK(verify.body["error"].get<std::string>().find("try again") != std::string::npos);
    vfs.Clear();
    const std::string cert = a.Certify(a.VerifyCode(code), keys, secret);

    // Publish on a full disk, then on a failing one: 503 each time, nothing stored.
    for (auto fault : {FaultyVfs::Fault::kFull, FaultyVfs::Fault::kIoError}) {
        vfs.Set(fault);
        HttpResult r = a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false);
        vfs.Clear();
        CHECK(r.status == 503);
        CHECK(r.body["code"] == "internal_error");
        CHECK(r.body["error"].get<std::string>().find("nothing was stored") != std::string::npos);
        CHECK(a.Exposures() == 0);
    }

    // The same request once the disk is back: accepted, and on disk before the reply.
    const uint64_t syncs_before = vfs.syncs();
    HttpResult ok = a.PostJson("/v1/publish", a.PublishBody(keys, cert, secret), false);
    REQUIRE(ok.status == 200);
    CHECK(ok.body["insertedExposures"] == 3);
    CHECK(vfs.syncs() > syncs_before);
    CHECK(a.Exposures() == 3);

    ExportWorker worker(a.state(), a.store(), a.random());
    auto run = worker.RunOnce(kTestNow);
    REQUIRE_MESSAGE(run.ok(), run.status().ToString());
    const auto exported = ExportedKeys(a, run->paths);
    for (const ExposureKey& k : keys) CHECK(Contains(exported, k));
}

}  // namespace
}  // namespace jejak::testing
