// Test builders for export files: a tiny protobuf writer to build export.bin bodies by hand,
// libzip-written archives, and whole-file reads and writes for flipping bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gaen/export/export_file.h"

namespace jejak::testing {

using Bytes = std::vector<uint8_t>;

// Protobuf wire format: a base-128 varint, a field tag, a length-delimited field, a varint
// field.
void PutVarint(Bytes& out, uint64_t v);
void PutTag(Bytes& out, uint32_t field, uint32_t wire_type);
void PutBytes(Bytes& out, uint32_t field, const Bytes& payload);
void PutInt(Bytes& out, uint32_t field, uint64_t v);

// A TemporaryExposureKey message with a 16-byte key derived from `seed`.
Bytes KeyMessage(uint32_t seed, uint32_t rolling_period = 144);

// "EK Export v1    " + fields region "ZZ", batch 1/1 + the given key messages.
Bytes ExportBin(const std::vector<Bytes>& keys, const std::vector<Bytes>& revised = {});

// The whole file (empty when it cannot be read), and a whole-file overwrite.
Bytes ReadFile(const std::string& path);
void WriteFile(const std::string& path, const Bytes& bytes);

struct ZipEntry {
    std::string name;
    Bytes data;
};

// Writes a deflated zip holding `entries` to `path`; returns false on any libzip error.
bool WriteZip(const std::string& path, const std::vector<ZipEntry>& entries);

// The export.bin and export.sig of a real zip from tests/data (empty when unreadable).
ExportBlobs BlobsOf(const std::string& path);

}  // namespace jejak::testing
