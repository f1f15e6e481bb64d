// Unix users: looking one up, and a process giving up root for one of them for good.
#pragma once

#include <sys/types.h>

#include <string>

#include "platform/base/status.h"

namespace jejak {

struct UnixUser {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;  // the user's primary group
};

// The passwd entry of `name`. NotFound "no user NAME" when there is none.
Result<UnixUser> LookUpUser(const std::string& name);

// Makes the whole process (every thread) `user` for good: supplementary groups reduced to
// the user's primary group, then the gid, then the uid; afterwards getting uid 0 back must
// fail, or this is an error (Internal). Needs root (PermissionDenied otherwise, naming the
// step). Capabilities are lost with root, so open what needs them first.
// Not async-signal-safe: a forked child uses the raw calls itself.
Status DropPrivileges(const UnixUser& user);

}  // namespace jejak
