// Fuzzes the H4 framer: arbitrary bytes, split into chunks chosen by the input itself.
// Properties: never crashes; every packet has exactly the length its header announces; the
// packets do not depend on how the stream was chunked.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "platform/codec/h4.h"

namespace {

using Packets = std::vector<std::vector<uint8_t>>;

Packets Frame(const uint8_t* data, size_t size, size_t chunk_seed) {
    Packets out;
    jejak::H4Framer framer([&](std::span<const uint8_t> p) {
        const auto len = jejak::H4PacketLength(p);
        if (!len || *len != p.size()) std::abort();
        out.emplace_back(p.begin(), p.end());
    });
    size_t pos = 0;
    size_t step = chunk_seed;
    while (pos < size) {
        step = (step * 1103515245 + 12345) & 0x7FFFFFFF;
        const size_t n = std::min<size_t>(size - pos, chunk_seed == 0 ? size : 1 + step % 64);
        framer.Feed(std::span<const uint8_t>(data + pos, n));
        pos += n;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t seed = data[0];
    const Packets whole = Frame(data + 1, size - 1, 0);
    const Packets chunked = Frame(data + 1, size - 1, seed + 1);
    if (whole != chunked) std::abort();
    return 0;
}
