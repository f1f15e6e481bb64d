// Strict base64, standard (padded) and URL-safe (unpadded) alphabets.
#include "platform/base/base64.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "platform/base/hex.h"

namespace jejak {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int ValueOf(char c, Base64Alphabet alphabet) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    const bool url = alphabet == Base64Alphabet::kUrl;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

Status Bad(std::string_view what, const std::string& why) {
    return Status::InvalidArgument(std::string(what) + ": not valid base64 (" + why + ")");
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> bytes, Base64Alphabet alphabet) {
    const char* const table = alphabet == Base64Alphabet::kUrl ? kUrl : kStandard;
    const bool pad = alphabet == Base64Alphabet::kStandard;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t v =
            (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t v = uint32_t{bytes[i]} << 16;
        if (rest == 2) v |= uint32_t{bytes[i + 1]} << 8;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        if (rest == 2) out += table[(v >> 6) & 63];
        if (pad) out.append(3 - rest, '=');
    }
    return out;
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text, Base64Alphabet alphabet,
                                          std::string_view what) {
    size_t pad = 0;
    if (alphabet == Base64Alphabet::kStandard) {
        if (text.size() % 4 != 0) return Bad(what, "length is not a multiple of 4");
        while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    }
    const std::string_view body = text.substr(0, text.size() - pad);
    std::vector<uint8_t> out;
    out.reserve(body.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : body) {
        const int v = ValueOf(c, alphabet);
        if (v < 0) return Bad(what, "unexpected character");
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0) return Bad(what, "stray bits at the end");
    if (body.size() % 4 == 1) return Bad(what, "truncated group");
    return out;
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text, std::string_view what) {
    return Base64Decode(text, Base64Alphabet::kStandard, what);
}

Status Base64DecodeExact(std::string_view text, Base64Alphabet alphabet, std::span<uint8_t> out,
                         std::string_view what) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    Result<std::vector<uint8_t>> bytes = Base64Decode(text, alphabet, what);
    if (!bytes.ok()) return bytes.status();
    Status s = Status::Ok();
    if (bytes->size() != out.size()) {
        s = Status::InvalidArgument(std::string(what) + ": expected " + std::to_string(out.size()) +
                                    " bytes, got " + std::to_string(bytes->size()));
    } else {
        std::copy(bytes->begin(), bytes->end(), out.begin());
    }
    std::fill(bytes->begin(), bytes->end(), uint8_t{0});
    return s;
}

Status Base64DecodeExact(std::string_view text, std::span<uint8_t> out, std::string_view what) {
    return Base64DecodeExact(text, Base64Alphabet::kStandard, out, what);
}

Status KeyTextDecodeExact(std::string_view text, std::span<uint8_t> out, std::string_view what) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    const bool all_hex = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (all_hex && text.size() == out.size() * 2) return HexDecodeExact(text, out, what);
    std::string padded(text);
    while (padded.size() % 4 != 0) padded.push_back('=');
    Status s = Base64DecodeExact(padded, out, what);
    std::fill(padded.begin(), padded.end(), '\0');
    if (s.ok()) return s;
    return Status::InvalidArgument(
        std::string(what) + ": expected " + std::to_string(out.size() * 2) + " hex digits or " +
        std::to_string((out.size() + 2) / 3 * 4) + " base64 characters, got " +
        std::to_string(text.size()) + " characters");
}

}  // namespace jejak
