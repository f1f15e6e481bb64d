// Hex encode/decode.
#include "platform/base/hex.h"

namespace jejak {
namespace {

int NibbleValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Status DecodeInto(std::string_view hex, std::span<uint8_t> out, std::string_view what) {
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = NibbleValue(hex[2 * i]);
        int lo = NibbleValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return Status::InvalidArgument(std::string(what) + ": not a hex digit at position " +
                                           std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
        }
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    return Status::Ok();
}

}  // namespace

std::string HexEncode(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = kDigits[bytes[i] >> 4];
        out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
    }
    return out;
}

Result<std::vector<uint8_t>> HexDecode(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return Status::InvalidArgument("hex string has an odd number of digits (" +
                                       std::to_string(hex.size()) + ")");
    }
    std::vector<uint8_t> out(hex.size() / 2);
    JEJAK_RETURN_IF_ERROR(DecodeInto(hex, out, "hex"));
    return out;
}

Status HexDecodeExact(std::string_view hex, std::span<uint8_t> out, std::string_view what) {
    if (hex.size() != out.size() * 2) {
        return Status::InvalidArgument(std::string(what) + ": expected " +
                                       std::to_string(out.size() * 2) + " hex digits, got " +
                                       std::to_string(hex.size()));
    }
    return DecodeInto(hex, out, what);
}

}  // namespace jejak
