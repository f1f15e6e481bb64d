// Handing the state directory to daemon.user when `jejak run` starts as root. Root must
// change the owner of Jejak's own files and of nothing else: a --state-dir that names
// /var/lib, or a directory where another user planted a symlink or a hard link, must not
// turn root's files into the daemon user's.
//
// The directory is opened O_DIRECTORY|O_NOFOLLOW and must be owned by root or the target
// user; every entry must be one of Jejak's own names (IsJejakStateEntry) of the expected
// type, owned by root or the user, with a single link. Only when all of that holds is
// anything changed: each entry is opened O_NOFOLLOW and changed through that descriptor
// with fchownat(AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW), then the directory itself.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "platform/base/status.h"

namespace jejak {

// True for a name Jejak writes directly in a state dir: the store (store.db and its SQLite
// companions, store.keys, master.key), daemon.lock, the agent's files (agent_files.h), the
// diagnosis-keys directory, and an atomic write's temporary "<one of those>.tmp.<16 hex>".
bool IsJejakStateEntry(std::string_view name);

// Checks `dir` as described above and, if every check passes, makes it and its entries
// belong to uid:gid. FailedPrecondition naming the first foreign or unexpected entry (and
// nothing changed); IOError/PermissionDenied from the system calls otherwise.
Status HandStateDirTo(const std::string& dir, uid_t uid, gid_t gid, const std::string& user_name);

}  // namespace jejak
