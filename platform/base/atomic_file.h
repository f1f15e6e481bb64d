// Writing a whole file so that readers and crashes see either the old or the new contents,
// never a mix, and nothing on the way can be hijacked. Every file the agent writes goes
// through here (export files, the sealed-report status file, key-fetch state and downloads).
//
// The bytes go to a fresh, unpredictably named temporary file beside the target, created
// with O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink is never followed, truncated or
// reused) and exactly the requested mode (default 0600); then fsync, rename over the target,
// and fsync of the directory so the rename itself survives a power cut.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "platform/base/status.h"

namespace jejak {

struct AtomicWriteOptions {
    unsigned mode = 0600;  // permission bits of the new file
};

// Replaces `path` with `bytes`. On any error the target is unchanged and the temporary file
// is removed. The error names the path once.
Status WriteFileAtomically(const std::string& path, std::span<const uint8_t> bytes,
                           const AtomicWriteOptions& options = {});
Status WriteFileAtomically(const std::string& path, std::string_view text,
                           const AtomicWriteOptions& options = {});

}  // namespace jejak
