// Parsing export.bin and export.sig. The top level of TemporaryExposureKeyExport is walked
// at the wire level so keys can be decoded one at a time (a 750,000-key file never becomes
// 750,000 protobuf-c structs at once); each key, the remaining header fields and export.sig
// are unpacked with protobuf-c under a byte budget, so no crafted message can make the
// unpacker allocate more than a fixed multiple of a small bound.
#include <cstdlib>
#include <cstring>

#include "gaen/export/export_file.h"
#include "gaen/export/proto/export.pb-c.h"

namespace jejak {
namespace {

constexpr size_t kMaxKeyMessageBytes = 1024;  // a real key message is ~30 bytes
constexpr size_t kKeyUnpackBudget = 16 * 1024;
constexpr size_t kMaxHeaderBytes = 64 * 1024;  // every non-key field together
constexpr size_t kHeaderUnpackBudget = 4u << 20;
constexpr size_t kSigUnpackBudget = 4u << 20;

// protobuf-c allocator that fails once `budget` bytes have been handed out.
struct BudgetAllocator {
    explicit BudgetAllocator(size_t budget) : remaining(budget) {
        allocator.alloc = &Alloc;
        allocator.free = &Free;
        allocator.allocator_data = this;
    }
    static void* Alloc(void* data, size_t size) {
        auto* self = static_cast<BudgetAllocator*>(data);
        if (size > self->remaining) return nullptr;
        self->remaining -= size;
        return std::malloc(size);
    }
    static void Free(void*, void* pointer) { std::free(pointer); }

    size_t remaining;
    ProtobufCAllocator allocator{};
};

// One top-level field of a protobuf message.
struct WireField {
    uint32_t number = 0;
    uint32_t wire_type = 0;
    size_t start = 0;                  // first byte of the tag
    std::span<const uint8_t> payload;  // length-delimited contents (wire type 2 only)
};

class WireWalker {
public:
    explicit WireWalker(std::span<const uint8_t> data) : data_(data) {}
    bool done() const { return pos_ >= data_.size(); }
    size_t pos() const { return pos_; }
    Result<WireField> Next();

private:
    Result<uint64_t> Varint();
    Status Skip(size_t n);

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
};

Result<uint64_t> WireWalker::Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos_ >= data_.size()) return Status::Corruption("protobuf: truncated varint");
        const uint8_t b = data_[pos_++];
        value |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return value;
    }
    return Status::Corruption("protobuf: varint longer than 10 bytes");
}

Status WireWalker::Skip(size_t n) {
    if (n > data_.size() - pos_) return Status::Corruption("protobuf: truncated field");
    pos_ += n;
    return Status::Ok();
}

Result<WireField> WireWalker::Next() {
    WireField field;
    field.start = pos_;
    JEJAK_ASSIGN_OR_RETURN(const uint64_t tag, Varint());
    if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff) {
        return Status::Corruption("protobuf: invalid field number");
    }
    field.number = static_cast<uint32_t>(tag >> 3);
    field.wire_type = static_cast<uint32_t>(tag & 7);
    switch (field.wire_type) {
        case 0: {
            JEJAK_ASSIGN_OR_RETURN(const uint64_t ignored, Varint());
            (void)ignored;
            return field;
        }
        case 1:
            JEJAK_RETURN_IF_ERROR(Skip(8));
            return field;
        case 5:
            JEJAK_RETURN_IF_ERROR(Skip(4));
            return field;
        case 2: {
            JEJAK_ASSIGN_OR_RETURN(const uint64_t len, Varint());
            if (len > data_.size() - pos_) {
                return Status::Corruption("protobuf: field " + std::to_string(field.number) +
                                          " runs past the end");
            }
            field.payload = data_.subspan(pos_, static_cast<size_t>(len));
            pos_ += static_cast<size_t>(len);
            return field;
        }
        default:
            return Status::Corruption("protobuf: unsupported wire type " +
                                      std::to_string(field.wire_type));
    }
}

const char* ListName(KeyList list) { return list == KeyList::kKeys ? "key" : "revised key"; }

// The fields of one TemporaryExposureKey as either decoder read them.
struct RawKey {
    bool has_key_data = false;
    std::span<const uint8_t> key_data;
    int32_t transmission_risk_level = 0;
    int32_t rolling_start_interval_number = 0;
    bool has_rolling_period = false;
    int32_t rolling_period = 144;
    bool has_report_type = false;
    int32_t report_type = 0;
    bool has_days_since_onset = false;
    int32_t days_since_onset = 0;
};

Status KeyError(size_t index, KeyList list, const std::string& what) {
    return Status::Corruption(std::string(ListName(list)) + " " + std::to_string(index) + ": " +
                              what);
}

Result<DiagnosisKey> ConvertKey(const RawKey& m, size_t index, KeyList list) {
    if (!m.has_key_data || m.key_data.size() != Tek::kSize) {
        return KeyError(index, list,
                        "key_data is " + std::to_string(m.key_data.size()) + " bytes, expected 16");
    }
    const int32_t period = m.has_rolling_period ? m.rolling_period : 144;
    if (period < 1 || period > 144) {
        return KeyError(index, list, "rolling_period " + std::to_string(period) + " outside 1..144");
    }
    if (m.rolling_start_interval_number < 0) {
        return KeyError(index, list, "negative rolling_start_interval_number");
    }
    DiagnosisKey key;
    std::memcpy(key.key.data(), m.key_data.data(), Tek::kSize);
    key.rolling_start_interval_number = static_cast<uint32_t>(m.rolling_start_interval_number);
    key.rolling_period = static_cast<uint32_t>(period);
    key.transmission_risk_level = m.transmission_risk_level;
    if (m.has_report_type) key.report_type = static_cast<ReportType>(m.report_type);
    if (m.has_days_since_onset) key.days_since_onset_of_symptoms = m.days_since_onset;
    return key;
}

// A varint of at most 5 bytes whose value fits 32 bits; false for anything else (longer
// encodings, e.g. negative int32, go to protobuf-c).
bool FastVarint32(std::span<const uint8_t> in, size_t& pos, uint32_t& out) {
    uint32_t value = 0;
    for (int i = 0; i < 5; ++i) {
        if (pos >= in.size()) return false;
        const uint8_t b = in[pos++];
        if (i == 4 && b > 0x0f) return false;
        value |= uint32_t{b & 0x7fu} << (7 * i);
        if ((b & 0x80) == 0) {
            out = value;
            return true;
        }
    }
    return false;
}

// Fast path for the usual key message: each of fields 1..6 at most once, with its declared
// wire type, one-byte tags and lengths, 32-bit varints, a report type 0..5, nothing else.
// On exactly such input protobuf-c yields the same values; for anything else this returns
// false and protobuf-c decides (so errors and edge cases stay protobuf-c's).
bool FastDecodeKey(std::span<const uint8_t> in, RawKey& m) {
    size_t pos = 0;
    unsigned seen = 0;
    while (pos < in.size()) {
        const uint8_t tag = in[pos++];
        const unsigned number = tag >> 3;
        if ((tag & 0x80) != 0 || number < 1 || number > 6 || (seen & (1u << number)) != 0) {
            return false;
        }
        seen |= 1u << number;
        if (number == 1) {
            if ((tag & 7) != 2 || pos >= in.size() || in[pos] >= 0x80) return false;
            const size_t len = in[pos++];
            if (len > in.size() - pos) return false;
            m.has_key_data = true;
            m.key_data = in.subspan(pos, len);
            pos += len;
            continue;
        }
        uint32_t v = 0;
        if ((tag & 7) != 0 || !FastVarint32(in, pos, v)) return false;
        switch (number) {
            case 2: m.transmission_risk_level = static_cast<int32_t>(v); break;
            case 3: m.rolling_start_interval_number = static_cast<int32_t>(v); break;
            case 4:
                m.has_rolling_period = true;
                m.rolling_period = static_cast<int32_t>(v);
                break;
            case 5:
                if (v > 5) return false;
                m.has_report_type = true;
                m.report_type = static_cast<int32_t>(v);
                break;
            default:  // 6: sint32, zigzag
                m.has_days_since_onset = true;
                m.days_since_onset = static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
                break;
        }
    }
    return true;
}

Result<DiagnosisKey> DecodeKey(std::span<const uint8_t> payload, size_t index, KeyList list,
                               bool allow_fast = true) {
    if (payload.size() > kMaxKeyMessageBytes) {
        return KeyError(index, list, "message of " + std::to_string(payload.size()) + " bytes");
    }
    if (RawKey fast; allow_fast && FastDecodeKey(payload, fast)) {
        return ConvertKey(fast, index, list);
    }
    BudgetAllocator budget(kKeyUnpackBudget);
    Jejakpb__TemporaryExposureKey* m =
        jejakpb__temporary_exposure_key__unpack(&budget.allocator, payload.size(), payload.data());
    if (m == nullptr) return KeyError(index, list, "malformed protobuf");
    RawKey raw;
    raw.has_key_data = m->has_key_data;
    raw.key_data = std::span<const uint8_t>(m->key_data.data, m->key_data.len);
    raw.transmission_risk_level = m->transmission_risk_level;
    raw.rolling_start_interval_number = m->rolling_start_interval_number;
    raw.has_rolling_period = m->has_rolling_period;
    raw.rolling_period = m->rolling_period;
    raw.has_report_type = m->has_report_type;
    // protobuf-c stores any wire value in the C enum field; loading it as the enum type is
    // undefined for values outside the enumerators, so copy its 32 bits instead.
    static_assert(sizeof(m->report_type) == sizeof(int32_t));
    int32_t report_type = 0;
    std::memcpy(&report_type, &m->report_type, sizeof report_type);
    raw.report_type = report_type;
    raw.has_days_since_onset = m->has_days_since_onset_of_symptoms;
    raw.days_since_onset = m->days_since_onset_of_symptoms;
    Result<DiagnosisKey> key = ConvertKey(raw, index, list);
    if (m->key_data.data != nullptr) SecureZero(m->key_data.data, m->key_data.len);
    jejakpb__temporary_exposure_key__free_unpacked(m, &budget.allocator);
    return key;
}

std::string CopyString(const char* s) { return s == nullptr ? std::string() : std::string(s); }

ExportSignatureInfo ConvertInfo(const Jejakpb__SignatureInfo* info) {
    if (info == nullptr) return {};
    return {CopyString(info->verification_key_version), CopyString(info->verification_key_id),
            CopyString(info->signature_algorithm)};
}

Result<ExportHeader> DecodeHeader(std::span<const uint8_t> bytes) {
    BudgetAllocator budget(kHeaderUnpackBudget);
    Jejakpb__TemporaryExposureKeyExport* m = jejakpb__temporary_exposure_key_export__unpack(
        &budget.allocator, bytes.size(), bytes.data());
    if (m == nullptr) return Status::Corruption("malformed export header fields");
    ExportHeader header;
    header.start_timestamp = m->start_timestamp;
    header.end_timestamp = m->end_timestamp;
    header.region = CopyString(m->region);
    header.batch_num = m->batch_num;
    header.batch_size = m->batch_size;
    for (size_t i = 0; i < m->n_signature_infos; ++i) {
        header.signature_infos.push_back(ConvertInfo(m->signature_infos[i]));
    }
    jejakpb__temporary_exposure_key_export__free_unpacked(m, &budget.allocator);
    return header;
}

// First pass: checks the wire structure, counts keys and gathers the non-key fields.
Result<std::vector<uint8_t>> ScanExport(std::span<const uint8_t> body, const ExportLimits& limits,
                                        size_t& key_count) {
    std::vector<uint8_t> header_bytes;
    WireWalker walker(body);
    while (!walker.done()) {
        JEJAK_ASSIGN_OR_RETURN(const WireField field, walker.Next());
        if (field.number == 7 || field.number == 8) {
            if (field.wire_type != 2) return Status::Corruption("keys field is not a message");
            if (++key_count > limits.max_keys) {
                return Status::Corruption("more than " + std::to_string(limits.max_keys) + " keys");
            }
            continue;
        }
        header_bytes.insert(header_bytes.end(), body.begin() + static_cast<long>(field.start),
                            body.begin() + static_cast<long>(walker.pos()));
        if (header_bytes.size() > kMaxHeaderBytes) {
            return Status::Corruption("non-key fields exceed " + std::to_string(kMaxHeaderBytes) +
                                      " bytes");
        }
    }
    return header_bytes;
}

}  // namespace

Result<DiagnosisKey> DecodeKeyMessage(std::span<const uint8_t> message, bool protobuf_c_only) {
    return DecodeKey(message, 0, KeyList::kKeys, !protobuf_c_only);
}

Result<ExportHeader> VisitExportBin(std::span<const uint8_t> bin, const DiagnosisKeyVisitor& visit,
                                    const ExportLimits& limits, const KeyCountObserver& on_count) {
    if (bin.size() < kExportHeaderSize ||
        std::memcmp(bin.data(), kExportHeader, kExportHeaderSize) != 0) {
        return Status::Corruption("export.bin: bad header (expected \"EK Export v1    \")");
    }
    if (bin.size() > limits.max_bin_bytes) {
        return Status::Corruption("export.bin: larger than " +
                                  std::to_string(limits.max_bin_bytes) + " bytes");
    }
    const std::span<const uint8_t> body = bin.subspan(kExportHeaderSize);
    size_t key_count = 0;
    Result<std::vector<uint8_t>> header_bytes = ScanExport(body, limits, key_count);
    if (!header_bytes.ok()) return header_bytes.status().WithContext("export.bin");
    Result<ExportHeader> header = DecodeHeader(*header_bytes);
    if (!header.ok()) return header.status().WithContext("export.bin");
    if (on_count) on_count(key_count);
    size_t index[2] = {0, 0};
    WireWalker walker(body);
    while (!walker.done()) {
        JEJAK_ASSIGN_OR_RETURN(const WireField field, walker.Next());
        if (field.number != 7 && field.number != 8) continue;
        const KeyList list = field.number == 7 ? KeyList::kKeys : KeyList::kRevisedKeys;
        Result<DiagnosisKey> key = DecodeKey(field.payload, index[field.number - 7]++, list);
        if (!key.ok()) return key.status().WithContext("export.bin");
        JEJAK_RETURN_IF_ERROR(visit(*key, list));
    }
    return header;
}

Result<ExportFile> ParseExportBin(std::span<const uint8_t> bin, const ExportLimits& limits) {
    ExportFile file;
    Result<ExportHeader> header = VisitExportBin(
        bin,
        [&file](const DiagnosisKey& key, KeyList list) {
            (list == KeyList::kKeys ? file.keys : file.revised_keys).push_back(key);
            return Status::Ok();
        },
        limits);
    if (!header.ok()) return header.status();
    file.header = std::move(header).value();
    return file;
}

Result<std::vector<ExportSignature>> ParseExportSignatures(std::span<const uint8_t> sig,
                                                           const ExportLimits& limits) {
    if (sig.size() > limits.max_sig_bytes) {
        return Status::Corruption("export.sig: larger than " +
                                  std::to_string(limits.max_sig_bytes) + " bytes");
    }
    std::vector<ExportSignature> out;
    if (sig.empty()) return out;
    BudgetAllocator budget(kSigUnpackBudget);
    Jejakpb__TEKSignatureList* m =
        jejakpb__teksignature_list__unpack(&budget.allocator, sig.size(), sig.data());
    if (m == nullptr) return Status::Corruption("export.sig: malformed TEKSignatureList");
    for (size_t i = 0; i < m->n_signatures; ++i) {
        const Jejakpb__TEKSignature* s = m->signatures[i];
        ExportSignature entry;
        entry.info = ConvertInfo(s->signature_info);
        entry.batch_num = s->batch_num;
        entry.batch_size = s->batch_size;
        entry.signature.assign(s->signature.data, s->signature.data + s->signature.len);
        out.push_back(std::move(entry));
    }
    jejakpb__teksignature_list__free_unpacked(m, &budget.allocator);
    return out;
}

}  // namespace jejak
