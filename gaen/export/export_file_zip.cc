// Reading the export container: a zip with export.bin and export.sig (libzip), or a bare
// export.bin. Archive sizes are never trusted: the declared size is checked first, then the
// inflated bytes are counted while reading so a lying header cannot get past the limit. A zip
// on disk is read through libzip's file source (entries inflated from the file as they are
// read), not loaded whole.
#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "gaen/export/export_file.h"

namespace jejak {
namespace {

constexpr uint8_t kZipMagic[4] = {'P', 'K', 3, 4};

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

Status ZipFailure(const std::string& name, std::string_view what, zip_error_t* error) {
    return Status::Corruption(name + ": " + std::string(what) + ": " + zip_error_strerror(error));
}

// Inflates one entry, refusing more than `limit` bytes whatever its header declares.
Result<std::vector<uint8_t>> ReadEntry(zip_t* zip, zip_uint64_t index, const std::string& name,
                                       const char* entry, size_t limit) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, index, 0, &st) != 0) {
        return ZipFailure(name, std::string("cannot stat ") + entry, zip_get_error(zip));
    }
    if ((st.valid & ZIP_STAT_SIZE) != 0 && st.size > limit) {
        return Status::Corruption(name + ": " + entry + " declares " + std::to_string(st.size) +
                                  " bytes, limit " + std::to_string(limit));
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen_index(zip, index, 0),
                                                           zip_fclose);
    if (!file) return ZipFailure(name, std::string("cannot open ") + entry, zip_get_error(zip));
    // Inflate straight into the result, in large reads: no staging copy. The declared size
    // (already checked against the limit) sizes the first read; the buffer grows only when
    // an entry does not declare its size or inflates to more than it declared.
    std::vector<uint8_t> out;
    size_t filled = 0;
    const size_t declared = (st.valid & ZIP_STAT_SIZE) != 0 ? static_cast<size_t>(st.size) : 0;
    constexpr size_t kGrow = 1u << 20;
    for (;;) {
        if (filled == out.size()) {
            if (filled > limit) {
                return Status::Corruption(name + ": " + entry + " inflates past " +
                                          std::to_string(limit) + " bytes");
            }
            // One byte beyond the declared size (or the limit) tells an entry that lies.
            const size_t want = filled == 0 && declared > 0 ? declared + 1 : kGrow;
            out.resize(std::min(filled + want, limit + 1));
        }
        const zip_int64_t n = zip_fread(file.get(), out.data() + filled, out.size() - filled);
        if (n < 0) {
            return ZipFailure(name, std::string("cannot inflate ") + entry,
                              zip_file_get_error(file.get()));
        }
        if (n == 0) break;
        filled += static_cast<size_t>(n);
    }
    if (filled > limit) {
        return Status::Corruption(name + ": " + entry + " inflates past " + std::to_string(limit) +
                                  " bytes");
    }
    out.resize(filled);
    return out;
}

// Opens an archive over `source` (taken over: freed on failure too).
Result<ZipPtr> OpenZip(zip_source_t* source, const std::string& name) {
    zip_error_t error;
    zip_error_init(&error);
    zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (zip == nullptr) {
        zip_source_free(source);
        Status s = ZipFailure(name, "not a valid zip", &error);
        zip_error_fini(&error);
        return s;
    }
    zip_error_fini(&error);
    return ZipPtr(zip);
}

Result<ZipPtr> OpenZipBytes(std::span<const uint8_t> bytes, const std::string& name) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) {
        Status s = ZipFailure(name, "cannot read zip", &error);
        zip_error_fini(&error);
        return s;
    }
    zip_error_fini(&error);
    return OpenZip(source, name);
}

// The archive read straight from the open file: libzip seeks to the central directory and
// inflates entries from disk, so the compressed file is never held in memory.
Result<ZipPtr> OpenZipFile(std::FILE* file, const std::string& name) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_filep_create(file, 0, -1, &error);
    if (source == nullptr) {
        std::fclose(file);
        Status s = ZipFailure(name, "cannot read zip", &error);
        zip_error_fini(&error);
        return s;
    }
    zip_error_fini(&error);
    return OpenZip(source, name);
}

Result<ExportBlobs> ReadZip(ZipPtr zip, const std::string& name, const ExportLimits& limits) {
    const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
    if (entries < 0 || static_cast<uint64_t>(entries) > limits.max_zip_entries) {
        return Status::Corruption(name + ": zip has " + std::to_string(entries) +
                                  " entries, limit " + std::to_string(limits.max_zip_entries));
    }
    const zip_int64_t bin_index = zip_name_locate(zip.get(), "export.bin", 0);
    if (bin_index < 0) return Status::Corruption(name + ": zip has no export.bin");
    ExportBlobs blobs;
    JEJAK_ASSIGN_OR_RETURN(blobs.bin, ReadEntry(zip.get(), static_cast<zip_uint64_t>(bin_index),
                                                name, "export.bin", limits.max_bin_bytes));
    const zip_int64_t sig_index = zip_name_locate(zip.get(), "export.sig", 0);
    if (sig_index >= 0) {
        JEJAK_ASSIGN_OR_RETURN(auto sig, ReadEntry(zip.get(), static_cast<zip_uint64_t>(sig_index),
                                                   name, "export.sig", limits.max_sig_bytes));
        blobs.sig = std::move(sig);
    }
    return blobs;
}

bool StartsWith(std::span<const uint8_t> bytes, const void* prefix, size_t n) {
    return bytes.size() >= n && std::memcmp(bytes.data(), prefix, n) == 0;
}

}  // namespace

Result<ExportBlobs> ReadExportContainerBytes(std::span<const uint8_t> bytes,
                                             const std::string& name, const ExportLimits& limits) {
    if (StartsWith(bytes, kZipMagic, sizeof(kZipMagic))) {
        if (bytes.size() > limits.max_zip_bytes) {
            return Status::Corruption(name + ": zip is larger than " +
                                      std::to_string(limits.max_zip_bytes) + " bytes");
        }
        JEJAK_ASSIGN_OR_RETURN(ZipPtr zip, OpenZipBytes(bytes, name));
        return ReadZip(std::move(zip), name, limits);
    }
    if (StartsWith(bytes, kExportHeader, kExportHeaderSize)) {
        if (bytes.size() > limits.max_bin_bytes) {
            return Status::Corruption(name + ": export.bin is larger than " +
                                      std::to_string(limits.max_bin_bytes) + " bytes");
        }
        return ExportBlobs{{bytes.begin(), bytes.end()}, std::nullopt};
    }
    return Status::Corruption(name + ": neither a zip nor an export.bin (bad header)");
}

Result<ExportBlobs> ReadExportContainer(const std::string& path, const ExportLimits& limits) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file) return Status::FromErrno(errno, "cannot open " + path);
    struct stat st {};
    if (::fstat(::fileno(file.get()), &st) != 0) return Status::FromErrno(errno, "cannot stat " + path);
    uint8_t magic[kExportHeaderSize] = {};
    const size_t got = std::fread(magic, 1, sizeof(magic), file.get());
    if (std::ferror(file.get())) return Status::FromErrno(errno, "cannot read " + path);
    const std::span<const uint8_t> head(magic, got);
    if (StartsWith(head, kZipMagic, sizeof(kZipMagic))) {
        if (static_cast<uint64_t>(st.st_size) > limits.max_zip_bytes) {
            return Status::Corruption(path + ": zip is larger than " +
                                      std::to_string(limits.max_zip_bytes) + " bytes");
        }
        std::rewind(file.get());
        JEJAK_ASSIGN_OR_RETURN(ZipPtr zip, OpenZipFile(file.release(), path));
        return ReadZip(std::move(zip), path, limits);
    }
    if (!StartsWith(head, kExportHeader, kExportHeaderSize)) {
        return Status::Corruption(path + ": neither a zip nor an export.bin (bad header)");
    }
    // A bare export.bin is the entry itself: read it whole, counting as it comes (the size
    // on disk may change while reading).
    std::vector<uint8_t> bytes(head.begin(), head.end());
    uint8_t chunk[65536];
    size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof(chunk), file.get())) > 0) {
        if (bytes.size() + n > limits.max_bin_bytes) {
            return Status::Corruption(path + ": export.bin is larger than " +
                                      std::to_string(limits.max_bin_bytes) + " bytes");
        }
        bytes.insert(bytes.end(), chunk, chunk + n);
    }
    if (std::ferror(file.get())) return Status::FromErrno(errno, "cannot read " + path);
    return ExportBlobs{std::move(bytes), std::nullopt};
}

}  // namespace jejak
