// A test clock for several loops that each wait on the clock (two `jejak run` commands in
// process, say): time stands still until every participant is waiting, then jumps to the
// earliest wake-up time. The loops advance in lockstep, deterministically, with no wall
// time spent, and none can run ahead of the others.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

#include "platform/base/clock.h"

namespace jejak::testing {

class LockstepClock final : public Clock {
public:
    LockstepClock(int participants, int64_t start_unix_micros)
        : participants_(participants), start_unix_(start_unix_micros) {}

    int64_t NowUnixMicros() const override {
        std::lock_guard<std::mutex> lock(mu_);
        return start_unix_ + mono_;
    }
    int64_t MonotonicMicros() const override {
        std::lock_guard<std::mutex> lock(mu_);
        return mono_;
    }

    void SleepFor(int64_t micros) const override {
        std::unique_lock<std::mutex> lock(mu_);
        const int64_t wake = mono_ + (micros > 0 ? micros : 0);
        auto it = wakes_.insert(wake);
        AdvanceIfAllWaiting();
        cv_.wait(lock, [&] { return mono_ >= wake; });
        wakes_.erase(it);
    }

    // A participant whose loop has ended: the others no longer wait for it.
    void Leave() const {
        std::lock_guard<std::mutex> lock(mu_);
        --participants_;
        AdvanceIfAllWaiting();
    }

private:
    // Called with mu_ held.
    void AdvanceIfAllWaiting() const {
        if (wakes_.empty() || static_cast<int>(wakes_.size()) < participants_) return;
        mono_ = std::max(mono_, *wakes_.begin());
        cv_.notify_all();
    }

    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    mutable std::multiset<int64_t> wakes_;
    mutable int participants_;
    const int64_t start_unix_;
    mutable int64_t mono_ = 0;
};

}  // namespace jejak::testing
