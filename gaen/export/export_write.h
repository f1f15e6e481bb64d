// Writing a signed diagnosis key export (export.zip = export.bin + export.sig, PROTOCOL.md
// section 3): the authority's export worker writes its published batches with it, and
// `jejak keys export` the device's own TEKs (field tests). The reader side is export_file.h;
// this writer produces files that reader and the signature check in export_verify.h accept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gaen/export/export_file.h"
#include "crypto/ecdsa/ecdsa_sign.h"
#include "platform/base/status.h"

namespace jejak {

struct ExportWriteOptions {
    std::string region = "ZZ";
    std::string key_id = "jejak-demo";
    std::string key_version = "v1";
    uint64_t start_timestamp = 0;  // UTC seconds covered by the batch
    uint64_t end_timestamp = 0;
};

// Serialises export.bin: the 16-byte header then a TemporaryExposureKeyExport (batch 1 of 1,
// one SignatureInfo, `keys` as field 7 with report type and risk level as given). The result
// holds key material: the caller zeroes it (SecureZero) when done.
Result<std::vector<uint8_t>> EncodeExportBin(const std::vector<DiagnosisKey>& keys,
                                             const ExportWriteOptions& options);
// The same with `revised_keys` (field 8: keys whose report type changed after an earlier
// export, e.g. to REVOKED).
Result<std::vector<uint8_t>> EncodeExportBin(const std::vector<DiagnosisKey>& keys,
                                             const std::vector<DiagnosisKey>& revised_keys,
                                             const ExportWriteOptions& options);

// export.sig: a TEKSignatureList with one TEKSignature over `bin` signed by `key`.
Result<std::vector<uint8_t>> EncodeExportSignature(const std::vector<uint8_t>& bin,
                                                   const EcdsaP256PrivateKey& key,
                                                   const ExportWriteOptions& options);

// Writes `path` (via a temporary file + rename, mode 0600) as a zip holding export.bin and
// export.sig. IOError naming the path on failure.
Status WriteSignedExport(const std::string& path, const std::vector<DiagnosisKey>& keys,
                         const EcdsaP256PrivateKey& key, const ExportWriteOptions& options);
Status WriteSignedExport(const std::string& path, const std::vector<DiagnosisKey>& keys,
                         const std::vector<DiagnosisKey>& revised_keys,
                         const EcdsaP256PrivateKey& key, const ExportWriteOptions& options);

}  // namespace jejak
