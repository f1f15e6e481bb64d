// Runs a built binary (build/bin/jejak, jejak-bench) as a child process, for what only a real
// process shows: its exit status, reading standard input, and stopping on a signal.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace jejak::testing {

struct ProcessRun {
    int code = -1;  // exit status, or 128 + signal
    std::string out;
    std::string err;
};

inline std::string BuiltBinary(const std::string& name) {
    return std::string(JEJAK_BINARY_DIR) + "/bin/" + name;
}

// The emulator that runs cross-built programs (qemu-aarch64, absolute path), or "" natively.
inline std::string TestEmulator() { return JEJAK_TEST_EMULATOR; }

// A path a shell on this machine can run as `name`: the built program, or cross-built, its
// wrapper that starts it through the emulator (cmake/man_page.cmake writes one per program
// with a man page: jejak, jejak-authority).
inline std::string HostRunnable(const std::string& name) {
    return TestEmulator().empty() ? BuiltBinary(name)
                                  : std::string(JEJAK_BINARY_DIR) + "/emulated/" + name;
}

// argv as this machine can exec it: a cross-built program of the build tree (bin/) is
// started through the emulator (no binfmt_misc needed); anything else as it is. Emulated,
// `jejak ... authority ARGS` becomes `jejak-authority ... ARGS`, which is what jejak would
// exec (forward_test.cc checks that natively and in process): an emulated program cannot
// exec another arm64 program without binfmt_misc.
inline std::vector<std::string> HostArgv(std::vector<std::string> argv) {
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

// Cross-built programs of the build tree run through the emulator (HostArgv).
inline ProcessRun RunProcess(const std::vector<std::string>& program_argv,
                             const std::string& input = "", int signal_after_ms = -1,
                             int signal = SIGINT) {
    const std::vector<std::string> argv = HostArgv(program_argv);
    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (!input.empty()) (void)!write(in[1], input.data(), input.size());
    close(in[1]);
    ProcessRun run;
    const auto start = std::chrono::steady_clock::now();
    bool signalled = signal_after_ms < 0;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (!signalled && std::chrono::steady_clock::now() - start >=
                              std::chrono::milliseconds(signal_after_ms)) {
            kill(pid, signal);
            signalled = true;
        }
        if (poll(fds, 2, 50) < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buf[4096];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? run.out : run.err).append(buf, static_cast<size_t>(n));
            }
        }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

}  // namespace jejak::testing
