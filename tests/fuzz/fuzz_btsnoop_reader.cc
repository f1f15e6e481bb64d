// Fuzzes the btsnoop reader and the capture replay on untrusted file bytes. Properties:
// never crashes; errors are Corruption; records stay inside the file; every sighting comes
// from a record the reader returned.
#include <cstdint>
#include <cstdlib>

#include "platform/codec/btsnoop.h"
#include "platform/codec/capture_replay.h"

using namespace jejak;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> file(data, size);
    size_t records = 0;
    if (auto reader = BtsnoopReader::Open(file); reader.ok()) {
        BtsnoopRecord rec;
        while (true) {
            auto more = reader->Next(&rec);
            if (!more.ok()) {
                if (!more.status().IsCorruption()) std::abort();
                break;
            }
            if (!*more) break;
            ++records;
            if (rec.packet.data() < data || rec.packet.data() + rec.packet.size() > data + size) {
                std::abort();
            }
        }
    }
    auto replay = ReplayGaenCapture(file);
    if (replay.ok()) {
        if (replay->records != records) std::abort();
        for (const auto& s : replay->adverts) {
            if (s.record == 0 || s.record > records) std::abort();
        }
    } else if (!replay.status().IsCorruption()) {
        std::abort();
    }
    return 0;
}
