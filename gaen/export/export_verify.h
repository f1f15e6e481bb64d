// Verifying diagnosis key exports and the one-call readers the rest of the agent uses.
//
// A key ring maps (verification_key_id, verification_key_version) to a P-256 public key. An
// export is valid when export.sig holds at least one signature made with a configured key
// and every such signature verifies over the whole export.bin; entries for keys we do not
// hold are ignored. A wildcard key (`--pubkey`) only needs to verify one entry that no
// exact key claims, since a multi-signed file also carries other authorities' signatures. Parsing
// errors are Status values; an unverified signature is a verdict, so `export inspect` can still
// show what a badly signed file contains.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gaen/export/export_file.h"
#include "crypto/ecdsa/ecdsa_p256.h"
#include "platform/base/status.h"

namespace jejak {

class ExportKeyRing {
public:
    // Adds the key for (key_id, key_version). Empty id and version make a wildcard that
    // matches every signature entry (the `--pubkey PEM` case). InvalidArgument for a bad PEM
    // or a duplicate (id, version).
    Status AddPem(const std::string& key_id, const std::string& key_version, std::string_view pem);
    Status AddPemFile(const std::string& key_id, const std::string& key_version,
                      const std::string& path);
    // The key for the entry, the wildcard when there is one, else nullptr.
    const EcdsaP256PublicKey* Find(const std::string& key_id, const std::string& key_version) const;
    // True when (key_id, key_version) itself is configured (not just the wildcard).
    bool HasExact(const std::string& key_id, const std::string& key_version) const;
    bool empty() const { return keys_.empty(); }
    size_t size() const { return keys_.size(); }

private:
    std::map<std::pair<std::string, std::string>, EcdsaP256PublicKey> keys_;
};

enum class SignatureCheck { kNotChecked, kValid, kInvalid, kMissing };
// "not checked", "valid", "invalid", "missing" (the words `export inspect` prints).
std::string_view SignatureCheckName(SignatureCheck check);

struct SignatureVerdict {
    SignatureCheck check = SignatureCheck::kNotChecked;
    std::string reason;  // empty when valid or not checked, e.g. "no key for id 310 version v1"
    // kInvalid only because no signature's key is configured: nothing was tampered with, a
    // key is missing from the configuration.
    bool key_not_configured = false;
};

// kMissing for an absent, empty or entry-less export.sig; kInvalid when no entry uses a
// configured key, an entry names another algorithm, or a signature does not verify.
SignatureVerdict VerifyExportSignatures(std::span<const uint8_t> bin,
                                        const std::vector<ExportSignature>& signatures,
                                        bool sig_present, const ExportKeyRing& ring);

struct ExportReadOptions {
    const ExportKeyRing* ring = nullptr;   // nullptr: signature not checked
    bool require_valid_signature = false;  // then anything but kValid is PermissionDenied
    ExportLimits limits;
    KeyCountObserver on_key_count;  // optional: told the file's key count before any visit
};

// Header, signatures and verdict of one export, without its keys.
struct ExportSummary {
    ExportHeader header;
    std::vector<ExportSignature> signatures;  // parsed export.sig (empty when absent)
    SignatureVerdict verdict;
    size_t key_count = 0;
    size_t revised_key_count = 0;
};

struct LoadedExport {
    ExportSummary summary;
    ExportFile file;
};

// Reads `path` (zip or bare export.bin), parses it and, with a ring, verifies it. Errors:
// IOError (cannot read), Corruption (malformed; message names the file and the reason),
// PermissionDenied (require_valid_signature and the verdict is not valid).
Result<LoadedExport> LoadExport(const std::string& path, const ExportReadOptions& options = {});
// Streaming form for very large files: the signature is checked first (so with
// require_valid_signature no key of a badly signed file reaches `visit`), then each key is
// passed to `visit` without building the key vectors.
Result<ExportSummary> VisitExport(const std::string& path, const ExportReadOptions& options,
                                  const DiagnosisKeyVisitor& visit);
// The same for a container already in memory (e.g. a download); `name` is used in messages.
Result<ExportSummary> VisitExportBytes(std::span<const uint8_t> bytes, const std::string& name,
                                       const ExportReadOptions& options,
                                       const DiagnosisKeyVisitor& visit);

}  // namespace jejak
