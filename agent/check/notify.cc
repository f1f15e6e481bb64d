// fork/exec of the notification hook with a bounded wait.
#include "agent/check/notify.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace jejak {
namespace {

using Deadline = std::chrono::steady_clock::time_point;

int MillisLeft(Deadline deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// In the child: only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(int stdin_fd, const std::vector<char*>& argv) {
    ::setpgid(0, 0);
    ::dup2(stdin_fd, STDIN_FILENO);
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::execv(argv[0], argv.data());
    ::_exit(127);
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
    return config;
}

nlohmann::json NotifyOutcome::ToJson() const {
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
    std::vector<std::string> args = config.command;  // argv storage must outlive fork
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        outcome.error = std::string("pipe: ") + std::strerror(errno);
        return outcome;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        outcome.error = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return outcome;
    }
    if (pid == 0) ExecChild(fds[0], argv);
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
