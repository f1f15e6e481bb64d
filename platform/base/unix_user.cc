#include "platform/base/unix_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace jejak {

Result<UnixUser> LookUpUser(const std::string& name) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc != 0) return Status::FromErrno(rc, "cannot look up user " + name);
    if (found == nullptr) return Status::NotFound("no user " + name);
    return UnixUser{name, pw.pw_uid, pw.pw_gid};
}

Status DropPrivileges(const UnixUser& user) {
    if (::setgroups(1, &user.gid) != 0) {
        return Status::FromErrno(errno, "cannot drop supplementary groups for " + user.name);
    }
    if (::setgid(user.gid) != 0) return Status::FromErrno(errno, "cannot set group of " + user.name);
    if (::setuid(user.uid) != 0) return Status::FromErrno(errno, "cannot become " + user.name);
    if (user.uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0)) {
        return Status::Internal("dropped to " + user.name + " but root could be regained");
    }
    return Status::Ok();
}

}  // namespace jejak
