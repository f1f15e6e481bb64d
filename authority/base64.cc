// Strict base64 in both alphabets.
#include "authority/base64.h"

#include <algorithm>
#include <array>

#include "crypto/secret.h"

namespace jejak::authority {
namespace {

const char* AlphabetChars(Base64Alphabet a) {
    return a == Base64Alphabet::kStandard
               ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
               : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}

// Reverse table: 0..63, or -1 for characters outside the alphabet.
std::array<int8_t, 256> ReverseTable(Base64Alphabet a) {
    std::array<int8_t, 256> table;
    table.fill(-1);
    const char* chars = AlphabetChars(a);
    for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(chars[i])] = static_cast<int8_t>(i);
    return table;
}

}  // namespace

std::string EncodeBase64(std::span<const uint8_t> bytes, Base64Alphabet alphabet) {
    const char* chars = AlphabetChars(alphabet);
    const bool pad = alphabet == Base64Alphabet::kStandard;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const size_t n = std::min<size_t>(3, bytes.size() - i);
        uint32_t v = uint32_t{bytes[i]} << 16;
        if (n > 1) v |= uint32_t{bytes[i + 1]} << 8;
        if (n > 2) v |= bytes[i + 2];
        for (size_t j = 0; j < 4; ++j) {
            if (j <= n) {
                out.push_back(chars[(v >> (18 - 6 * j)) & 0x3f]);
            } else if (pad) {
                out.push_back('=');
            }
        }
    }
    return out;
}

Result<std::vector<uint8_t>> DecodeBase64(std::string_view text, Base64Alphabet alphabet,
                                          std::string_view what) {
    static const std::array<int8_t, 256> kStandard = ReverseTable(Base64Alphabet::kStandard);
    static const std::array<int8_t, 256> kUrl = ReverseTable(Base64Alphabet::kUrl);
    const auto& table = alphabet == Base64Alphabet::kStandard ? kStandard : kUrl;
    const auto bad = [&] { return Status::InvalidArgument(std::string(what) + ": not valid base64"); };
    size_t len = text.size();
    if (alphabet == Base64Alphabet::kStandard) {
        if (len % 4 != 0) return bad();
        size_t padding = 0;
        while (padding < 2 && len > 0 && text[len - 1] == '=') {
            --len;
            ++padding;
        }
    }
    if (len % 4 == 1) return bad();
    std::vector<uint8_t> out;
    out.reserve(len * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; ++i) {
        const int8_t v = table[static_cast<uint8_t>(text[i])];
        if (v < 0) {
            SecureZero(out.data(), out.size());
            return bad();
        }
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>(acc >> bits));
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {  // non-canonical trailing bits
        SecureZero(out.data(), out.size());
        return bad();
    }
    return out;
}

Status DecodeBase64Exact(std::string_view text, Base64Alphabet alphabet, std::span<uint8_t> out,
                         std::string_view what) {
    JEJAK_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, DecodeBase64(text, alphabet, what));
    if (bytes.size() != out.size()) {
        const size_t got = bytes.size();
        SecureZero(bytes.data(), bytes.size());
        return Status::InvalidArgument(std::string(what) + ": expected " +
                                       std::to_string(out.size()) + " bytes, got " +
                                       std::to_string(got));
    }
    std::copy(bytes.begin(), bytes.end(), out.begin());
    SecureZero(bytes.data(), bytes.size());
    return Status::Ok();
}

}  // namespace jejak::authority
