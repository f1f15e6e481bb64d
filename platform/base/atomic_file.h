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

// fsync of a directory (of the directory holding `path`), so that a rename or a new file in
// it survives a power cut. A file system that cannot sync directories (EINVAL) is accepted:
// the entry is then as durable as that file system makes it. The one directory sync of Jejak.
Status SyncDirectory(const std::string& dir);
Status SyncDirectoryOf(const std::string& path);

// Checks a file or directory the agent trusts (state directory, keyring, master key file):
// PermissionDenied, naming `what` and `path`, unless it is owned by the effective user and
// has none of `forbidden_mode` (e.g. 022: writable by group or others; 077: any access by
// them). A file another user owns, even 0600 in a sticky shared directory, is refused: that
// user could have planted or may later replace it. `fd` is an open descriptor of it.
Status CheckOwnedPrivately(int fd, const std::string& path, std::string_view what,
                           unsigned forbidden_mode);
Status CheckOwnedPrivately(const std::string& path, std::string_view what,
                           unsigned forbidden_mode);

}  // namespace jejak
