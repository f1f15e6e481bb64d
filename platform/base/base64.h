// Base64 (RFC 4648 section 4, standard alphabet) decoding, and the one rule for reading a key
// typed or pasted by a person: hex (what `keys derive` prints) or base64 (what key servers
// and `export inspect --json` print), told apart by length and alphabet.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

// Strict: standard alphabet, '=' padding optional but only at the end, no whitespace, and
// the unused low bits of the last character zero (so each byte string has one encoding).
Result<std::vector<uint8_t>> Base64Decode(std::string_view text);

// Decodes exactly `out.size()` bytes from hex (2 x size digits, either case) or base64;
// InvalidArgument naming `what` otherwise. Trailing newline/space is ignored (stdin input).
Status KeyTextDecodeExact(std::string_view text, std::span<uint8_t> out, std::string_view what);

}  // namespace jejak
