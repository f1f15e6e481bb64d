// Base64 decoding and key text (base64.h).
#include "platform/base/base64.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "platform/base/hex.h"

namespace jejak {
namespace {

int Sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Zeroes key bytes in a way the optimiser keeps (crypto/ is above this library).
void Wipe(std::vector<uint8_t>& bytes) {
    volatile uint8_t* p = bytes.data();
    for (size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
}

}  // namespace

Result<std::vector<uint8_t>> Base64Decode(std::string_view text) {
    size_t end = text.size();
    while (end > 0 && text[end - 1] == '=' && text.size() - end < 2) --end;
    const size_t padding = text.size() - end;
    const std::string_view body = text.substr(0, end);
    if (body.size() % 4 == 1 || (padding > 0 && (body.size() + padding) % 4 != 0)) {
        return Status::InvalidArgument("not base64: wrong length");
    }
    std::vector<uint8_t> out;
    out.reserve(body.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : body) {
        const int v = Sextet(c);
        if (v < 0) return Status::InvalidArgument("not base64: unexpected character");
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>(acc >> bits));
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) return Status::InvalidArgument("not base64: non-canonical final character");
    return out;
}

Status KeyTextDecodeExact(std::string_view text, std::span<uint8_t> out, std::string_view what) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    const bool all_hex = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (all_hex && text.size() == out.size() * 2) return HexDecodeExact(text, out, what);
    auto bytes = Base64Decode(text);
    if (bytes.ok() && bytes->size() == out.size()) {
        std::copy(bytes->begin(), bytes->end(), out.begin());
        Wipe(*bytes);
        return Status::Ok();
    }
    if (bytes.ok()) Wipe(*bytes);
    return Status::InvalidArgument(
        std::string(what) + ": expected " + std::to_string(out.size() * 2) + " hex digits or " +
        std::to_string((out.size() + 2) / 3 * 4) + " base64 characters, got " +
        std::to_string(text.size()) + " characters");
}

}  // namespace jejak
