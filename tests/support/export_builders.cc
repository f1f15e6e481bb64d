// Export-file builders: protobuf by hand, zips through libzip.
#include "tests/support/export_builders.h"

#include <zip.h>

#include <fstream>
#include <iterator>

namespace jejak::testing {

void PutVarint(Bytes& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<uint8_t>(v));
}

void PutTag(Bytes& out, uint32_t field, uint32_t wire_type) {
    PutVarint(out, (uint64_t{field} << 3) | wire_type);
}

void PutBytes(Bytes& out, uint32_t field, const Bytes& payload) {
    PutTag(out, field, 2);
    PutVarint(out, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
}

void PutInt(Bytes& out, uint32_t field, uint64_t v) {
    PutTag(out, field, 0);
    PutVarint(out, v);
}

Bytes KeyMessage(uint32_t seed, uint32_t rolling_period) {
    Bytes key(16, 0);
    for (size_t i = 0; i < 4; ++i) key[i] = static_cast<uint8_t>(seed >> (8 * i));
    Bytes m;
    PutBytes(m, 1, key);
    PutInt(m, 3, 2650000 + seed % 1000);
    if (rolling_period != 144) PutInt(m, 4, rolling_period);
    return m;
}

Bytes ExportBin(const std::vector<Bytes>& keys, const std::vector<Bytes>& revised) {
    Bytes bin(kExportHeader, kExportHeader + kExportHeaderSize);
    PutBytes(bin, 3, Bytes{'Z', 'Z'});
    PutInt(bin, 4, 1);
    PutInt(bin, 5, 1);
    for (const Bytes& k : keys) PutBytes(bin, 7, k);
    for (const Bytes& k : revised) PutBytes(bin, 8, k);
    return bin;
}

Bytes ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteFile(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

bool WriteZip(const std::string& path, const std::vector<ZipEntry>& entries) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (z == nullptr) return false;
    for (const ZipEntry& e : entries) {
        zip_source_t* s = zip_source_buffer(z, e.data.data(), e.data.size(), 0);
        if (s == nullptr) return zip_discard(z), false;
        const zip_int64_t index = zip_file_add(z, e.name.c_str(), s, ZIP_FL_OVERWRITE);
        if (index < 0) return zip_source_free(s), zip_discard(z), false;
        zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 9);
    }
    return zip_close(z) == 0;
}

ExportBlobs BlobsOf(const std::string& path) {
    Result<ExportBlobs> blobs = ReadExportContainer(path);
    return blobs.ok() ? std::move(blobs).value() : ExportBlobs{};
}

}  // namespace jejak::testing
