// The soak: one venue box (a Daemon on the encrypted SqliteStore, driven by the tick loop of
// `jejak run`) among a crowd of visitors for many simulated days on one ManualClock, with the
// daily check of a deployed box (`jejak keys fetch`, then `jejak match --fetched`: the built
// `jejak` run as a process of its own, as jejak-check.service runs it, on the box's state dir
// while its daemon holds it, on the simulated time through JEJAK_SIM_CLOCK) against a key
// server on loopback that publishes one diagnosed visitor's keys per simulated week.
// Shared by `jejak-bench soak` (the figures) and the soak ctest (the criteria), so both
// measure the same run. Nothing here waits on wall time: every wait advances the clock.
//
// The crowd: `devices` visitors, each with its own daily TEK (RPI and AEM rotating every 10
// minutes, address rotating with them), present at the box once a day for 30 to 180
// minutes between 08:00 and 22:00 UTC at the same time every day (so days are alike and a
// trend is the daemon's, not the crowd's), advertising every 270 ms, all heard.
//
// Each simulated day ends with the check at 23:00 UTC (venue closed), then the day's
// figures: resident RSS (VmRSS of this process: daemon, store, the simulated crowd and the
// key server; the check's own peak is reported beside it), open file descriptors (/proc/self/fd), store bytes (store.db, -wal, -shm and
// store.keys on disk), sightings kept and the oldest day held, both counted from the raw
// database file through a connection of its own (outside the daemon and its store object),
// and the CPU seconds of the day (user + system, daemon and check processes).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "platform/base/status.h"

namespace jejak::bench {

struct SoakOptions {
    int days = 30;
    int devices = 200;
    int retention_days = 14;
    int64_t tick_micros = 100000;  // `jejak run`'s tick
    std::string tmp;               // scratch parent directory ("": the system's temp dir)
    bool keep = false;             // leave the scratch directory (its path is printed)
};

struct SoakDay {
    int day = 0;                   // 1..days
    long rss_kib = 0;              // VmRSS of the daemon's process after the day's check
    int fds = 0;
    uint64_t store_bytes = 0;
    int64_t sightings_kept = 0;    // rows in the database file
    int64_t oldest_day_held = -1;  // UTC day number of the oldest sighting row (-1: none)
    int64_t oldest_day_allowed = 0;  // today - retention_days + 1
    double cpu_s = 0;              // the daemon's process and the day's check processes
    long check_rss_kib_max = 0;    // largest peak RSS of a check process so far
    uint64_t adverts_heard = 0;    // the daemon's counter, cumulative
    uint64_t keys_matched = 0;     // the day's check
    int errors = 0;                // cumulative
};

struct SoakResult {
    SoakOptions options;
    std::vector<SoakDay> days;
    std::vector<std::string> error_lines;  // what each error was
    uint64_t weekly_reports = 0;           // exports the key server published
};

// Runs the soak, printing one line per simulated day and per simulated week to `out`.
// A set-up failure (scratch dir, store, server) is an error Status; everything that goes
// wrong once running is counted in the result's errors.
Result<SoakResult> RunSoak(const SoakOptions& options, std::ostream& out);

// `soak days= devices= rss_kib_max= rss_kib_day1= fds_max= store_bytes_max= cpu_s_per_day=
// errors=`
std::string SoakFinalLine(const SoakResult& r);

// The flatness criteria, one line each for those not met (empty: all met):
//  - errors 0;
//  - RSS and open fds on the last day within 5 % of day 2;
//  - store bytes bounded by the retention: the figure of day retention_days + 1 (the
//    retention full, one day expired) is not exceeded by more than 5 % (SQLite's free-page
//    and WAL slack) on any later day;
//  - retention exact: on every day, no sighting row older than today - retention + 1 in the
//    database file, and from day retention_days on, that day is the oldest held;
//  - the crowd heard every day, and the weekly reports matched by the daily checks.
// Needs at least retention_days + 2 days (and 3) to judge; fewer is a failure line.
// `judge_rss` false leaves RSS out (AddressSanitizer's quarantine grows RSS by design).
std::vector<std::string> SoakCriteriaNotMet(const SoakResult& r, bool judge_rss = true);

}  // namespace jejak::bench
