// Row payload encodings (little-endian, fixed layouts) and their AD/nonce.
#include "storage/row_codec.h"

#include <bit>
#include <cstring>

namespace jejak {
namespace {

constexpr uint8_t kFormat = 1;
constexpr uint8_t kSightingFormat = 2;

class Writer {
public:
    explicit Writer(uint8_t* p) : p_(p) {}
    Writer& U8(uint8_t v) { *p_++ = v; return *this; }
    Writer& Le(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) *p_++ = static_cast<uint8_t>(v >> (8 * i));
        return *this;
    }
    Writer& Bytes(std::span<const uint8_t> b) {
        std::memcpy(p_, b.data(), b.size());
        p_ += b.size();
        return *this;
    }

private:
    uint8_t* p_;
};

class Reader {
public:
    explicit Reader(std::span<const uint8_t> b) : b_(b) {}
    uint8_t U8() { return b_[i_++]; }
    uint64_t Le(int n) {
        uint64_t v = 0;
        for (int k = 0; k < n; ++k) v |= uint64_t{b_[i_++]} << (8 * k);
        return v;
    }
    void Bytes(std::span<uint8_t> out) {
        std::memcpy(out.data(), b_.data() + i_, out.size());
        i_ += out.size();
    }
    std::span<const uint8_t> Rest() const { return b_.subspan(i_); }

private:
    std::span<const uint8_t> b_;
    size_t i_ = 0;
};

Status CheckShape(std::span<const uint8_t> plain, size_t min_size, bool exact, const char* what,
                  uint8_t format = kFormat) {
    if (plain.size() < min_size || (exact && plain.size() != min_size)) {
        return Status::Corruption(std::string(what) + " payload has the wrong length");
    }
    if (plain[0] != format) {
        return Status::Corruption(std::string(what) + " payload has unknown format " +
                                  std::to_string(plain[0]));
    }
    return Status::Ok();
}

}  // namespace

std::string_view TableName(TableId table) {
    switch (table) {
        case TableId::kTeks: return "teks";
        case TableId::kSightings: return "sightings";
        case TableId::kExposureChecks: return "exposure_checks";
        case TableId::kDeviceState: return "device_state";
        case TableId::kExposureLedger:
            return "exposure_ledger";
    }
    return "unknown";
}

std::array<uint8_t, kRowAdSize> RowAd(const RowAddress& row) {
    std::array<uint8_t, kRowAdSize> ad{'J', 'J', 'v', '1'};
    Writer(ad.data() + 4).U8(static_cast<uint8_t>(row.table)).Le(row.day, 4).Le(
        static_cast<uint64_t>(row.row_id), 8);
    return ad;
}

AeadNonce RowNonce(const RowAddress& row, const StoreId& store_id) {
    AeadNonce nonce{};
    Writer(nonce.data())
        .U8(static_cast<uint8_t>(row.table))
        .Le(row.day, 4)
        .Bytes(store_id)
        .Le(0, 3)
        .Le(static_cast<uint64_t>(row.row_id), 8);
    return nonce;
}

void EncodeSighting(const Sighting& s, std::span<uint8_t, kSightingPlainSize> out) {
    Writer(out.data())
        .U8(kSightingFormat)
        .Bytes(s.rpi)
        .Bytes(s.aem)
        .Le(static_cast<uint64_t>(s.first_seen_unix_s), 8)
        .Le(static_cast<uint64_t>(s.last_seen_unix_s - s.first_seen_unix_s), 4)
        .Le(s.count, 4)
        .U8(static_cast<uint8_t>(s.min_rssi))
        .U8(static_cast<uint8_t>(s.max_rssi))
        .Le(std::bit_cast<uint32_t>(s.mean_rssi), 4)
        .Le(static_cast<uint32_t>(s.seconds_since_previous_scan), 4)
        .U8(static_cast<uint8_t>(s.scan_regime))
        .Le(s.bin_seconds, 2);
}

Result<Sighting> DecodeSighting(std::span<const uint8_t> plain) {
    const bool v1 = plain.size() == kSightingPlainSizeV1 && plain[0] == kFormat;
    if (!v1) {
        JEJAK_RETURN_IF_ERROR(CheckShape(plain, kSightingPlainSize, true, "sighting", kSightingFormat));
    }
    Reader r(plain.subspan(1));
    Sighting s;
    r.Bytes(s.rpi);
    r.Bytes(s.aem);
    s.first_seen_unix_s = static_cast<int64_t>(r.Le(8));
    s.last_seen_unix_s = s.first_seen_unix_s + static_cast<int64_t>(r.Le(4));
    s.count = static_cast<uint32_t>(r.Le(4));
    s.min_rssi = static_cast<int8_t>(r.U8());
    s.max_rssi = static_cast<int8_t>(r.U8());
    s.mean_rssi = std::bit_cast<float>(static_cast<uint32_t>(r.Le(4)));
    s.seconds_since_previous_scan = static_cast<int32_t>(static_cast<uint32_t>(r.Le(4)));
    if (v1) return s;  // written before scan regimes were recorded
    const uint8_t regime = r.U8();
    s.scan_regime = static_cast<ScanRegime>(regime);
    s.bin_seconds = static_cast<uint16_t>(r.Le(2));
    if (regime > static_cast<uint8_t>(ScanRegime::kContinuous) || !CheckSighting(s).ok()) {
        return Status::Corruption("sighting payload fails the sighting checks (regime, bin, times, counts)");
    }
    return s;
}

void EncodeTek(const StoredTek& tek, std::span<uint8_t, kTekPlainSize> out) {
    Writer(out.data())
        .U8(kFormat)
        .Bytes(tek.tek.bytes())
        .Le(tek.rolling_start, 4)
        .Le(tek.rolling_period, 4);
}

Result<StoredTek> DecodeTek(std::span<const uint8_t> plain) {
    JEJAK_RETURN_IF_ERROR(CheckShape(plain, kTekPlainSize, true, "TEK"));
    Reader r(plain.subspan(1));
    StoredTek tek;
    r.Bytes(tek.tek.mutable_bytes());
    tek.rolling_start = static_cast<uint32_t>(r.Le(4));
    tek.rolling_period = static_cast<uint32_t>(r.Le(4));
    return tek;
}

std::vector<uint8_t> EncodeExposureCheck(const ExposureCheckResult& result) {
    std::vector<uint8_t> out(9 + result.payload.size());
    Writer(out.data())
        .U8(kFormat)
        .Le(static_cast<uint64_t>(result.checked_at_unix_s), 8)
        .Bytes({reinterpret_cast<const uint8_t*>(result.payload.data()), result.payload.size()});
    return out;
}

Result<ExposureCheckResult> DecodeExposureCheck(std::span<const uint8_t> plain) {
    JEJAK_RETURN_IF_ERROR(CheckShape(plain, 9, false, "exposure check"));
    Reader r(plain.subspan(1));
    ExposureCheckResult result;
    result.checked_at_unix_s = static_cast<int64_t>(r.Le(8));
    const auto rest = r.Rest();
    result.payload.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
    return result;
}

std::vector<uint8_t> EncodeLedgerRecord(const LedgerRecord& record) {
    std::vector<uint8_t> out(5 + record.payload.size());
    Writer(out.data())
        .U8(kFormat)
        .Le(record.day, 4)
        .Bytes({reinterpret_cast<const uint8_t*>(record.payload.data()), record.payload.size()});
    return out;
}

Result<LedgerRecord> DecodeLedgerRecord(std::span<const uint8_t> plain, UtcDay row_day) {
    JEJAK_RETURN_IF_ERROR(CheckShape(plain, 5, false, "exposure ledger record"));
    Reader r(plain.subspan(1));
    LedgerRecord record;
    record.day = static_cast<UtcDay>(r.Le(4));
    if (record.day != row_day) {
        return Status::Corruption("exposure ledger record: day does not match its row");
    }
    const auto rest = r.Rest();
    record.payload.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
    return record;
}

Result<std::vector<uint8_t>> EncodeState(const DeviceState& state) {
    if (state.name.size() > 0xFFFF) return Status::InvalidArgument("device state name too long");
    std::vector<uint8_t> out(3 + state.name.size() + state.value.size());
    auto bytes = [](const std::string& s) {
        return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    Writer(out.data()).U8(kFormat).Le(state.name.size(), 2).Bytes(bytes(state.name)).Bytes(
        bytes(state.value));
    return out;
}

Result<DeviceState> DecodeState(std::span<const uint8_t> plain) {
    JEJAK_RETURN_IF_ERROR(CheckShape(plain, 3, false, "device state"));
    Reader r(plain.subspan(1));
    const auto name_size = static_cast<size_t>(r.Le(2));
    const auto rest = r.Rest();
    if (name_size > rest.size()) return Status::Corruption("device state name overruns payload");
    DeviceState state;
    state.name.assign(reinterpret_cast<const char*>(rest.data()), name_size);
    state.value.assign(reinterpret_cast<const char*>(rest.data()) + name_size,
                       rest.size() - name_size);
    return state;
}

}  // namespace jejak
