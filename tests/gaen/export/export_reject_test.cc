// Must-reject cases for export files: tampered bytes anywhere, wrong keys, missing or empty
// signatures, truncated archives, zip bombs and oversized key lists.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "gaen/export/export_file.h"
#include "gaen/export/export_verify.h"
#include "tests/support/export_builders.h"
#include "tests/support/test_data.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::Bytes;
using testing::TestDataPath;

const char* kServerZip = "exports/enserver_testExport-2-records-1-of-1.zip";
const char* kServerPem = "exports/enserver_examples_export_public.pem";
const char* kSampleZip = "exports/internals_sample_diagnosis_key_file.zip";
const char* kSamplePem = "exports/internals_partner_key_310-v1.pem";

ExportKeyRing RingWith(const std::string& id, const std::string& version, const char* pem) {
    ExportKeyRing ring;
    REQUIRE(ring.AddPemFile(id, version, TestDataPath(pem)).ok());
    return ring;
}

// "error" when the bytes do not parse, else the signature verdict's name.
std::string Judge(const Bytes& bin, const std::optional<Bytes>& sig, const ExportKeyRing& ring) {
    if (!ParseExportBin(bin).ok()) return "error";
    std::vector<ExportSignature> sigs;
    if (sig) {
        auto parsed = ParseExportSignatures(*sig);
        if (!parsed.ok()) return "error";
        sigs = *parsed;
    }
    return std::string(
        SignatureCheckName(VerifyExportSignatures(bin, sigs, sig.has_value(), ring).check));
}

TEST_CASE("the untouched signed export is valid (baseline for the flips below)") {
    const ExportBlobs blobs = testing::BlobsOf(TestDataPath(kServerZip));
    CHECK(Judge(blobs.bin, blobs.sig, RingWith("some_id", "1", kServerPem)) == "valid");
}

TEST_CASE("flipping any bit pattern in export.bin is rejected or fails verification") {
    const ExportBlobs blobs = testing::BlobsOf(TestDataPath(kServerZip));
    const ExportKeyRing ring = RingWith("some_id", "1", kServerPem);
    REQUIRE(blobs.bin.size() == 135);
    size_t parse_errors = 0;
    for (size_t i = 0; i < blobs.bin.size(); ++i) {
        for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
            Bytes bin = blobs.bin;
            bin[i] ^= mask;
            const std::string verdict = Judge(bin, blobs.sig, ring);
            CAPTURE(i);
            CHECK(verdict != "valid");
            parse_errors += verdict == "error";
        }
    }
    CHECK(parse_errors > 32);  // every header flip at least
}

TEST_CASE("a flipped header byte is named as a bad header") {
    Bytes bin = testing::BlobsOf(TestDataPath(kServerZip)).bin;
    bin[3] ^= 0x20;
    Result<ExportFile> parsed = ParseExportBin(bin);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().IsCorruption());
    CHECK(parsed.status().message().find("bad header") != std::string::npos);
}

TEST_CASE("a flipped key byte still parses but the signature no longer verifies") {
    ExportBlobs blobs = testing::BlobsOf(TestDataPath(kSampleZip));
    Result<ExportFile> parsed = ParseExportBin(blobs.bin);
    REQUIRE(parsed.ok());
    const auto key = parsed->keys[7].key.bytes();
    auto at = std::search(blobs.bin.begin(), blobs.bin.end(), key.begin(), key.end());
    REQUIRE(at != blobs.bin.end());
    *at ^= 0x01;
    CHECK(Judge(blobs.bin, blobs.sig, RingWith("310", "v1", kSamplePem)) == "invalid");
}

TEST_CASE("flipping any signed-over byte of export.sig never verifies") {
    const ExportBlobs blobs = testing::BlobsOf(TestDataPath(kServerZip));
    const ExportKeyRing ring = RingWith("some_id", "1", kServerPem);
    REQUIRE(blobs.sig.has_value());
    // Bytes 37..40 are TEKSignature.batch_num and batch_size (fields 2 and 3, value 1): plain
    // metadata beside the signature, which covers export.bin only.
    REQUIRE(blobs.sig->at(37) == 0x10);
    REQUIRE(blobs.sig->at(39) == 0x18);
    for (size_t i = 0; i < blobs.sig->size(); ++i) {
        if (i >= 37 && i <= 40) continue;
        Bytes sig = *blobs.sig;
        sig[i] ^= 0x01;
        CAPTURE(i);
        CHECK(Judge(blobs.bin, sig, ring) != "valid");
    }
}

TEST_CASE("the wrong public key makes the verdict invalid") {
    const ExportBlobs blobs = testing::BlobsOf(TestDataPath(kSampleZip));
    // Registered under the right id and version, but it is another server's key.
    CHECK(Judge(blobs.bin, blobs.sig, RingWith("310", "v1", kServerPem)) == "invalid");
    // A wildcard key (export inspect --pubkey) that is not the signer's.
    CHECK(Judge(blobs.bin, blobs.sig,
                RingWith("", "", "exports/internals_partner_key_ExampleServer-v1.pem")) ==
          "invalid");
    // No key for the signature's id and version at all.
    const SignatureVerdict v = VerifyExportSignatures(blobs.bin, *ParseExportSignatures(*blobs.sig),
                                                      true, RingWith("311", "v1", kSamplePem));
    CHECK(v.check == SignatureCheck::kInvalid);
    CHECK(v.reason.find("no configured public key for key id \"310\"") != std::string::npos);
}

TEST_CASE("an empty or absent export.sig is a missing signature") {
    const ExportBlobs blobs = testing::BlobsOf(TestDataPath(kServerZip));
    const ExportKeyRing ring = RingWith("some_id", "1", kServerPem);
    CHECK(Judge(blobs.bin, Bytes{}, ring) == "missing");
    CHECK(Judge(blobs.bin, std::nullopt, ring) == "missing");

    testing::ScratchDir dir("export-reject");
    const std::string zip = dir.File("empty-sig.zip");
    REQUIRE(testing::WriteZip(zip, {{"export.bin", blobs.bin}, {"export.sig", {}}}));
    ExportReadOptions options;
    options.ring = &ring;
    options.require_valid_signature = true;
    Result<LoadedExport> loaded = LoadExport(zip, options);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.status().code() == StatusCode::kPermissionDenied);
    CHECK(loaded.status().message() == zip + ": signature missing: export.sig holds no signature");
}

TEST_CASE("a truncated zip is rejected with the file name") {
    const Bytes zip = testing::ReadFile(TestDataPath(kServerZip));
    for (size_t keep : {size_t{4}, size_t{30}, zip.size() / 2, zip.size() - 1}) {
        CAPTURE(keep);
        Result<ExportBlobs> blobs = ReadExportContainerBytes({zip.data(), keep}, "cut.zip");
        REQUIRE_FALSE(blobs.ok());
        CHECK(blobs.status().IsCorruption());
        CHECK(blobs.status().message().rfind("cut.zip: ", 0) == 0);
    }
}

TEST_CASE("a zip on disk is read without loading it: same blobs, same rejections") {
    testing::ScratchDir dir("export-disk");
    const Bytes zip = testing::ReadFile(TestDataPath(kServerZip));
    Result<ExportBlobs> from_disk = ReadExportContainer(TestDataPath(kServerZip));
    Result<ExportBlobs> from_memory = ReadExportContainerBytes(zip, "server.zip");
    REQUIRE(from_disk.ok());
    REQUIRE(from_memory.ok());
    CHECK(from_disk->bin == from_memory->bin);
    CHECK(from_disk->sig == from_memory->sig);

    for (size_t keep : {size_t{4}, size_t{30}, zip.size() / 2, zip.size() - 1}) {
        CAPTURE(keep);
        const std::string cut = dir.File("cut.zip");
        testing::WriteFile(cut, Bytes(zip.begin(), zip.begin() + static_cast<long>(keep)));
        Result<ExportBlobs> blobs = ReadExportContainer(cut);
        REQUIRE_FALSE(blobs.ok());
        CHECK(blobs.status().IsCorruption());
        CHECK(blobs.status().message().rfind(cut + ": ", 0) == 0);
    }
    ExportLimits small;
    small.max_zip_bytes = zip.size() - 1;
    Result<ExportBlobs> big = ReadExportContainer(TestDataPath(kServerZip), small);
    REQUIRE_FALSE(big.ok());
    CHECK(big.status().message().find("zip is larger than " + std::to_string(zip.size() - 1)) !=
          std::string::npos);
    CHECK(ReadExportContainer(dir.File("absent.zip")).status().IsNotFound());
}

TEST_CASE("a truncated bare export.bin is rejected") {
    const Bytes bin = testing::ReadFile(TestDataPath("exports/internals_cpp_testdata_export.bin"));
    size_t rejected = 0;
    for (size_t keep = 0; keep < bin.size(); keep += 97) {
        rejected += !ParseExportBin(Bytes(bin.begin(), bin.begin() + static_cast<long>(keep))).ok();
    }
    // Cuts on a field boundary can parse; everything else must not.
    CHECK(rejected > (bin.size() / 97) * 3 / 4);
    CHECK_FALSE(ParseExportBin(Bytes(bin.begin(), bin.end() - 1)).ok());
}

TEST_CASE("a zip without export.bin or with too many entries is rejected") {
    testing::ScratchDir dir("export-reject");
    const Bytes bin = testing::ExportBin({testing::KeyMessage(1)});
    REQUIRE(testing::WriteZip(dir.File("a.zip"), {{"other.bin", bin}}));
    Result<ExportBlobs> a = ReadExportContainer(dir.File("a.zip"));
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message().find("no export.bin") != std::string::npos);

    std::vector<testing::ZipEntry> many{{"export.bin", bin}};
    for (int i = 0; i < 20; ++i) many.push_back({"pad" + std::to_string(i), {1}});
    REQUIRE(testing::WriteZip(dir.File("b.zip"), many));
    Result<ExportBlobs> b = ReadExportContainer(dir.File("b.zip"));
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().message().find("21 entries, limit 16") != std::string::npos);
}

TEST_CASE("a zip bomb is refused by its declared size") {
    testing::ScratchDir dir("export-bomb");
    Bytes huge(kExportHeader, kExportHeader + kExportHeaderSize);
    huge.resize(32u << 20, 0);  // 32 MB of zeros deflates to about 32 KB
    REQUIRE(testing::WriteZip(dir.File("bomb.zip"), {{"export.bin", huge}}));
    CHECK(testing::ReadFile(dir.File("bomb.zip")).size() < 100 * 1024);
    Result<ExportBlobs> blobs = ReadExportContainer(dir.File("bomb.zip"));
    REQUIRE_FALSE(blobs.ok());
    CHECK(blobs.status().message().find("declares 33554432 bytes, limit 16777216") !=
          std::string::npos);
}

// Rewrites the uncompressed-size fields of every local and central header to `size`.
void LieAboutSizes(Bytes& zip, uint32_t size) {
    const uint8_t local[4] = {'P', 'K', 3, 4}, central[4] = {'P', 'K', 1, 2};
    for (size_t i = 0; i + 46 <= zip.size(); ++i) {
        size_t field = 0;
        if (std::memcmp(&zip[i], local, 4) == 0) field = i + 22;
        if (std::memcmp(&zip[i], central, 4) == 0) field = i + 24;
        if (field == 0) continue;
        for (size_t b = 0; b < 4; ++b) zip[field + b] = static_cast<uint8_t>(size >> (8 * b));
    }
}

TEST_CASE("a zip bomb that lies about its size is stopped while inflating") {
    testing::ScratchDir dir("export-bomb");
    Bytes huge(kExportHeader, kExportHeader + kExportHeaderSize);
    huge.resize(32u << 20, 0);
    REQUIRE(testing::WriteZip(dir.File("bomb.zip"), {{"export.bin", huge}}));
    Bytes zip = testing::ReadFile(dir.File("bomb.zip"));
    LieAboutSizes(zip, 1000);
    Result<ExportBlobs> blobs = ReadExportContainerBytes(zip, "liar.zip");
    REQUIRE_FALSE(blobs.ok());
    CHECK(blobs.status().IsCorruption());
    CHECK(blobs.status().message() == "liar.zip: export.bin inflates past 16777216 bytes");
    // The same from disk, where the entry is inflated straight from the file.
    testing::WriteFile(dir.File("liar.zip"), zip);
    Result<ExportBlobs> streamed = ReadExportContainer(dir.File("liar.zip"));
    REQUIRE_FALSE(streamed.ok());
    CHECK(streamed.status().message() ==
          dir.File("liar.zip") + ": export.bin inflates past 16777216 bytes");
}

TEST_CASE("more than 750,000 keys are rejected before any key is visited") {
    Bytes key;
    testing::PutBytes(key, 1, Bytes(16, 5));  // 20 bytes per key on the wire
    const Bytes bin = testing::ExportBin(std::vector<Bytes>(750001, key));
    REQUIRE(bin.size() < ExportLimits{}.max_bin_bytes);
    size_t visited = 0;
    Result<ExportHeader> header = VisitExportBin(bin, [&visited](const DiagnosisKey&, KeyList) {
        ++visited;
        return Status::Ok();
    });
    REQUIRE_FALSE(header.ok());
    CHECK(header.status().message() == "export.bin: more than 750000 keys");
    CHECK(visited == 0);
}

TEST_CASE("the key limit counts keys and revised keys together, and allows exactly the limit") {
    ExportLimits limits;
    limits.max_keys = 3;
    const Bytes k = testing::KeyMessage(1);
    CHECK(ParseExportBin(testing::ExportBin({k, k, k}), limits).ok());
    CHECK_FALSE(ParseExportBin(testing::ExportBin({k, k}, {k, k}), limits).ok());
}

TEST_CASE("malformed keys are rejected with their index") {
    Bytes short_key;
    testing::PutBytes(short_key, 1, Bytes(15, 7));
    Result<ExportFile> a = ParseExportBin(testing::ExportBin({testing::KeyMessage(1), short_key}));
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message() == "export.bin: key 1: key_data is 15 bytes, expected 16");

    Result<ExportFile> b = ParseExportBin(testing::ExportBin({}, {testing::KeyMessage(1, 145)}));
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().message() == "export.bin: revised key 0: rolling_period 145 outside 1..144");

    Bytes negative = testing::KeyMessage(2);
    testing::PutInt(negative, 3, static_cast<uint64_t>(-5));  // last occurrence wins
    CHECK_FALSE(ParseExportBin(testing::ExportBin({negative})).ok());
}

TEST_CASE("keys with report type and negative days since onset decode as sint32") {
    Bytes m = testing::KeyMessage(9, 72);
    testing::PutInt(m, 5, 5);          // REVOKED
    testing::PutInt(m, 6, 2 * 3 - 1);  // zigzag(-3) = 5
    testing::PutInt(m, 8, 2);          // variant_of_concern: skipped
    Result<ExportFile> f = ParseExportBin(testing::ExportBin({}, {m}));
    REQUIRE_MESSAGE(f.ok(), f.status().ToString());
    REQUIRE(f->revised_keys.size() == 1);
    CHECK(f->keys.empty());
    const DiagnosisKey& k = f->revised_keys[0];
    CHECK(k.rolling_period == 72);
    CHECK(k.report_type == ReportType::kRevoked);
    CHECK(k.days_since_onset_of_symptoms == -3);
}

TEST_CASE("a wire-level group or an oversized length is malformed, not a crash") {
    Bytes bin(kExportHeader, kExportHeader + kExportHeaderSize);
    testing::PutTag(bin, 7, 3);  // start group
    CHECK_FALSE(ParseExportBin(bin).ok());
    Bytes bin2(kExportHeader, kExportHeader + kExportHeaderSize);
    testing::PutTag(bin2, 7, 2);
    testing::PutVarint(bin2, uint64_t{1} << 40);
    CHECK_FALSE(ParseExportBin(bin2).ok());
    CHECK_FALSE(ParseExportSignatures(Bytes{0x0a, 0xff, 0xff, 0xff, 0x0f}).ok());
}

}  // namespace
}  // namespace jejak

namespace jejak {
namespace {

// A TEKSignatureList entry for (id, version, algorithm) with a bogus signature.
Bytes SignatureEntry(const std::string& id, const std::string& version, const std::string& alg) {
    Bytes info, entry, list;
    testing::PutBytes(info, 3, Bytes(version.begin(), version.end()));
    testing::PutBytes(info, 4, Bytes(id.begin(), id.end()));
    testing::PutBytes(info, 5, Bytes(alg.begin(), alg.end()));
    testing::PutBytes(entry, 1, info);
    testing::PutBytes(entry, 4, Bytes{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01});
    testing::PutBytes(list, 1, entry);
    return list;
}

Bytes Concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST_CASE("multi-signed exports: unknown authorities are ignored, a failing known key is not") {
    const ExportBlobs blobs = testing::BlobsOf(TestDataPath(kServerZip));
    const Bytes other = SignatureEntry("other", "v9", kEcdsaP256Sha256Oid);
    const Bytes own_bad = SignatureEntry("some_id", "1", kEcdsaP256Sha256Oid);
    const ExportKeyRing exact = RingWith("some_id", "1", kServerPem);
    const ExportKeyRing wildcard = RingWith("", "", kServerPem);
    // Protobuf repeated fields concatenate: the list holds both entries.
    CHECK(Judge(blobs.bin, Concat(other, *blobs.sig), exact) == "valid");
    CHECK(Judge(blobs.bin, Concat(other, *blobs.sig), wildcard) == "valid");
    CHECK(Judge(blobs.bin, Concat(own_bad, *blobs.sig), exact) == "invalid");
    CHECK(Judge(blobs.bin, other, wildcard) == "invalid");
    CHECK(Judge(blobs.bin, SignatureEntry("some_id", "1", "1.2.840.10045.4.3.4"), exact) ==
          "invalid");
}

}  // namespace
}  // namespace jejak
