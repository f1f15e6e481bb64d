// Diagnosis key export files ("EK Export v1", PROTOCOL.md section 3): the parsed model and the
// readers. An export is a zip holding `export.bin` (16-byte header + TemporaryExposureKeyExport
// protobuf) and `export.sig` (TEKSignatureList); a bare export.bin is also accepted.
//
// Everything here reads untrusted bytes from a key server or a file: every function bounds
// its memory by ExportLimits and returns Corruption (or IOError for the file system) naming
// the file and the reason; nothing aborts. Signature checking lives in export_verify.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "platform/base/status.h"

namespace jejak {

// OID of ECDSA with SHA-256, the only algorithm GAEN exports use.
inline constexpr char kEcdsaP256Sha256Oid[] = "1.2.840.10045.4.3.2";

// TemporaryExposureKey.ReportType (proto field 5). Values outside the list are kept as read.
enum class ReportType : int32_t {
    kUnknown = 0,
    kConfirmedTest = 1,
    kConfirmedClinicalDiagnosis = 2,
    kSelfReport = 3,
    kRecursive = 4,  // reserved by the servers
    kRevoked = 5,
};

// One published diagnosis key. The TEK is public once published but is still key material:
// it stays in the Tek type (zeroed on destruction, never printed implicitly).
struct DiagnosisKey {
    Tek key;
    uint32_t rolling_start_interval_number = 0;           // ENIN of the key's first interval
    uint32_t rolling_period = 144;                        // 1..144 intervals (proto default 144)
    int32_t transmission_risk_level = 0;                  // deprecated, 0..8 in practice
    std::optional<ReportType> report_type;                // absent in older files
    std::optional<int32_t> days_since_onset_of_symptoms;  // sint32, key day minus onset day
};

// SignatureInfo (reserved fields 1 and 2 of 2020-era files are skipped).
struct ExportSignatureInfo {
    std::string verification_key_version;  // e.g. "v1"
    std::string verification_key_id;       // e.g. "310"
    std::string signature_algorithm;       // "1.2.840.10045.4.3.2" for ECDSA P-256 / SHA-256
};

// Everything in TemporaryExposureKeyExport except the keys.
struct ExportHeader {
    uint64_t start_timestamp = 0;  // UTC seconds
    uint64_t end_timestamp = 0;
    std::string region;
    int32_t batch_num = 0;
    int32_t batch_size = 0;
    std::vector<ExportSignatureInfo> signature_infos;
};

// A fully parsed export.bin.
struct ExportFile {
    ExportHeader header;
    std::vector<DiagnosisKey> keys;          // field 7: initial release
    std::vector<DiagnosisKey> revised_keys;  // field 8: changed report type or revoked
};

// One entry of export.sig (TEKSignatureList).
struct ExportSignature {
    ExportSignatureInfo info;
    int32_t batch_num = 0;
    int32_t batch_size = 0;
    std::vector<uint8_t> signature;  // DER ECDSA signature over the whole export.bin
};

// Bounds applied while reading; the defaults are Apple's published limits (PROTOCOL.md 3.1).
struct ExportLimits {
    size_t max_zip_bytes = 16u << 20;  // compressed archive on disk
    size_t max_bin_bytes = 16u << 20;  // export.bin after inflating
    size_t max_sig_bytes = 64u << 10;  // export.sig after inflating
    size_t max_zip_entries = 16;       // entries in the archive's central directory
    size_t max_keys = 750000;          // keys + revised_keys
};

// The two members of an export, as raw bytes.
struct ExportBlobs {
    std::vector<uint8_t> bin;                 // starts with the 16-byte header
    std::optional<std::vector<uint8_t>> sig;  // absent for a bare export.bin
};

// The 16-byte export.bin header: "EK Export v1" padded with four spaces.
inline constexpr char kExportHeader[] = "EK Export v1    ";
inline constexpr size_t kExportHeaderSize = 16;

// Reads `path`: a zip (by its "PK\x03\x04" magic) with export.bin and export.sig, or a bare
// export.bin (by its header). Sizes are checked against the limits before and while
// inflating. Errors name the file: "export.zip: export.bin inflates past 16777216 bytes".
Result<ExportBlobs> ReadExportContainer(const std::string& path, const ExportLimits& limits = {});
// The same for bytes already in memory; `name` is used in messages.
Result<ExportBlobs> ReadExportContainerBytes(std::span<const uint8_t> bytes,
                                             const std::string& name,
                                             const ExportLimits& limits = {});

// Which list of the export a visited key came from.
enum class KeyList { kKeys, kRevisedKeys };
// Called once per key in file order; a non-OK Status stops the walk and is returned.
using DiagnosisKeyVisitor = std::function<Status(const DiagnosisKey& key, KeyList list)>;

// Told the number of keys (both lists) once the structure is checked, before the first visit.
using KeyCountObserver = std::function<void(size_t keys)>;

// Streaming parse of export.bin (header included): checks the header, decodes one key at a
// time (memory stays O(one key) beyond the input) and returns the non-key fields. Rejects
// keys whose key_data is not 16 bytes, whose rolling period is outside 1..144, or whose
// interval number is negative, and files with more than limits.max_keys keys.
Result<ExportHeader> VisitExportBin(std::span<const uint8_t> bin, const DiagnosisKeyVisitor& visit,
                                    const ExportLimits& limits = {},
                                    const KeyCountObserver& on_count = nullptr);
// One TemporaryExposureKey message (the payload of a field 7 or 8), decoded and validated as
// the readers do (errors read "key 0: ..."). Usual messages take a hand-written fast path;
// protobuf_c_only bypasses it. Both must agree on every input (tests and the fuzz target).
Result<DiagnosisKey> DecodeKeyMessage(std::span<const uint8_t> message,
                                      bool protobuf_c_only = false);

// Whole-file parse built on VisitExportBin.
Result<ExportFile> ParseExportBin(std::span<const uint8_t> bin, const ExportLimits& limits = {});

// Parses export.sig. An empty input yields an empty list (the caller decides "missing").
Result<std::vector<ExportSignature>> ParseExportSignatures(std::span<const uint8_t> sig,
                                                           const ExportLimits& limits = {});

}  // namespace jejak
