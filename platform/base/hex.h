// Hex encoding for CLI output and test vectors. Lower-case out; either case accepted in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

std::string HexEncode(std::span<const uint8_t> bytes);

// Decodes any even-length hex string. Whitespace is not accepted.
Result<std::vector<uint8_t>> HexDecode(std::string_view hex);

// Decodes exactly `out.size()` bytes; `what` names the field in the error message
// ("--tek: expected 32 hex digits, got 31").
Status HexDecodeExact(std::string_view hex, std::span<uint8_t> out, std::string_view what);

}  // namespace jejak
