// `jejak authority serve` as a child process on 127.0.0.1 with an ephemeral port, owned by
// the test: the constructor starts it and waits (bounded) for its "listening on" line; the
// destructor stops it with SIGTERM and reaps it, killing it when it does not stop in time,
// so no server outlives a failing test. The server is driven only through the `jejak`
// command line, so it does not matter which executable `jejak authority` ends up running.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace jejak::testing {

class ServedAuthority {
public:
    // Runs `jejak --state-dir STATE authority serve --listen 127.0.0.1:0`; stderr goes to
    // `stderr_file`. ok() is false (and error() says why) when it did not start listening
    // within `timeout_ms`.
    ServedAuthority(const std::string& jejak, const std::string& state,
                    const std::string& stderr_file, int timeout_ms = 10000) {
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) {
            error_ = "pipe failed";
            return;
        }
        const std::vector<std::string> argv = HostArgv(
            {jejak, "--state-dir", state, "authority", "serve", "--listen", "127.0.0.1:0"});
        pid_ = fork();
        if (pid_ == 0) {
            const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            const int null = open("/dev/null", O_RDONLY);
            if (err < 0 || null < 0) _exit(126);
            dup2(null, STDIN_FILENO);
            dup2(out[1], STDOUT_FILENO);
            dup2(err, STDERR_FILENO);
            std::vector<char*> args;
            for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        close(out[1]);
        out_fd_ = out[0];
        if (pid_ < 0) {
            error_ = "fork failed";
            return;
        }
        WaitForListening(timeout_ms);
    }

    ~ServedAuthority() { Stop(); }
    ServedAuthority(const ServedAuthority&) = delete;
    ServedAuthority& operator=(const ServedAuthority&) = delete;

    bool ok() const { return !url_.empty(); }
    const std::string& error() const { return error_; }
    // "http://127.0.0.1:PORT", empty until listening.
    const std::string& url() const { return url_; }

    // SIGTERM, then up to `grace_ms` for the process to close its stdout and exit; SIGKILL
    // after that. Returns the exit status (128 + signal when killed), -1 when not running.
    int Stop(int grace_ms = 5000) {
        if (pid_ <= 0) return -1;
        kill(pid_, SIGTERM);
        const bool closed = DrainUntilClosed(grace_ms);
        if (!closed) kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        if (out_fd_ >= 0) close(out_fd_);
        out_fd_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    // Everything the server printed on stdout so far.
    const std::string& output() const { return output_; }

private:
    using Steady = std::chrono::steady_clock;

    // Reads stdout until the first line is complete, the child exits or time runs out.
    void WaitForListening(int timeout_ms) {
        const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
        const std::string prefix = "listening on ";
        while (output_.find('\n') == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - Steady::now())
                                  .count();
            if (left <= 0) {
                error_ = "no \"listening on\" line within " + std::to_string(timeout_ms) + " ms";
                return;
            }
            if (!ReadSome(static_cast<int>(left))) {
                error_ = "the server exited before listening";
                return;
            }
        }
        const std::string line = output_.substr(0, output_.find('\n'));
        if (line.rfind(prefix, 0) != 0) {
            error_ = "unexpected first line: " + line;
            return;
        }
        url_ = line.substr(prefix.size());
    }

    // One poll + read of stdout; false at end of file.
    bool ReadSome(int timeout_ms) {
        pollfd p = {out_fd_, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return true;  // timeout: the caller checks time
        char buf[1024];
        const ssize_t n = read(out_fd_, buf, sizeof buf);
        if (n <= 0) return false;
        output_.append(buf, static_cast<size_t>(n));
        return true;
    }

    bool DrainUntilClosed(int timeout_ms) {
        if (out_fd_ < 0) return false;
        const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
        while (Steady::now() < deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - Steady::now())
                                  .count();
            if (!ReadSome(static_cast<int>(left > 0 ? left : 1))) return true;
        }
        return false;
    }

    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string output_;
    std::string url_;
    std::string error_;
};

}  // namespace jejak::testing
