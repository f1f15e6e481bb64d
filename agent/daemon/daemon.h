// The daemon's main job (`jejak run`): keep today's TEK, advertise the GAEN payload for the
// current interval, rotate address and payload together at every 10-minute boundary, scan,
// fold each scan window's GAEN adverts into Sightings and hand them to the store.
//
// The daemon only goes on air once the wall clock is plausible (agent/clock/clock_guard.h):
// before that, and again whenever the clock falls back out of plausibility, it neither
// advertises nor records, and Snapshot() says why. A step of the clock closes the current
// scan window (sightings keep the day they were heard on); a step back never re-advertises
// an interval already used: advertising pauses until the clock passes it again.
//
// Everything outside is injected (Radio, Clock, Store, RandomSource), so tests drive a
// Daemon with SimRadio + ManualClock by calling Tick() themselves; `jejak run` calls Tick()
// every ~100 ms of real time. Threads: the radio's callback thread only appends receptions
// to a mutex-guarded aggregator; every other method runs on the caller's thread.
//
// Log lines (one per event) carry counts and times only: never a TEK, RPIK, AEMK or RPI.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <ostream>
#include <vector>

#include "agent/clock/clock_guard.h"
#include "agent/clock/trusted_clock.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "platform/radio/radio.h"
#include "storage/sighting_aggregator.h"
#include "storage/store.h"

namespace jejak {

// How the daemon scans (docs/scan-regimes.md); every stored sighting records it.
//  - continuous (default, a mains-powered box): the radio scans all the time; receptions
//    are aggregated per window of scan_window_s aligned to multiples of it (so 5-s windows
//    never straddle a minute), and scoring credits each bin_seconds bin heard;
//  - duty-cycled (a token, a phone-like device): the radio scans scan_window_s every
//    scan_period_s and is stopped in between; scoring credits GAEN's secondsSinceLastScan.
struct DaemonOptions {
    int8_t tx_power_dbm = -15;      // the transmit setting asked of the radio
    // The calibrated radiated power (dBm at 1 m), advertised in metadata v1.0: what receivers
    // compute attenuation from (docs/PROTOCOL.md), NOT the radio setting above.
    int8_t calibrated_tx_power_dbm = -15;
    AdvertisingParams advertising;  // tx_power_dbm above overrides advertising.tx_power_dbm
    ScanParams scan;                // radio scan interval/window while scanning
    int64_t scan_window_s = 5;      // receptions are aggregated per window of this length
    int64_t flush_interval_s = kDefaultFlushIntervalSeconds;  // explicit flush (+ log line)
    ClockPolicy clock;  // store_seen_unix_s is filled from the store at Start
    StepTrustPolicy trust;  // when a forward jump of the wall clock is believed
    // The store's clock (`jejak run` opens the store on it): steered to the last trusted
    // time while the wall clock is not trusted, so the keyring never moves on it. Null: the
    // store reads its own clock (tests that do not look at shredding).
    TrustedClock* store_clock = nullptr;
    // The kernel's synchronisation flag; shown in the snapshot either way, required only
    // with clock.require_ntp_sync.
    std::function<bool()> ntp_synchronised = KernelClockSynchronised;
    int64_t summary_interval_s = 600;  // one summary line per this many seconds (0: never)
    size_t max_rpis_per_window = kDefaultMaxRpisPerWindow;    // SightingAggregator cap
    ScanRegime scan_regime = ScanRegime::kContinuous;
    uint16_t bin_seconds = kDefaultBinSeconds;  // continuous: credit bin
    int64_t scan_period_s = 300;    // duty-cycled: a scan starts every this many seconds
};

struct DaemonCounters {
    uint64_t rotations = 0;  // interval-boundary rotations (not counting the start)
    uint64_t teks_generated = 0;
    uint64_t adverts_heard = 0;      // GAEN adverts received (own adverts excluded)
    uint64_t sightings_stored = 0;   // sightings the store committed (refusals excluded)
    uint64_t sightings_flushed = 0;  // the same, counted at each flush
    uint64_t sightings_dropped = 0;  // malformed windows (a reception across a clock step)
    uint64_t clock_steps = 0;        // wall-clock steps noticed while running
    uint64_t receptions_dropped = 0; // lost to the per-window RPI cap (flooding)
    uint64_t store_refused = 0;      // writes (sightings, keys) the store refused
    uint64_t store_write_failures = 0;  // store writes that failed (full or failing disk)
    uint64_t radio_failures = 0;     // radio commands that failed (hung, reset or lost controller)
    uint64_t radio_recoveries = 0;   // times advertising and scanning were restored after one
};

// What the daemon is doing now, for the status file: no key material.
struct DaemonSnapshot {
    bool running = false;       // Start called and not stopped
    bool on_air = false;        // clock plausible: advertising (unless paused) and scanning
    bool advertising_paused = false;  // the clock went back into intervals already used
    bool recording_paused = false;    // an unconfirmed forward jump: advertising only
    ClockVerdict clock;
    bool ntp_synchronised = false;
    int64_t unsynchronised_for_s = 0;  // since the kernel last said synchronised (or start)
    std::string last_refusal;          // why the store last refused a write ("" if never)
    int64_t last_refusal_unix_s = 0;
    // Why the store cannot be written now ("" while it can): a full, failing or read-only
    // disk. The daemon stays on air meanwhile and holds what it hears in the store's bounded
    // write-behind buffer (StoreStats::pending_sightings), and keys it could not store.
    std::string store_fault;
    int64_t store_fault_since_unix_s = 0;  // 0 while the store can be written
    size_t unstored_keys = 0;              // keys on air that wait to be written
    // Why the radio is not advertising or scanning as asked ("" while it is): a command that
    // failed (a hung controller, one that reset or disappeared). The daemon keeps its keys
    // and intervals moving and retries with backoff (2 s doubling to 64 s, on its clock).
    std::string radio_fault;
    int64_t radio_fault_since_unix_s = 0;
    EnIntervalNumber interval = 0;    // on air now (0 before the first)
    int64_t last_rotation_unix_s = 0;  // 0: none since start
    ScanParams scan;
    int8_t tx_power_dbm = 0;
    DaemonCounters counters;
};

// What SIGHUP may change without a restart.
struct DaemonReload {
    ScanParams scan;
    int8_t tx_power_dbm = -15;
    AdvertisingParams advertising;
};

// Writes the store refused since it was opened, by cause (from StoreStats).
struct StoreRefusals {
    uint64_t out_of_window = 0;  // the row's day is expired or more than a day ahead
    uint64_t day_cap = 0;        // the day already held its row cap
    uint64_t buffer_full = 0;    // dropped from a full buffer while flushes failed
    uint64_t total() const { return out_of_window + day_cap + buffer_full; }
};

class Daemon {
public:
    // All references must outlive the Daemon. `log` receives the event lines.
    Daemon(Radio& radio, const Clock& clock, Store& store, RandomSource& random,
           DaemonOptions options, std::ostream& log);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Reads the store's latest time, then, once the clock is plausible (now or at a later
    // Tick), reuses the store's TEK of today (or makes one), starts advertising and scanning.
    Status Start();
    // Rotates at an interval boundary (new TEK at a day boundary), closes a scan window when
    // it has run scan_window_s, flushes every flush_interval_s. Cheap when nothing is due.
    Status Tick();
    // Stops scanning and advertising, stores the last window and flushes. Idempotent.
    Status Stop();
    // Applies a new duty cycle at once and a new TX power (re-advertising the current set).
    // InvalidArgument (nothing changed) for a duty cycle the radio would refuse.
    Status Reload(const DaemonReload& reload);

    // The set on air now (for tests: address and payload change together).
    AdvertisingSet CurrentAdvertisingSet() const { return current_; }
    DaemonCounters Counters() const;
    DaemonSnapshot Snapshot() const;

private:
    // The trusted time: the wall clock unless an unconfirmed jump is pending.
    int64_t NowS() const;
    Status ObserveClock();
    void SteerStoreClock(int64_t mono);
    void WarnIfShredding(int64_t from_s, int64_t to_s);
    Status PauseRecording();
    Status ResumeRecording();
    Status ScanIfDue(int64_t now_s);
    uint64_t NoteRefusals(const std::string& what);
    Status EnsureTek(EnIntervalNumber interval);
    Result<AdvertisingSet> BuildSet(EnIntervalNumber interval);
    Status RotateIfDue();
    Status GoOnAir();
    Status LeaveAir(bool final);
    Status GoOffAir(const std::string& why);
    Status OnClockStep(int64_t step_micros);
    void LogSummaryIfDue(int64_t now_s);
    Status CloseWindow(int64_t now_s);
    Status DutyCycle(int64_t now_s);
    Status FlushIfDue(int64_t now_s, bool force);
    // The store failed to write (full, failing or read-only disk: IOError, PermissionDenied,
    // Unavailable): notes it for the snapshot and the log (one line when it starts) and
    // returns OK so the daemon stays on air; any other error is returned as it is.
    Status NoteStoreFailure(const Status& failure);
    // A radio command failed: a hung, reset or lost controller (anything but a refusal of
    // our own arguments) is noted, the retry scheduled, and OK returned.
    Status NoteRadioFailure(const Status& failure, bool advertising);
    // Retries what the radio lost, once the backoff has passed: the advertising set of the
    // current interval (the same address and RPI the failed call was given, or both new at a
    // new interval) and scanning.
    Status RestoreRadioIfDue(int64_t now_s);
    // Clears the radio fault once nothing is left to restore (logs how long it lasted).
    void NoteRadioWorking(int64_t now_s);
    void NoteStoreWritable();
    // Writes the keys that went on air while the store could not take them.
    Status StoreHeldKeys();
    void OnAdvert(const ReceivedAdvert& advert);

    Radio& radio_;
    const Clock& clock_;
    Store& store_;
    RandomSource& random_;
    DaemonOptions options_;
    std::ostream& log_;

    std::optional<StoredTek> tek_;
    EnIntervalNumber interval_ = 0;
    AdvertisingSet current_;
    bool running_ = false;
    bool on_air_ = false;
    bool advertising_paused_ = false;
    EnIntervalNumber highest_interval_ = 0;  // never advertised again once used
    int64_t last_rotation_s_ = 0;
    int64_t last_summary_s_ = 0;
    ClockStepDetector steps_;
    ForwardStepGate gate_;
    ClockVerdict verdict_;
    bool ntp_synchronised_ = false;
    int64_t unsync_since_mono_ = -1;  // -1: synchronised
    bool recording_paused_ = false;
    bool good_ = false;               // a trusted, plausible time was seen since Start
    int64_t good_wall_ = 0, good_mono_ = 0;
    StoreRefusals refusals_seen_;
    int64_t window_start_s_ = 0;
    bool scanning_ = false;      // duty-cycled: the radio is scanning now
    int64_t next_scan_s_ = 0;    // duty-cycled: when the next scan starts
    int64_t last_flush_s_ = 0;
    uint64_t unflushed_ = 0;
    std::vector<StoredTek> unstored_teks_;  // on air, not yet written (store failing)
    bool adv_lost_ = false;    // advertising must be restored (current_ is what to advertise)
    bool scan_lost_ = false;   // scanning must be restored
    int64_t radio_retry_at_s_ = 0;
    int64_t radio_backoff_s_ = 0;

    mutable std::mutex mu_;  // guards the fields below (radio callback thread)
    SightingAggregator aggregator_;
    std::vector<Rpi> own_rpis_;  // current and previous: never store our own adverts
    DaemonCounters counters_;
    std::set<Rpi> summary_rpis_;  // distinct RPIs heard since the last summary line
    std::string last_refusal_;
    int64_t last_refusal_s_ = 0;
    std::string store_fault_;
    int64_t store_fault_since_s_ = 0;
    std::string radio_fault_;
    int64_t radio_fault_since_s_ = 0;
};

}  // namespace jejak
