// The efficacy metrics of data/datasets/README.md section (c), as pure functions over
// counts, times and scores, so each is unit-tested on small hand-made series.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace jejak::eval {

// Confusion counts of a yes/no decision against the ground truth. A ratio whose
// denominator is zero is absent (printed "n/a"): e.g. precision when nothing notified.
struct Confusion {
    uint64_t tp = 0, fp = 0, tn = 0, fn = 0;

    void Add(bool truth, bool decision);
    Confusion& operator+=(const Confusion& o);
    uint64_t total() const { return tp + fp + tn + fn; }
    std::optional<double> Tpr() const;        // recall: TP / (TP + FN)
    std::optional<double> Fpr() const;        // FP / (FP + TN)
    std::optional<double> Precision() const;  // TP / (TP + FP)
    std::optional<double> Accuracy() const;   // (TP + TN) / N
    std::optional<double> BalancedAccuracy() const;  // (TPR + TNR) / 2
    std::optional<double> F1() const;         // 2 TP / (2 TP + FP + FN)
};

// One ROC point per threshold, in any order; AUC by the trapezoid rule over the points
// sorted by FPR (then TPR) with (0,0) and (1,1) added. Absent when a class is empty.
struct RocPoint {
    double threshold = 0;
    Confusion counts;
};
std::optional<double> RocAuc(std::span<const RocPoint> points);

// Herald continuity of one contact event: windows of `window_s` from `first`, n =
// ceil((last - first) / window_s) (at least 1), an event time in window floor((t - first) /
// window_s) with the last reading put in window n - 1. `times` are the readings (mode C) or
// scan-instance times (mode P) of the event; times outside [first, last] are ignored.
struct Continuity {
    uint64_t hit = 0;
    uint64_t total = 0;
    Continuity& operator+=(const Continuity& o) {
        hit += o.hit;
        total += o.total;
        return *this;
    }
};
Continuity ContinuityOf(std::span<const double> times, double first, double last,
                        double window_s = 30);

// Gaps between successive times (sorted input): mean, median, maximum; zeros when < 2 times.
struct GapStats {
    double mean = 0, median = 0, max = 0;
    uint64_t gaps = 0;
};
GapStats GapsOf(std::span<const double> times);

// Percentile p in [0, 100] of the values by linear interpolation between order statistics
// (0 for an empty list).
double Percentile(std::vector<double> values, double p);

}  // namespace jejak::eval
