// Reference (one key at a time) GAEN key schedule.
#include "gaen/keys/key_schedule.h"

#include <cstring>
#include <string>

#include "crypto/aes.h"
#include "crypto/hkdf.h"

namespace jejak {
namespace {

constexpr uint8_t kRpikInfo[] = {'E', 'N', '-', 'R', 'P', 'I', 'K'};
constexpr uint8_t kAemkInfo[] = {'E', 'N', '-', 'A', 'E', 'M', 'K'};

template <typename Key>
Key DeriveSubkey(const Tek& tek, std::span<const uint8_t> info) {
    Key key;
    HkdfSha256Fixed(tek.bytes(), {}, info, key.mutable_bytes());
    return key;
}

}  // namespace

Rpik DeriveRpik(const Tek& tek) { return DeriveSubkey<Rpik>(tek, kRpikInfo); }
Aemk DeriveAemk(const Tek& tek) { return DeriveSubkey<Aemk>(tek, kAemkInfo); }

std::array<uint8_t, 16> RpiPaddedData(EnIntervalNumber enin) {
    std::array<uint8_t, 16> block{'E', 'N', '-', 'R', 'P', 'I'};
    block[12] = static_cast<uint8_t>(enin);
    block[13] = static_cast<uint8_t>(enin >> 8);
    block[14] = static_cast<uint8_t>(enin >> 16);
    block[15] = static_cast<uint8_t>(enin >> 24);
    return block;
}

Result<Rpi> DeriveRpi(const Rpik& rpik, EnIntervalNumber enin) {
    const auto padded = RpiPaddedData(enin);
    Rpi rpi;
    JEJAK_RETURN_IF_ERROR(internal::Aes128EcbEncrypt(rpik.data(), padded.data(), rpi.data(), 1));
    return rpi;
}

Result<Aem> CryptMetadata(const Aemk& aemk, const Rpi& rpi, const MetadataBytes& metadata) {
    // CTR with a 4-byte message uses only the first keystream block, AES(AEMK, RPI).
    uint8_t keystream[16];
    // On failure the primitive has zeroed the keystream already.
    JEJAK_RETURN_IF_ERROR(internal::Aes128EcbEncrypt(aemk.data(), rpi.data(), keystream, 1));
    Aem out;
    for (size_t i = 0; i < out.size(); ++i) out[i] = metadata[i] ^ keystream[i];
    SecureZero(keystream, sizeof keystream);
    return out;
}

Result<MetadataBytes> EncodeMetadata(const Metadata& m) {
    if (m.major > 3 || m.minor > 3 || m.calibration_confidence > 3) {
        return Status::InvalidArgument("metadata version and confidence fields are 2 bits each");
    }
    if (m.minor == 0 && m.calibration_confidence != 0) {
        return Status::InvalidArgument("metadata v1.0 carries no calibration confidence");
    }
    const uint8_t version = static_cast<uint8_t>(m.major << 6 | m.minor << 4 |
                                                 m.calibration_confidence << 2);
    return MetadataBytes{version, static_cast<uint8_t>(m.tx_power_dbm), 0, 0};
}

Result<Metadata> DecodeMetadata(std::span<const uint8_t> bytes) {
    if (bytes.size() != 4) {
        return Status::Corruption("metadata must be 4 bytes, got " + std::to_string(bytes.size()));
    }
    Metadata m;
    m.major = static_cast<uint8_t>(bytes[0] >> 6);
    m.minor = static_cast<uint8_t>((bytes[0] >> 4) & 3);
    if (m.major != 1) {
        return Status::Corruption("unsupported metadata major version " + std::to_string(m.major));
    }
    m.calibration_confidence = m.minor >= 1 ? static_cast<uint8_t>((bytes[0] >> 2) & 3) : 0;
    m.tx_power_dbm = static_cast<int8_t>(bytes[1]);
    return m;
}

}  // namespace jejak
