// ES256 compact JWS: DER <-> r||s conversion and the three-segment form.
#include "authority/jwt.h"

#include "platform/base/base64.h"

namespace jejak::authority {
namespace {

constexpr size_t kHalf = 32;

// Reads one DER INTEGER at `pos` into a 32-byte big-endian field.
bool ReadDerInteger(std::span<const uint8_t> der, size_t& pos, std::span<uint8_t> out) {
    if (pos + 2 > der.size() || der[pos] != 0x02) return false;
    size_t len = der[pos + 1];
    pos += 2;
    if (len == 0 || len > kHalf + 1 || pos + len > der.size()) return false;
    const uint8_t* p = der.data() + pos;
    pos += len;
    if (len == kHalf + 1) {  // a leading zero that only keeps the integer positive
        if (p[0] != 0) return false;
        ++p;
        --len;
    }
    std::fill(out.begin(), out.end(), 0);
    std::copy(p, p + len, out.begin() + static_cast<std::ptrdiff_t>(kHalf - len));
    return true;
}

void WriteDerInteger(std::span<const uint8_t> half, std::vector<uint8_t>& out) {
    size_t skip = 0;
    while (skip + 1 < half.size() && half[skip] == 0) ++skip;
    const bool pad = (half[skip] & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<uint8_t>(half.size() - skip + (pad ? 1 : 0)));
    if (pad) out.push_back(0);
    out.insert(out.end(), half.begin() + static_cast<std::ptrdiff_t>(skip), half.end());
}

std::span<const uint8_t> Bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Result<nlohmann::json> DecodeJsonSegment(std::string_view segment, std::string_view what) {
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                           Base64Decode(segment, Base64Alphabet::kUrl, what));
    nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (!j.is_object()) return Status::InvalidArgument(std::string(what) + ": not a JSON object");
    return j;
}

}  // namespace

Result<std::vector<uint8_t>> EcdsaDerToRaw(std::span<const uint8_t> der) {
    const auto bad = [] { return Status::InvalidArgument("ECDSA signature: malformed DER"); };
    if (der.size() < 8 || der[0] != 0x30 || size_t{der[1]} != der.size() - 2) return bad();
    std::vector<uint8_t> raw(2 * kHalf);
    size_t pos = 2;
    if (!ReadDerInteger(der, pos, std::span(raw).first(kHalf)) ||
        !ReadDerInteger(der, pos, std::span(raw).last(kHalf)) || pos != der.size()) {
        return bad();
    }
    return raw;
}

std::vector<uint8_t> EcdsaRawToDer(std::span<const uint8_t, 64> raw) {
    std::vector<uint8_t> body;
    WriteDerInteger(raw.first<kHalf>(), body);
    WriteDerInteger(raw.last<kHalf>(), body);
    std::vector<uint8_t> der(body.size() + 2);
    der[0] = 0x30;
    der[1] = static_cast<uint8_t>(body.size());
    std::copy(body.begin(), body.end(), der.begin() + 2);
    return der;
}

Result<std::string> SignJwtEs256(const nlohmann::json& claims, std::string_view kid,
                                 const EcdsaP256PrivateKey& key) {
    if (!claims.is_object()) return Status::InvalidArgument("JWT claims must be a JSON object");
    const nlohmann::json header = {{"alg", "ES256"}, {"kid", std::string(kid)}, {"typ", "JWT"}};
    std::string input = Base64Encode(Bytes(header.dump()), Base64Alphabet::kUrl) + "." +
                        Base64Encode(Bytes(claims.dump()), Base64Alphabet::kUrl);
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> der, key.Sign(Bytes(input)));
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> raw, EcdsaDerToRaw(der));
    return input + "." + Base64Encode(raw, Base64Alphabet::kUrl);
}

Result<nlohmann::json> VerifyJwtEs256(std::string_view token, const EcdsaP256PublicKey& key) {
    if (token.size() > kMaxJwtBytes) return Status::InvalidArgument("certificate: too long");
    const size_t dot1 = token.find('.');
    const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return Status::InvalidArgument("certificate: not a compact JWT");
    }
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json header,
                           DecodeJsonSegment(token.substr(0, dot1), "certificate header"));
    const auto alg = header.find("alg");
    if (alg == header.end() || !alg->is_string() || *alg != "ES256") {
        return Status::InvalidArgument("certificate: algorithm is not ES256");
    }
    const auto typ = header.find("typ");
    if (typ != header.end() && (!typ->is_string() || *typ != "JWT")) {
        return Status::InvalidArgument("certificate: type is not JWT");
    }
    JEJAK_ASSIGN_OR_RETURN(
        nlohmann::json claims,
        DecodeJsonSegment(token.substr(dot1 + 1, dot2 - dot1 - 1), "certificate claims"));
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> raw,
                           Base64Decode(token.substr(dot2 + 1), Base64Alphabet::kUrl,
                                        "certificate signature"));
    if (raw.size() != 2 * kHalf) {
        return Status::InvalidArgument("certificate: signature is not 64 bytes");
    }
    const std::vector<uint8_t> der = EcdsaRawToDer(std::span<const uint8_t, 64>(raw.data(), 64));
    if (!key.Verify(Bytes(token.substr(0, dot2)), der)) {
        return Status::PermissionDenied("certificate: signature does not verify");
    }
    return claims;
}

}  // namespace jejak::authority
