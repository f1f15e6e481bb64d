// Export files into the matcher, read on their own thread.
//
// Reading a file (inflating export.bin, verifying its signature, walking its structure,
// decoding keys) and matching its keys are independent work, so a reader thread turns the
// files into key batches while the caller's thread hands them to the matcher: with one
// matcher thread reading and matching use two cores; with more, reading stops being a serial
// stage in front of the workers. The queue between them is bounded (a few batches), so memory
// stays O(one file + a few batches) whatever the number of keys, and batches reach the matcher
// in file order, so results are the same as reading inline.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "gaen/export/export_verify.h"
#include "agent/exposure/match.h"

namespace jejak {

// One file fed to the matcher: its keys are the matcher's sequences [first_key, end_key).
struct FedExport {
    ExportHeader header;
    uint64_t first_key = 0;
    uint64_t end_key = 0;
};

struct ExportFeedOptions {
    ExportReadOptions read;  // read.on_key_count is ignored: use on_file_keys
    // Called on the caller's thread: a file's key count is known (before its keys are fed).
    std::function<void(size_t file, size_t keys)> on_file_keys;
    // Called on the caller's thread after each batch is fed (for progress).
    std::function<void(size_t file)> on_batch;
};

// Feeds every key of `files`, in order, to `matcher` (Add only: the caller calls Finish).
// The first file that cannot be read, parsed or verified stops the feed and is returned,
// named; keys of earlier files may have been fed by then.
Result<std::vector<FedExport>> FeedExportFiles(std::span<const std::string> files,
                                               const ExportFeedOptions& options, Matcher& matcher);

}  // namespace jejak
