// Base64 (RFC 4648) for the JSON wire formats of the verification and key-server APIs
// (docs/PROTOCOL.md sections 4 and 5): the standard alphabet with '=' padding (TEKs, HMACs,
// key files) and the URL-safe alphabet without padding (JWT segments, RFC 7515). Decoding is strict
// because its input comes from files and servers: no whitespace, nothing outside the
// alphabet, correct padding, no stray bits.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

enum class Base64Alphabet {
    kStandard,  // A-Z a-z 0-9 + /, padded with '=' to a multiple of 4
    kUrl,       // A-Z a-z 0-9 - _, no padding
};

std::string Base64Encode(std::span<const uint8_t> bytes,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard);

// InvalidArgument naming `what` when `text` is not canonical base64 of the alphabet (standard
// when not given).
Result<std::vector<uint8_t>> Base64Decode(std::string_view text, std::string_view what);
Result<std::vector<uint8_t>> Base64Decode(std::string_view text, Base64Alphabet alphabet,
                                          std::string_view what);

// Decodes exactly out.size() bytes; InvalidArgument naming `what` otherwise ("hmacKey:
// expected 32 bytes, got 31"). `out` is left zeroed on failure.
Status Base64DecodeExact(std::string_view text, std::span<uint8_t> out, std::string_view what);
Status Base64DecodeExact(std::string_view text, Base64Alphabet alphabet, std::span<uint8_t> out,
                         std::string_view what);

// A key given as text where a person types it: exactly out.size()*2 hex digits, or base64
// (padded or not) of exactly out.size() bytes. Trailing white space is ignored. On error
// `out` is zeroed and the message names `what` and the accepted forms.
Status KeyTextDecodeExact(std::string_view text, std::span<uint8_t> out, std::string_view what);

}  // namespace jejak
