// ChildProcess: a built program (build/bin/jejak, jejak-authority, jejak-bench) run as a real
// child process, for what only a real process shows: its exit status, reading standard
// input, stopping on a signal, several processes on one database. Spawns argv with extra
// environment, captures stdout and stderr, waits with a bound, and kills and reaps a child
// still running when it goes out of scope, so a failing test leaves no process behind.
// Waiting is on wall time: a real process cannot share a test's injected clock.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace jejak::testing {

// build/bin/NAME of this build tree.
std::string BuiltBinary(const std::string& name);

// The emulator that runs cross-built programs (qemu-aarch64, absolute path), or "" natively.
std::string TestEmulator();

// A path a shell on this machine can run as `name`: the built program, or cross-built, its
// wrapper that starts it through the emulator (cmake/man_page.cmake writes one per program
// with a man page: jejak, jejak-authority).
std::string HostRunnable(const std::string& name);

// argv as this machine can exec it: a cross-built program of the build tree (bin/) is
// started through the emulator (no binfmt_misc needed); anything else as it is. Emulated,
// `jejak ... authority ARGS` becomes `jejak-authority ... ARGS`, which is what jejak would
// exec (forward_test.cc checks that natively and in process): an emulated program cannot
// exec another arm64 program without binfmt_misc.
std::vector<std::string> HostArgv(std::vector<std::string> argv);

struct ChildOptions {
    // Extra NAME=VALUE entries on top of this process's environment.
    std::vector<std::string> env;
    // Standard input: these bytes, then end of file; nullopt: /dev/null.
    std::optional<std::string> input;
    // Non-empty: stderr goes to this file (created or truncated, mode 0600), not to err().
    std::string stderr_file;
    // Stderr shared with this process (a benchmark's server logs on the terminal).
    bool inherit_stderr = false;
};

class ChildProcess {
public:
    // Starts argv[0] (through HostArgv) with `options`; ok() says whether fork/exec set-up
    // worked (an exec failure shows as exit status 127).
    explicit ChildProcess(const std::vector<std::string>& program_argv,
                          const ChildOptions& options = {});
    // SIGKILL and reap when still running; closes the pipes.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool ok() const { return pid_ > 0; }
    const std::string& error() const { return error_; }
    pid_t pid() const { return pid_; }
    // What the child wrote so far (read by WaitFor, Drain, Wait and Stop).
    const std::string& out() const { return text_[0]; }
    const std::string& err() const { return text_[1]; }

    // Reads output until `needle` appears on stdout (0) or stderr (1), the streams close, or
    // `timeout_ms` passes. True when found.
    bool WaitFor(int stream, const std::string& needle, int timeout_ms = 30000);
    // Reads output for `timeout_ms` or until both streams close; true while one is open.
    bool Drain(int timeout_ms);

    void Signal(int sig);

    // Drains the output until both streams close and reaps the child: its exit status, or
    // 128 + signal. Unbounded: for a child that is known to be finishing.
    int Wait();
    // The same within `timeout_ms`; nullopt (child left running) when it did not exit.
    std::optional<int> WaitWithin(int timeout_ms);
    // Sends `sig`, waits up to `grace_ms`, then SIGKILL: the exit status (128 + signal when
    // killed), -1 when it was not running.
    int Stop(int sig, int grace_ms);

private:
    void Start(const std::vector<std::string>& program_argv, const ChildOptions& options);
    // One poll round of at most `timeout_ms`; false once both streams are closed.
    bool ReadSome(int timeout_ms);
    int Reap(int status);

    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_code_ = -1;
    int fds_[2] = {-1, -1};
    std::string text_[2];
    std::string error_;
};

struct ProcessRun {
    int code = -1;  // exit status, or 128 + signal
    std::string out;
    std::string err;
};

// Runs a program to its end with `input` on stdin; with signal_after_ms >= 0, sends `signal`
// after that long unless it has already closed its output. Cross-built programs of the build
// tree run through the emulator (HostArgv).
ProcessRun RunProcess(const std::vector<std::string>& program_argv,
                      const std::string& input = "", int signal_after_ms = -1,
                      int signal = SIGINT);

}  // namespace jejak::testing
