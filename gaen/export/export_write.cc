// Signed export writer: protobuf-c packs the messages, libzip builds the archive in memory,
// the archive reaches disk through a 0600 temporary file and an atomic rename.
#include "gaen/export/export_write.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gaen/export/proto/export.pb-c.h"
#include "platform/base/atomic_file.h"
#include "crypto/secret.h"

namespace jejak {
namespace {

// protobuf-c wants mutable char*; the strings outlive every pack call below.
char* Chars(const std::string& s) { return const_cast<char*>(s.c_str()); }

Jejakpb__SignatureInfo SignatureInfoOf(const ExportWriteOptions& o) {
    Jejakpb__SignatureInfo info = JEJAKPB__SIGNATURE_INFO__INIT;
    info.verification_key_version = Chars(o.key_version);
    info.verification_key_id = Chars(o.key_id);
    info.signature_algorithm = const_cast<char*>(kEcdsaP256Sha256Oid);
    return info;
}

Jejakpb__TemporaryExposureKey KeyMessageOf(const DiagnosisKey& k) {
    Jejakpb__TemporaryExposureKey m = JEJAKPB__TEMPORARY_EXPOSURE_KEY__INIT;
    m.has_key_data = 1;
    m.key_data.len = k.key.kSize;
    m.key_data.data = const_cast<uint8_t*>(k.key.data());
    m.has_transmission_risk_level = 1;
    m.transmission_risk_level = k.transmission_risk_level;
    m.has_rolling_start_interval_number = 1;
    m.rolling_start_interval_number = static_cast<int32_t>(k.rolling_start_interval_number);
    m.has_rolling_period = 1;
    m.rolling_period = static_cast<int32_t>(k.rolling_period);
    if (k.report_type) {
        m.has_report_type = 1;
        m.report_type = static_cast<Jejakpb__TemporaryExposureKey__ReportType>(*k.report_type);
    }
    if (k.days_since_onset_of_symptoms) {
        m.has_days_since_onset_of_symptoms = 1;
        m.days_since_onset_of_symptoms = *k.days_since_onset_of_symptoms;
    }
    return m;
}

Result<std::vector<uint8_t>> ZipInMemory(const std::vector<uint8_t>& bin,
                                         const std::vector<uint8_t>& sig) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (src == nullptr) return Status::Internal("zip: cannot create a buffer");
    zip_source_keep(src);
    zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &error);
    bool ok = z != nullptr;
    const std::pair<const char*, const std::vector<uint8_t>*> members[] = {{"export.bin", &bin},
                                                                           {"export.sig", &sig}};
    for (const auto& [name, data] : members) {
        if (!ok) break;
        zip_source_t* m = zip_source_buffer(z, data->data(), data->size(), 0);
        ok = m != nullptr && zip_file_add(z, name, m, ZIP_FL_OVERWRITE) >= 0;
        if (!ok && m != nullptr) zip_source_free(m);
    }
    if (z != nullptr && (!ok || zip_close(z) != 0)) {
        zip_discard(z);
        ok = false;
    }
    std::vector<uint8_t> out;
    if (ok && zip_source_open(src) == 0) {
        uint8_t buf[4096];
        zip_int64_t n = 0;
        while ((n = zip_source_read(src, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
        zip_source_close(src);
        ok = n == 0;
    } else {
        ok = false;
    }
    zip_source_free(src);
    zip_error_fini(&error);
    if (!ok) {
        SecureZero(out.data(), out.size());
        return Status::Internal("zip: cannot build the archive");
    }
    return out;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeExportBin(const std::vector<DiagnosisKey>& keys,
                                             const ExportWriteOptions& options) {
    return EncodeExportBin(keys, {}, options);
}

Result<std::vector<uint8_t>> EncodeExportBin(const std::vector<DiagnosisKey>& keys,
                                             const std::vector<DiagnosisKey>& revised_keys,
                                             const ExportWriteOptions& options) {
    Jejakpb__SignatureInfo info = SignatureInfoOf(options);
    Jejakpb__SignatureInfo* infos[] = {&info};
    std::vector<Jejakpb__TemporaryExposureKey> messages;
    messages.reserve(keys.size() + revised_keys.size());
    std::vector<Jejakpb__TemporaryExposureKey*> pointers;
    std::vector<Jejakpb__TemporaryExposureKey*> revised_pointers;
    for (const DiagnosisKey& k : keys) {
        messages.push_back(KeyMessageOf(k));
        pointers.push_back(&messages.back());
    }
    for (const DiagnosisKey& k : revised_keys) {
        messages.push_back(KeyMessageOf(k));
        revised_pointers.push_back(&messages.back());
    }
    Jejakpb__TemporaryExposureKeyExport e = JEJAKPB__TEMPORARY_EXPOSURE_KEY_EXPORT__INIT;
    e.has_start_timestamp = e.has_end_timestamp = 1;
    e.start_timestamp = options.start_timestamp;
    e.end_timestamp = options.end_timestamp;
    e.region = Chars(options.region);
    e.has_batch_num = e.has_batch_size = 1;
    e.batch_num = e.batch_size = 1;
    e.n_signature_infos = 1;
    e.signature_infos = infos;
    e.n_keys = pointers.size();
    e.keys = pointers.data();
    e.n_revised_keys = revised_pointers.size();
    e.revised_keys = revised_pointers.data();
    std::vector<uint8_t> bin(kExportHeader, kExportHeader + kExportHeaderSize);
    bin.resize(kExportHeaderSize + jejakpb__temporary_exposure_key_export__get_packed_size(&e));
    jejakpb__temporary_exposure_key_export__pack(&e, bin.data() + kExportHeaderSize);
    return bin;
}

Result<std::vector<uint8_t>> EncodeExportSignature(const std::vector<uint8_t>& bin,
                                                   const EcdsaP256PrivateKey& key,
                                                   const ExportWriteOptions& options) {
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> der, key.Sign(bin));
    Jejakpb__SignatureInfo info = SignatureInfoOf(options);
    Jejakpb__TEKSignature signature = JEJAKPB__TEKSIGNATURE__INIT;
    signature.signature_info = &info;
    signature.has_batch_num = signature.has_batch_size = 1;
    signature.batch_num = signature.batch_size = 1;
    signature.has_signature = 1;
    signature.signature.len = der.size();
    signature.signature.data = der.data();
    Jejakpb__TEKSignature* list_items[] = {&signature};
    Jejakpb__TEKSignatureList list = JEJAKPB__TEKSIGNATURE_LIST__INIT;
    list.n_signatures = 1;
    list.signatures = list_items;
    std::vector<uint8_t> out(jejakpb__teksignature_list__get_packed_size(&list));
    jejakpb__teksignature_list__pack(&list, out.data());
    return out;
}

Status WriteSignedExport(const std::string& path, const std::vector<DiagnosisKey>& keys,
                         const EcdsaP256PrivateKey& key, const ExportWriteOptions& options) {
    return WriteSignedExport(path, keys, {}, key, options);
}

Status WriteSignedExport(const std::string& path, const std::vector<DiagnosisKey>& keys,
                         const std::vector<DiagnosisKey>& revised_keys,
                         const EcdsaP256PrivateKey& key, const ExportWriteOptions& options) {
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> bin, EncodeExportBin(keys, revised_keys, options));
    auto sig = EncodeExportSignature(bin, key, options);
    Result<std::vector<uint8_t>> zip =
        sig.ok() ? ZipInMemory(bin, *sig) : Result<std::vector<uint8_t>>(sig.status());
    SecureZero(bin.data(), bin.size());
    if (!zip.ok()) return zip.status();
    Status s = WriteFileAtomically(path, *zip);
    SecureZero(zip->data(), zip->size());
    return s;
}

}  // namespace jejak
