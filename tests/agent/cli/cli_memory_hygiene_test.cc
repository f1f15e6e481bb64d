// Memory hygiene of the CLI process. Guards that a TEK had to appear in argv (readable by
// every local user in /proc/*/cmdline) for `keys derive`, and that the process stayed
// dumpable (core dumps and same-user ptrace of a process holding keys).
#include <doctest/doctest.h>
#include <sys/prctl.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "crypto/guarded.h"
#include "tests/support/cli_runner.h"

namespace jejak {
namespace {

using testing::RunJejak;

constexpr const char* kHygieneTek = "75c734c6dd1a782de7a965da5eb93125";

testing::CliRun RunWithStdin(const std::string& input, std::vector<std::string> args) {
    std::istringstream in(input);
    auto* old = std::cin.rdbuf(in.rdbuf());
    auto run = RunJejak(std::move(args));
    std::cin.rdbuf(old);
    return run;
}

TEST_CASE("keys derive --tek - reads the TEK from stdin, never from argv") {
    const auto from_argv =
        RunJejak({"keys", "derive", "--tek", kHygieneTek, "--interval", "2642976", "--count", "3"});
    REQUIRE(from_argv.code == 0);
    const auto from_stdin = RunWithStdin(std::string(kHygieneTek) + "\n",
                                         {"keys", "derive", "--tek", "-", "--interval", "2642976",
                                          "--count", "3"});
    CHECK(from_stdin.code == 0);
    CHECK(from_stdin.out == from_argv.out);
    const auto bad = RunWithStdin("zz\n", {"keys", "derive", "--tek", "-", "--interval", "1"});
    CHECK(bad.code == 2);
    CHECK(bad.err.find("--tek") != std::string::npos);
}

TEST_CASE("every command marks the process non-dumpable") {
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    REQUIRE(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
    RunJejak({"keys", "derive", "--tek", kHygieneTek, "--interval", "1"});
    CHECK(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
}

// Guarded key regions are excluded from core dumps (VmFlags "dd" in /proc/self/smaps).
TEST_CASE("guarded key memory is marked MADV_DONTDUMP") {
    if (!std::string(JEJAK_TEST_EMULATOR).empty()) {
        // qemu-user treats madvise() as a hint it may drop, and does drop MADV_DONTDUMP: the
        // flag can only be seen on a real arm64 kernel.
        MESSAGE("skipped under the emulator: qemu-user does not pass MADV_DONTDUMP on");
        return;
    }
    auto key = GuardedKey::Random();
    REQUIRE(key.ok());
    const auto addr = reinterpret_cast<uintptr_t>(key->data());
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inside = false;
    bool found = false;
    while (std::getline(smaps, line)) {
        unsigned long lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(' ') > 8) {
            inside = addr >= lo && addr < hi;
            continue;
        }
        if (inside && line.rfind("VmFlags:", 0) == 0) {
            found = true;
            CHECK_MESSAGE(line.find(" dd") != std::string::npos, line);
        }
    }
    CHECK(found);
}

}  // namespace
}  // namespace jejak
