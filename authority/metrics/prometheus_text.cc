// Writing and strictly parsing the Prometheus text format.
#include "authority/metrics/prometheus_text.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

namespace jejak::authority {
namespace {

bool NameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool NameChar(char c) { return NameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

bool ValidName(std::string_view n, bool label) {
    if (n.empty() || !NameStart(n[0]) || (label && n[0] == ':')) return false;
    for (char c : n) {
        if (!NameChar(c) || (label && c == ':')) return false;
    }
    return true;
}

std::string FormatValue(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string Escape(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

Result<double> ParseValue(std::string_view t) {
    if (t == "+Inf") return INFINITY;
    if (t == "-Inf") return -INFINITY;
    if (t == "NaN") return NAN;
    double v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || p != t.data() + t.size()) return Status::InvalidArgument("bad value");
    return v;
}

// name{a="b",...} value [timestamp]
Result<ParsedSample> ParseSample(std::string_view line) {
    ParsedSample s;
    size_t i = 0;
    while (i < line.size() && NameChar(line[i])) ++i;
    s.name = std::string(line.substr(0, i));
    if (!ValidName(s.name, false)) return Status::InvalidArgument("bad metric name");
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            size_t start = i;
            while (i < line.size() && NameChar(line[i])) ++i;
            const std::string label(line.substr(start, i - start));
            if (!ValidName(label, true) || i + 1 >= line.size() || line[i] != '=' ||
                line[i + 1] != '"') {
                return Status::InvalidArgument("bad label");
            }
            i += 2;
            std::string value;
            for (; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\') {
                    if (++i >= line.size()) return Status::InvalidArgument("bad escape");
                    const char e = line[i];
                    if (e == 'n') value += '\n';
                    else if (e == '\\' || e == '"') value += e;
                    else return Status::InvalidArgument("bad escape");
                } else {
                    value += line[i];
                }
            }
            if (i >= line.size()) return Status::InvalidArgument("unterminated label value");
            ++i;
            if (!s.labels.emplace(label, value).second) {
                return Status::InvalidArgument("repeated label " + label);
            }
            if (i < line.size() && line[i] == ',') ++i;
        }
        if (i >= line.size()) return Status::InvalidArgument("unterminated labels");
        ++i;
    }
    if (i >= line.size() || line[i] != ' ') return Status::InvalidArgument("no value");
    std::string_view rest = line.substr(i + 1);
    const size_t sp = rest.find(' ');
    JEJAK_ASSIGN_OR_RETURN(s.value, ParseValue(rest.substr(0, sp)));
    if (sp != std::string_view::npos) {
        int64_t ts = 0;
        const std::string_view t = rest.substr(sp + 1);
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
        if (ec != std::errc() || p != t.data() + t.size()) {
            return Status::InvalidArgument("bad timestamp");
        }
    }
    return s;
}

std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string_view sv = suffix;
        if (name.size() > sv.size() && name.compare(name.size() - sv.size(), sv.size(), sv) == 0) {
            const std::string base = name.substr(0, name.size() - sv.size());
            auto it = types.find(base);
            if (it != types.end() && it->second == "histogram") return base;
        }
    }
    return name;
}

// Buckets cumulative, le ascending, +Inf present and equal to _count, for every series.
Status CheckHistograms(const ParsedMetrics& m) {
    for (const auto& [family, type] : m.types) {
        if (type != "histogram") continue;
        std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> series;
        for (const ParsedSample& s : m.samples) {
            if (s.name != family + "_bucket") continue;
            auto labels = s.labels;
            auto le = labels.find("le");
            if (le == labels.end()) return Status::InvalidArgument(family + ": bucket without le");
            JEJAK_ASSIGN_OR_RETURN(double bound, ParseValue(le->second));
            labels.erase(le);
            series[labels].push_back({bound, s.value});
        }
        for (const auto& [labels, buckets] : series) {
            for (size_t i = 1; i < buckets.size(); ++i) {
                if (buckets[i].first <= buckets[i - 1].first ||
                    buckets[i].second < buckets[i - 1].second) {
                    return Status::InvalidArgument(family + ": buckets not cumulative");
                }
            }
            if (buckets.empty() || !std::isinf(buckets.back().first)) {
                return Status::InvalidArgument(family + ": no +Inf bucket");
            }
            Result<double> count = m.Value(family + "_count", labels);
            if (!count.ok() || *count != buckets.back().second) {
                return Status::InvalidArgument(family + ": +Inf bucket differs from _count");
            }
            if (!m.Value(family + "_sum", labels).ok()) {
                return Status::InvalidArgument(family + ": no _sum");
            }
        }
    }
    return Status::Ok();
}

}  // namespace

void PrometheusWriter::Family(std::string_view name, std::string_view type,
                              std::string_view help) {
    assert(ValidName(name, false));
    text_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    text_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
}

void PrometheusWriter::Sample(std::string_view name, const MetricLabels& labels, double value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
            if (i > 0) text_ += ',';
            text_ += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
        }
        text_ += '}';
    }
    text_ += " " + FormatValue(value) + "\n";
}

Result<double> ParsedMetrics::Value(const std::string& name,
                                    const std::map<std::string, std::string>& labels) const {
    for (const ParsedSample& s : samples) {
        if (s.name == name && s.labels == labels) return s.value;
    }
    return Status::NotFound("no sample " + name);
}

Result<ParsedMetrics> ParsePrometheusText(std::string_view text) {
    ParsedMetrics m;
    std::set<std::string> seen_samples_of;
    size_t line_no = 0;
    if (!text.empty() && text.back() != '\n') {
        return Status::InvalidArgument("metrics: the text does not end with a newline");
    }
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        ++line_no;
        const auto bad = [&](const std::string& why) {
            return Status::InvalidArgument("metrics line " + std::to_string(line_no) + ": " + why);
        };
        if (line.empty()) continue;
        if (line[0] == '#') {
            if (line.rfind("# TYPE ", 0) == 0) {
                const std::string_view rest = line.substr(7);
                const size_t sp = rest.find(' ');
                if (sp == std::string_view::npos) return bad("TYPE without a type");
                const std::string name(rest.substr(0, sp)), type(rest.substr(sp + 1));
                if (!ValidName(name, false)) return bad("bad family name");
                static const std::set<std::string> kTypes = {"counter", "gauge", "histogram",
                                                             "summary", "untyped"};
                if (!kTypes.count(type)) return bad("unknown type " + type);
                if (m.types.count(name)) return bad("second TYPE for " + name);
                if (seen_samples_of.count(name)) return bad("TYPE after samples of " + name);
                m.types[name] = type;
            } else if (line.rfind("# HELP ", 0) == 0) {
                const std::string_view rest = line.substr(7);
                if (!ValidName(rest.substr(0, rest.find(' ')), false)) return bad("bad HELP name");
            }
            continue;
        }
        Result<ParsedSample> s = ParseSample(line);
        if (!s.ok()) return bad(s.status().message());
        const std::string family = FamilyOf(s->name, m.types);
        auto type = m.types.find(family);
        if (type != m.types.end() && type->second == "counter" && s->value < 0) {
            return bad("negative counter");
        }
        seen_samples_of.insert(family);
        m.samples.push_back(std::move(*s));
    }
    JEJAK_RETURN_IF_ERROR(CheckHistograms(m));
    return m;
}

}  // namespace jejak::authority
