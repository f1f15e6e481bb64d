// File helpers for the authority's state and export directories. Replacement goes through
// the project's one atomic writer (platform/base/atomic_file.h): temporary file, fsync,
// rename, directory fsync, so readers see either the old or the new content, never a mix.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "platform/base/status.h"

namespace jejak::authority {

// Replaces `path` with `bytes` (mode `mode`, e.g. 0600 for key files). IOError naming the
// path on failure; the temporary file is removed.
Status WriteFileDurably(const std::string& path, std::string_view bytes, mode_t mode);

// Whole file into memory; NotFound when missing, InvalidArgument when over `max_bytes`.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

// Creates `dir` (mode 0700 or `mode`) if it does not exist.
Status EnsureDirectory(const std::string& dir, mode_t mode = 0700);

// The authority's files are its users' keys under embargo, codes' hashes and signing keys:
// OK only when `path` (a directory or a file, symlinks followed) is owned by this process's
// effective user and gives the group and others no access. Otherwise PermissionDenied naming
// the path, what is wrong (mode or owner) and the fix; NotFound when it does not exist.
Status CheckPrivate(const std::string& path);

}  // namespace jejak::authority
