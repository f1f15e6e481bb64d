// store_crash_writer STATE_DIR FIRST_SEED: the child of the crash test. Opens the SQLite
// store and writes sightings continuously, 100 per flush, until killed. Prints "open" once
// the store is open and "flushed N" after each completed flush, where seeds
// FIRST_SEED .. FIRST_SEED + N - 1 are then committed.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "platform/base/clock.h"
#include "storage/sqlite_store.h"
#include "store_test_util_rows.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: store_crash_writer STATE_DIR FIRST_SEED\n");
        return 2;
    }
    jejak::SystemClock clock;
    jejak::SqliteStoreOptions options;
    options.state_dir = argv[1];
    options.flush_interval_s = 3600;  // flushed explicitly below
    auto store = jejak::SqliteStore::Open(clock, options);
    if (!store.ok()) {
        std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
        return 1;
    }
    std::printf("open\n");
    std::fflush(stdout);
    const auto first = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
    const int64_t now = clock.NowUnixMicros() / 1000000;
    for (uint32_t n = 0;;) {
        std::vector<jejak::Sighting> batch;
        for (int i = 0; i < 100; ++i, ++n) batch.push_back(jejak::testing::CrashSighting(first + n, now));
        jejak::Status s = (*store)->AddSightings(batch);
        if (s.ok()) s = (*store)->Flush();
        if (!s.ok()) {
            std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
            return 1;
        }
        std::printf("flushed %u\n", n);
        std::fflush(stdout);
    }
}
