// Base64 for the verification and publish APIs: the standard alphabet with padding (TEKs,
// HMACs, `hmacKey`, padding) and the URL-safe alphabet without padding (JWT segments, RFC 7515).
// Decoding is strict, because every input here comes from the network: no whitespace, no
// characters outside the alphabet, correct padding, and zero bits left over.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/base/status.h"

namespace jejak::authority {

enum class Base64Alphabet {
    kStandard,  // A-Z a-z 0-9 + /, padded with '=' to a multiple of 4
    kUrl,       // A-Z a-z 0-9 - _, no padding
};

std::string EncodeBase64(std::span<const uint8_t> bytes,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard);

// InvalidArgument naming `what` for anything that is not canonical base64 of the alphabet.
Result<std::vector<uint8_t>> DecodeBase64(std::string_view text, Base64Alphabet alphabet,
                                          std::string_view what);

// Decodes exactly out.size() bytes ("hmacKey: expected 32 bytes, got 31").
Status DecodeBase64Exact(std::string_view text, Base64Alphabet alphabet, std::span<uint8_t> out,
                         std::string_view what);

}  // namespace jejak::authority
