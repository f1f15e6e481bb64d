// Signature verdicts for exports, the key ring, and the one-call readers.
#include "gaen/export/export_verify.h"

#include <fstream>
#include <sstream>

namespace jejak {

Status ExportKeyRing::AddPem(const std::string& key_id, const std::string& key_version,
                             std::string_view pem) {
    Result<EcdsaP256PublicKey> key = EcdsaP256PublicKey::FromPem(pem);
    if (!key.ok()) {
        return key.status().WithContext("public key for id \"" + key_id + "\" version \"" +
                                        key_version + "\"");
    }
    if (!keys_.emplace(std::make_pair(key_id, key_version), *key).second) {
        return Status::InvalidArgument("duplicate public key for id \"" + key_id + "\" version \"" +
                                       key_version + "\"");
    }
    return Status::Ok();
}

Status ExportKeyRing::AddPemFile(const std::string& key_id, const std::string& key_version,
                                 const std::string& path) {
    std::ifstream in(path);
    if (!in) return Status::FromErrno(errno, "cannot read public key " + path);
    std::stringstream text;
    text << in.rdbuf();
    return AddPem(key_id, key_version, text.str()).WithContext(path);
}

const EcdsaP256PublicKey* ExportKeyRing::Find(const std::string& key_id,
                                              const std::string& key_version) const {
    auto it = keys_.find({key_id, key_version});
    if (it == keys_.end()) it = keys_.find({"", ""});
    return it == keys_.end() ? nullptr : &it->second;
}

bool ExportKeyRing::HasExact(const std::string& key_id, const std::string& key_version) const {
    return keys_.count({key_id, key_version}) != 0;
}

std::string_view SignatureCheckName(SignatureCheck check) {
    switch (check) {
        case SignatureCheck::kValid:
            return "valid";
        case SignatureCheck::kInvalid:
            return "invalid";
        case SignatureCheck::kMissing:
            return "missing";
        case SignatureCheck::kNotChecked:
            break;
    }
    return "not checked";
}

SignatureVerdict VerifyExportSignatures(std::span<const uint8_t> bin,
                                        const std::vector<ExportSignature>& signatures,
                                        bool sig_present, const ExportKeyRing& ring) {
    if (!sig_present) return {SignatureCheck::kMissing, "no export.sig"};
    if (signatures.empty()) return {SignatureCheck::kMissing, "export.sig holds no signature"};
    size_t verified = 0;
    size_t unknown_keys = 0;
    std::string failure;
    for (const ExportSignature& s : signatures) {
        const std::string who = "key id \"" + s.info.verification_key_id + "\" version \"" +
                                s.info.verification_key_version + "\"";
        const bool exact =
            ring.HasExact(s.info.verification_key_id, s.info.verification_key_version);
        const EcdsaP256PublicKey* key =
            ring.Find(s.info.verification_key_id, s.info.verification_key_version);
        if (key == nullptr) {
            failure = "no configured public key for " + who;
            ++unknown_keys;
            continue;
        }
        if (s.info.signature_algorithm != kEcdsaP256Sha256Oid) {
            failure = "unsupported signature algorithm \"" + s.info.signature_algorithm + "\"";
        } else if (key->Verify(bin, s.signature)) {
            ++verified;
            continue;
        } else {
            failure = "signature by " + who + " does not verify";
        }
        if (exact) return {SignatureCheck::kInvalid, failure};
    }
    if (verified == 0) {
        return {SignatureCheck::kInvalid, failure, unknown_keys == signatures.size()};
    }
    return {SignatureCheck::kValid, ""};
}

namespace {

// Parses export.sig and decides the verdict before any key is used.
Result<ExportSummary> VerifyBlobs(const ExportBlobs& blobs, const std::string& name,
                                  const ExportReadOptions& options) {
    ExportSummary summary;
    if (blobs.sig) {
        Result<std::vector<ExportSignature>> sigs =
            ParseExportSignatures(*blobs.sig, options.limits);
        if (!sigs.ok()) return sigs.status().WithContext(name);
        summary.signatures = std::move(sigs).value();
    }
    if (options.ring != nullptr) {
        summary.verdict = VerifyExportSignatures(blobs.bin, summary.signatures,
                                                 blobs.sig.has_value(), *options.ring);
    }
    if (options.require_valid_signature && summary.verdict.check != SignatureCheck::kValid) {
        const SignatureVerdict& v = summary.verdict;
        if (v.key_not_configured) {
            return Status::PermissionDenied(
                name + ": signing key not configured: " + v.reason +
                " (add it to [diagnosis] public_keys; jejak match also takes --pubkey)");
        }
        return Status::PermissionDenied(name + ": signature " +
                                        std::string(SignatureCheckName(v.check)) +
                                        (v.reason.empty() ? "" : ": " + v.reason));
    }
    return summary;
}

Result<ExportSummary> VisitBlobs(const ExportBlobs& blobs, const std::string& name,
                                 const ExportReadOptions& options,
                                 const DiagnosisKeyVisitor& visit) {
    JEJAK_ASSIGN_OR_RETURN(ExportSummary summary, VerifyBlobs(blobs, name, options));
    Result<ExportHeader> header = VisitExportBin(
        blobs.bin,
        [&](const DiagnosisKey& key, KeyList list) {
            ++(list == KeyList::kKeys ? summary.key_count : summary.revised_key_count);
            return visit(key, list);
        },
        options.limits, options.on_key_count);
    if (!header.ok()) return header.status().WithContext(name);
    summary.header = std::move(header).value();
    return summary;
}

}  // namespace

Result<ExportSummary> VisitExport(const std::string& path, const ExportReadOptions& options,
                                  const DiagnosisKeyVisitor& visit) {
    JEJAK_ASSIGN_OR_RETURN(ExportBlobs blobs, ReadExportContainer(path, options.limits));
    return VisitBlobs(blobs, path, options, visit);
}

Result<ExportSummary> VisitExportBytes(std::span<const uint8_t> bytes, const std::string& name,
                                       const ExportReadOptions& options,
                                       const DiagnosisKeyVisitor& visit) {
    JEJAK_ASSIGN_OR_RETURN(ExportBlobs blobs,
                           ReadExportContainerBytes(bytes, name, options.limits));
    return VisitBlobs(blobs, name, options, visit);
}

Result<LoadedExport> LoadExport(const std::string& path, const ExportReadOptions& options) {
    LoadedExport loaded;
    Result<ExportSummary> summary =
        VisitExport(path, options, [&loaded](const DiagnosisKey& key, KeyList list) {
            (list == KeyList::kKeys ? loaded.file.keys : loaded.file.revised_keys).push_back(key);
            return Status::Ok();
        });
    if (!summary.ok()) return summary.status();
    loaded.summary = std::move(summary).value();
    loaded.file.header = loaded.summary.header;
    return loaded;
}

}  // namespace jejak
