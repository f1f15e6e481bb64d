// fork/exec of the notification hook with a bounded wait.
#include "agent/check/notify.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "platform/base/unix_user.h"

namespace jejak {
namespace {

using Deadline = std::chrono::steady_clock::time_point;

int MillisLeft(Deadline deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// The hook's whole environment: nothing of ours (a store passphrase variable, credentials
// paths, tokens) is inherited.
constexpr const char* kHookEnvironment[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", nullptr};

// Who the hook runs as: resolved before fork (getpwnam is not async-signal-safe).
struct HookIdentity {
    bool drop = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

Result<HookIdentity> ResolveUser(const std::string& user) {
    HookIdentity id;
    if (user.empty()) return id;
    Result<UnixUser> found = LookUpUser(user);
    if (!found.ok()) return found.status().WithContext("notify.user");
    id.drop = true;
    id.uid = found->uid;
    id.gid = found->gid;
    return id;
}

// In the child: only async-signal-safe calls until exec. Any failure to confine the hook
// exits 126 before the program runs.
[[noreturn]] void ExecChild(int stdin_fd, const std::vector<char*>& argv, const HookIdentity& id,
                            pid_t parent) {
    ::setpgid(0, 0);
    ::umask(077);
    if (::dup2(stdin_fd, STDIN_FILENO) < 0) ::_exit(126);
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull < 0 || ::dup2(devnull, STDOUT_FILENO) < 0) ::_exit(126);
    // Every other descriptor, however high, is closed (stderr stays for diagnostics).
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
        for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    }
    if (id.drop) {
        if (::setgroups(1, &id.gid) != 0 || ::setgid(id.gid) != 0 || ::setuid(id.uid) != 0) {
            ::_exit(126);
        }
        if (id.uid != 0 && ::setuid(0) == 0) ::_exit(126);  // the drop must be irreversible
    }
    // After the credential change, which clears it: die with the agent.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(126);
    ::execve(argv[0], argv.data(), const_cast<char* const*>(kHookEnvironment));
    ::_exit(127);
}

// fork(), in a new PID namespace when permitted: the hook is then that namespace's init,
// and killing it kills every process it started, even one that called setsid() to leave
// the process group. Without the privilege, a plain fork (the process group kill remains).
pid_t ForkHook(bool* own_pid_namespace) {
    const long pid = ::syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr,
                               nullptr);
    if (pid >= 0) {
        *own_pid_namespace = true;
        return static_cast<pid_t>(pid);
    }
    *own_pid_namespace = false;
    return ::fork();
}

// Writes as much of `input` as the child takes before the deadline. SIGPIPE is blocked for
// this thread and any pending one discarded, so a child that closes stdin early is harmless.
void FeedInput(int fd, std::string_view input, Deadline deadline) {
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    size_t done = 0;
    while (done < input.size()) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, MillisLeft(deadline)) <= 0) break;
        const ssize_t n = ::write(fd, input.data() + done, input.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
}

// Waits for the child until the deadline; kills its process group after it.
void Reap(pid_t pid, Deadline deadline, NotifyOutcome& outcome) {
    int status = 0;
    while (true) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            outcome.error = std::string("waitpid: ") + std::strerror(errno);
            return;
        }
        if (MillisLeft(deadline) == 0) {
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            outcome.timed_out = true;
            outcome.error = "timed out";
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status)) {
        outcome.exit_code = WEXITSTATUS(status);
        if (outcome.exit_code == 127) outcome.error = "could not execute the hook program";
        else if (outcome.exit_code == 126) outcome.error = "could not confine or execute the hook";
        else if (outcome.exit_code != 0) outcome.error = "exit code " + std::to_string(outcome.exit_code);
    } else if (WIFSIGNALED(status)) {
        outcome.error = "killed by signal " + std::to_string(WTERMSIG(status));
    }
}

}  // namespace

Result<NotifyConfig> ParseNotifyConfig(const nlohmann::json& section) {
    NotifyConfig config;
    if (!section.is_object()) return Status::InvalidArgument("notify: not an object");
    if (auto it = section.find("command"); it != section.end()) {
        if (!it->is_array() || it->empty()) {
            return Status::InvalidArgument("notify.command: non-empty array of strings");
        }
        for (const auto& arg : *it) {
            if (!arg.is_string()) return Status::InvalidArgument("notify.command: strings only");
            config.command.push_back(arg.get<std::string>());
        }
        if (config.command[0].empty() || config.command[0][0] != '/') {
            return Status::InvalidArgument("notify.command: the program needs an absolute path");
        }
    }
    if (auto it = section.find("timeout_seconds"); it != section.end()) {
        if (!it->is_number_integer() || *it < 1 || *it > 300) {
            return Status::InvalidArgument("notify.timeout_seconds: integer 1..300");
        }
        config.timeout_seconds = it->get<int>();
    }
    if (auto it = section.find("user"); it != section.end()) {
        if (!it->is_string() || it->get<std::string>().empty()) {
            return Status::InvalidArgument("notify.user: a user name");
        }
        config.user = it->get<std::string>();
    }
    return config;
}

nlohmann::json NotifyOutcome::ToJson() const {
    if (!not_run.empty()) return {{"ran", false}, {"not_run", not_run}};
    nlohmann::json j = {{"ran", ran}, {"timed_out", timed_out}, {"ok", ok()}};
    if (exit_code >= 0) j["exit_code"] = exit_code;
    if (!error.empty()) j["error"] = error;
    return j;
}

NotifyOutcome RunNotifyHook(const NotifyConfig& config, std::string_view input) {
    NotifyOutcome outcome;
    if (config.command.empty()) {
        outcome.error = "no notify.command configured";
        return outcome;
    }
    const Deadline deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(config.timeout_seconds);
    auto identity = ResolveUser(config.user);
    if (!identity.ok()) {
        outcome.error = identity.status().message();
        return outcome;
    }
    std::vector<std::string> args = config.command;  // argv storage must outlive fork
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        outcome.error = std::string("pipe: ") + std::strerror(errno);
        return outcome;
    }
    const pid_t parent = ::getpid();
    bool own_namespace = false;
    const pid_t pid = ForkHook(&own_namespace);
    if (pid < 0) {
        outcome.error = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return outcome;
    }
    if (pid == 0) ExecChild(fds[0], argv, *identity, own_namespace ? 0 : parent);
    ::setpgid(pid, pid);  // also from the parent, so a kill never misses the group
    outcome.ran = true;
    ::close(fds[0]);
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    FeedInput(fds[1], input, deadline);
    ::close(fds[1]);
    Reap(pid, deadline, outcome);
    return outcome;
}

}  // namespace jejak
