// Keeping key material out of core dumps and away from other processes of the same user.
// Guarded key regions (guarded.h) are already excluded from core dumps by libsodium
// (sodium_malloc locks them and marks them MADV_DONTDUMP); this covers the rest of the heap,
// where TEKs, passphrases and decrypted rows pass through.
#pragma once

#include "platform/base/status.h"

namespace jejak {

// PR_SET_DUMPABLE 0: no core dump, and /proc/<pid>/mem, ptrace and /proc/<pid>/environ are
// closed to other processes of the same user. Called at the start of every command, which
// may hold keys for its whole life. Internal if the kernel refuses.
Status MarkProcessNonDumpable();

}  // namespace jejak
