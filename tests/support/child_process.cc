// ChildProcess: fork/execve with pipes (close-on-exec, so one child never holds another's
// pipe open), poll-driven capture, bounded waits on the steady clock.
#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <mutex>

extern char** environ;

namespace jejak::testing {

std::string BuiltBinary(const std::string& name) {
    return std::string(JEJAK_BINARY_DIR) + "/bin/" + name;
}

std::string TestEmulator() { return JEJAK_TEST_EMULATOR; }

std::string HostRunnable(const std::string& name) {
    return TestEmulator().empty() ? BuiltBinary(name)
                                  : std::string(JEJAK_BINARY_DIR) + "/emulated/" + name;
}

std::vector<std::string> HostArgv(std::vector<std::string> argv) {
    const std::string bin_dir = std::string(JEJAK_BINARY_DIR) + "/bin/";
    if (TestEmulator().empty() || argv.empty() || argv[0].rfind(bin_dir, 0) != 0) return argv;
    if (argv[0] == BuiltBinary("jejak")) {
        for (size_t i = 1; i < argv.size(); ++i) {
            if (argv[i] == "--state-dir" || argv[i] == "--config") {
                ++i;  // its value
                continue;
            }
            if (argv[i].rfind("-", 0) == 0) continue;
            if (argv[i] == "authority") {
                argv.erase(argv.begin() + static_cast<std::ptrdiff_t>(i));
                argv[0] = BuiltBinary("jejak-authority");
            }
            break;
        }
    }
    argv.insert(argv.begin(), TestEmulator());
    return argv;
}

namespace {

using Steady = std::chrono::steady_clock;

int MillisLeft(Steady::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Exit status, or 128 + signal.
int ExitCode(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void CloseAll(std::initializer_list<int> fds) {
    for (int fd : fds) {
        if (fd >= 0) close(fd);
    }
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& program_argv,
                           const ChildOptions& options) {
    Start(program_argv, options);
}

void ChildProcess::Start(const std::vector<std::string>& program_argv,
                         const ChildOptions& options) {
    const std::vector<std::string> argv = HostArgv(program_argv);
    if (argv.empty()) {
        error_ = "empty argv";
        return;
    }
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    for (const std::string& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    // A child that exits without reading its input must not kill this process with SIGPIPE:
    // ignored here once (threads may spawn at the same time), back to default in the child.
    static std::once_flag ignore_sigpipe;
    std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });

    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    const bool capture_err = options.stderr_file.empty() && !options.inherit_stderr;
    if (pipe2(out, O_CLOEXEC) != 0 || (capture_err && pipe2(err, O_CLOEXEC) != 0) ||
        (options.input && pipe2(in, O_CLOEXEC) != 0)) {
        error_ = std::string("pipe: ") + std::strerror(errno);
        CloseAll({in[0], in[1], out[0], out[1], err[0], err[1]});
        return;
    }
    const int in_fd = options.input ? in[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int err_fd = capture_err ? err[1]
                       : options.inherit_stderr
                           ? STDERR_FILENO
                           : open(options.stderr_file.c_str(),
                                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in_fd < 0 || err_fd < 0) {
        error_ = std::string("open: ") + std::strerror(errno);
        CloseAll({in[0], in[1], out[0], out[1], err[0], err[1]});
        return;
    }
    pid_ = fork();
    if (pid_ == 0) {
        signal(SIGPIPE, SIG_DFL);
        // dup2 clears close-on-exec on the new descriptor.
        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
            dup2(err_fd, STDERR_FILENO) < 0) {
            _exit(126);
        }
        execve(args[0], args.data(), envp.data());
        _exit(127);
    }
    const int saved_errno = errno;
    if (!options.input) close(in_fd);
    if (!capture_err && !options.inherit_stderr) close(err_fd);
    CloseAll({in[0], out[1], err[1]});
    fds_[0] = out[0];
    fds_[1] = err[0];
    if (pid_ < 0) {
        error_ = std::string("fork: ") + std::strerror(saved_errno);
        CloseAll({in[1]});
        return;
    }
    if (options.input) {
        const std::string& input = *options.input;
        for (size_t done = 0; done < input.size();) {
            const ssize_t n = write(in[1], input.data() + done, input.size() - done);
            if (n <= 0 && errno != EINTR) break;
            if (n > 0) done += static_cast<size_t>(n);
        }
        close(in[1]);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    CloseAll({fds_[0], fds_[1]});
}

bool ChildProcess::ReadSome(int timeout_ms) {
    if (fds_[0] < 0 && fds_[1] < 0) return false;
    pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
    if (poll(p, 2, timeout_ms) < 0) return errno == EINTR;
    for (int i = 0; i < 2; ++i) {
        if (fds_[i] < 0 || p[i].revents == 0) continue;
        char buf[4096];
        const ssize_t n = read(fds_[i], buf, sizeof buf);
        if (n <= 0) {
            close(fds_[i]);
            fds_[i] = -1;
        } else {
            text_[i].append(buf, static_cast<size_t>(n));
        }
    }
    return true;
}

bool ChildProcess::WaitFor(int stream, const std::string& needle, int timeout_ms) {
    const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
    while (text_[stream].find(needle) == std::string::npos) {
        if (Steady::now() >= deadline || !ReadSome(100)) {
            return text_[stream].find(needle) != std::string::npos;
        }
    }
    return true;
}

bool ChildProcess::Drain(int timeout_ms) {
    const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
    while (Steady::now() < deadline) {
        if (!ReadSome(std::min(MillisLeft(deadline), 50))) return false;
    }
    return fds_[0] >= 0 || fds_[1] >= 0;
}

void ChildProcess::Signal(int sig) {
    if (pid_ > 0 && !reaped_) kill(pid_, sig);
}

int ChildProcess::Reap(int status) {
    reaped_ = true;
    status_code_ = ExitCode(status);
    return status_code_;
}

int ChildProcess::Wait() {
    if (pid_ <= 0) return -1;
    if (reaped_) return status_code_;
    while (ReadSome(100)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    return Reap(status);
}

std::optional<int> ChildProcess::WaitWithin(int timeout_ms) {
    if (pid_ <= 0) return -1;
    if (reaped_) return status_code_;
    const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
    while (MillisLeft(deadline) > 0 && ReadSome(std::min(MillisLeft(deadline), 50))) {
    }
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            ReadSome(0);  // whatever is left in the pipes
            return Reap(status);
        }
        if (r < 0 || MillisLeft(deadline) == 0) return std::nullopt;
        usleep(10000);
    }
}

int ChildProcess::Stop(int sig, int grace_ms) {
    if (pid_ <= 0) return -1;
    if (reaped_) return status_code_;
    kill(pid_, sig);
    if (std::optional<int> code = WaitWithin(grace_ms)) return *code;
    kill(pid_, SIGKILL);
    return Wait();
}

ProcessRun RunProcess(const std::vector<std::string>& program_argv, const std::string& input,
                      int signal_after_ms, int signal) {
    ChildOptions options;
    options.input = input;
    ChildProcess child(program_argv, options);
    if (!child.ok()) return {};
    if (signal_after_ms >= 0 && child.Drain(signal_after_ms)) child.Signal(signal);
    ProcessRun run;
    run.code = child.Wait();
    run.out = child.out();
    run.err = child.err();
    return run;
}

}  // namespace jejak::testing
