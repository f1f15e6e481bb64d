// The Prometheus text exposition format (version 0.0.4): a writer that emits families with
// their HELP and TYPE lines, and a strict parser used by tests to hold the writer (and the
// whole /metrics reply) to the format: metric and label name grammar, escaped label values,
// one TYPE per family before its samples, histogram buckets cumulative with a +Inf bucket
// equal to _count.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/base/status.h"

namespace jejak::authority {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusWriter {
public:
    // Starts a family: `type` is counter, gauge or histogram. Names must be valid metric
    // names (asserted: they are ours, never a client's).
    void Family(std::string_view name, std::string_view type, std::string_view help);
    // One sample of the current family (`name` may add _bucket, _sum, _count).
    void Sample(std::string_view name, const MetricLabels& labels, double value);
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

struct ParsedSample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct ParsedMetrics {
    std::map<std::string, std::string> types;  // family -> type
    std::vector<ParsedSample> samples;
    // The value of the sample with this name and exactly these labels; NotFound otherwise.
    Result<double> Value(const std::string& name,
                         const std::map<std::string, std::string>& labels = {}) const;
};

// InvalidArgument naming the line for anything outside the format.
Result<ParsedMetrics> ParsePrometheusText(std::string_view text);

}  // namespace jejak::authority
