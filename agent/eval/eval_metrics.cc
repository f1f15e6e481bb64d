// Confusion ratios, ROC/AUC, continuity, gaps and percentiles.
#include "agent/eval/eval_metrics.h"

#include <algorithm>
#include <cmath>

namespace jejak::eval {
namespace {

std::optional<double> Ratio(uint64_t num, uint64_t den) {
    if (den == 0) return std::nullopt;
    return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

void Confusion::Add(bool truth, bool decision) {
    if (truth) {
        ++(decision ? tp : fn);
    } else {
        ++(decision ? fp : tn);
    }
}

Confusion& Confusion::operator+=(const Confusion& o) {
    tp += o.tp;
    fp += o.fp;
    tn += o.tn;
    fn += o.fn;
    return *this;
}

std::optional<double> Confusion::Tpr() const { return Ratio(tp, tp + fn); }
std::optional<double> Confusion::Fpr() const { return Ratio(fp, fp + tn); }
std::optional<double> Confusion::Precision() const { return Ratio(tp, tp + fp); }
std::optional<double> Confusion::Accuracy() const { return Ratio(tp + tn, total()); }
std::optional<double> Confusion::F1() const { return Ratio(2 * tp, 2 * tp + fp + fn); }

std::optional<double> Confusion::BalancedAccuracy() const {
    const auto tpr = Tpr();
    const auto tnr = Ratio(tn, tn + fp);
    if (!tpr || !tnr) return std::nullopt;
    return (*tpr + *tnr) / 2;
}

std::optional<double> RocAuc(std::span<const RocPoint> points) {
    std::vector<std::pair<double, double>> xy{{0, 0}, {1, 1}};
    for (const RocPoint& p : points) {
        const auto fpr = p.counts.Fpr();
        const auto tpr = p.counts.Tpr();
        if (!fpr || !tpr) return std::nullopt;
        xy.emplace_back(*fpr, *tpr);
    }
    std::sort(xy.begin(), xy.end());
    double auc = 0;
    for (size_t i = 1; i < xy.size(); ++i) {
        auc += (xy[i].first - xy[i - 1].first) * (xy[i].second + xy[i - 1].second) / 2;
    }
    return auc;
}

Continuity ContinuityOf(std::span<const double> times, double first, double last,
                        double window_s) {
    Continuity c;
    const double span = std::max(0.0, last - first);  // out-of-order input: one window
    c.total = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(span / window_s)));
    std::vector<bool> hit(c.total, false);
    for (double t : times) {
        if (t < first || t > last) continue;
        const auto w = std::min<uint64_t>(c.total - 1, static_cast<uint64_t>((t - first) / window_s));
        hit[w] = true;
    }
    c.hit = static_cast<uint64_t>(std::count(hit.begin(), hit.end(), true));
    return c;
}

GapStats GapsOf(std::span<const double> times) {
    GapStats g;
    if (times.size() < 2) return g;
    std::vector<double> gaps;
    gaps.reserve(times.size() - 1);
    for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
    double sum = 0;
    for (double x : gaps) sum += x;
    g.gaps = gaps.size();
    g.mean = sum / static_cast<double>(gaps.size());
    g.max = *std::max_element(gaps.begin(), gaps.end());
    g.median = Percentile(std::move(gaps), 50);
    return g;
}

double Percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100 * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(rank));
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

}  // namespace jejak::eval
