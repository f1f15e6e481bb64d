// Crash safety: a child process writing sightings continuously is SIGKILLed at random
// moments; after every kill the store opens, SQLite's integrity check and the store's
// verify are clean, and every sighting of every completed flush is present.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "store_test_util.h"
#include "store_test_util_rows.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using namespace jejak::testing;

struct ChildRun {
    bool opened = false;
    uint32_t flushed = 0;  // sightings committed by the last reported flush
};

// Starts the writer, waits for "open" (and, with after_first_flush, for its first completed
// flush), lets it write for `write_for`, kills it, and reads everything it reported.
ChildRun RunAndKill(const std::string& dir, uint32_t first_seed,
                    std::chrono::microseconds write_for, bool after_first_flush) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        const std::string seed = std::to_string(first_seed);
        const char* emulator = JEJAK_STORE_CRASH_EMULATOR;
        if (emulator[0] != '\0') {
            execlp(emulator, emulator, JEJAK_STORE_CRASH_WRITER, dir.c_str(), seed.c_str(),
                   nullptr);
        } else {
            execl(JEJAK_STORE_CRASH_WRITER, "store_crash_writer", dir.c_str(), seed.c_str(),
                  nullptr);
        }
        _exit(127);
    }
    close(fds[1]);
    FILE* in = fdopen(fds[0], "r");
    REQUIRE(in != nullptr);
    ChildRun run;
    char line[64];
    if (std::fgets(line, sizeof line, in) != nullptr) run.opened = std::string(line) == "open\n";
    if (run.opened && after_first_flush && std::fgets(line, sizeof line, in) != nullptr) {
        unsigned n = 0;
        if (std::sscanf(line, "flushed %u", &n) == 1) run.flushed = n;
    }
    std::this_thread::sleep_for(write_for);
    kill(pid, SIGKILL);
    while (std::fgets(line, sizeof line, in) != nullptr) {
        unsigned n = 0;
        if (std::sscanf(line, "flushed %u", &n) == 1) run.flushed = n;
    }
    std::fclose(in);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
    return run;
}

}  // namespace

TEST_CASE("store survives 50 SIGKILLs mid-write with every flushed sighting present") {
    ScratchDir dir;
    SystemClock clock;
    std::mt19937 rng(20261127);
    std::uniform_int_distribution<int> delay_us(0, 60000);
    std::vector<std::pair<uint32_t, uint32_t>> committed;  // [first, first + n) per run
    uint32_t total_flushed = 0;
    for (uint32_t run = 0; run < 50; ++run) {
        CAPTURE(run);
        const uint32_t first = run * 1000000;
        // Every fifth run is killed only after a first flush, so committed sightings are
        // checked however slowly the writer runs (under qemu-user a 60 ms window can pass
        // without any flush).
        const auto write_for = std::chrono::microseconds(delay_us(rng));
        const ChildRun child = RunAndKill(dir.str(), first, write_for, run % 5 == 4);
        REQUIRE(child.opened);
        committed.emplace_back(first, child.flushed);
        total_flushed += child.flushed;

        auto store = SqliteStore::Open(clock, SqliteOptions(dir));
        REQUIRE_MESSAGE(store.ok(), store.status().ToString());
        auto verify = (*store)->Verify();  // includes PRAGMA integrity_check
        REQUIRE(verify.ok());
        for (const auto& p : verify->problems) FAIL_CHECK(p.table << " " << p.row_id << ": " << p.what);
        std::vector<uint32_t> seeds;
        auto read = (*store)->ForEachSighting(DayRange::All(), [&](const Sighting& s) {
            seeds.push_back(CrashSeedOf(s));
        });
        REQUIRE(read.ok());
        std::sort(seeds.begin(), seeds.end());
        for (const auto& [from, n] : committed) {
            // Seeds of one run are consecutive: all present iff [from, from + n) is covered.
            const auto lo = std::lower_bound(seeds.begin(), seeds.end(), from);
            const auto hi = std::lower_bound(seeds.begin(), seeds.end(), from + n);
            CHECK(hi - lo == n);
        }
        REQUIRE((*store)->Close().ok());
    }
    MESSAGE("sightings committed by completed flushes: " << total_flushed);
    CHECK(total_flushed > 0);
}

}  // namespace jejak
