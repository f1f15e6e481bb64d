// prctl(PR_SET_DUMPABLE) for the whole process.
#include "platform/cli/process_memory.h"

#include <sys/prctl.h>

#include <cerrno>

namespace jejak {

Status MarkProcessNonDumpable() {
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return Status::FromErrno(errno, "prctl(PR_SET_DUMPABLE, 0)");
    }
    return Status::Ok();
}

}  // namespace jejak
