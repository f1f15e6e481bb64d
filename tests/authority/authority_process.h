// A long-running child process for the multi-instance tests: several `jejak authority
// serve` instances and export workers on one database. Starts build/bin/jejak with extra
// environment variables, waits (bounded, wall time: a real process cannot share a test
// clock) for a line on its stdout or stderr, signals it, and reaps it. The destructor kills
// and reaps a child that is still running, so a failed test leaves no process behind.
#pragma once

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/child_process.h"

namespace jejak::testing {

class ChildProcess {
public:
    // `env`: extra NAME=VALUE entries on top of this process's environment.
    // Cross-built programs run through the emulator (HostArgv).
    ChildProcess(const std::vector<std::string>& program_argv,
                 const std::vector<std::string>& env = {}) {
        const std::vector<std::string> argv = HostArgv(program_argv);
        int out[2], err[2];
        REQUIRE(pipe(out) == 0);
        REQUIRE(pipe(err) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            dup2(out[1], 1);
            dup2(err[1], 2);
            for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
            for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
            std::vector<char*> args;
            for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        close(out[1]);
        close(err[1]);
        fds_[0] = out[0];
        fds_[1] = err[0];
    }
    ~ChildProcess() {
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            (void)Wait();
        }
        for (int fd : fds_) {
            if (fd >= 0) close(fd);
        }
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& out() const { return text_[0]; }
    const std::string& err() const { return text_[1]; }

    // Reads output until `needle` appears on stdout (0) or stderr (1), the streams close, or
    // `timeout_ms` passes. True when found.
    bool WaitFor(int stream, const std::string& needle, int timeout_ms = 30000) {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (text_[stream].find(needle) == std::string::npos) {
            if (std::chrono::steady_clock::now() >= deadline || !ReadSome(100)) {
                return text_[stream].find(needle) != std::string::npos;
            }
        }
        return true;
    }

    void Signal(int sig) { kill(pid_, sig); }

    // Drains the output and reaps the child: exit status, or 128 + signal.
    int Wait() {
        while (ReadSome(100)) {
        }
        int status = 0;
        waitpid(pid_, &status, 0);
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    // One poll round; false once both streams are closed.
    bool ReadSome(int timeout_ms) {
        pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
        if (fds_[0] < 0 && fds_[1] < 0) return false;
        if (poll(p, 2, timeout_ms) < 0) return false;
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

    pid_t pid_ = -1;
    bool reaped_ = false;
    int fds_[2] = {-1, -1};
    std::string text_[2];
};

}  // namespace jejak::testing
