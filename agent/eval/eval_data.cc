// CSV readers for the three recording layouts.
#include "agent/eval/eval_data.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace jejak::eval {
namespace {

constexpr double kMaxUnixSeconds = 1e10;            // year 2286
constexpr double kMaxSpanSeconds = 31 * 86400.0;    // longer recordings are refused

std::vector<std::string> SplitCsv(std::string line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

bool ParseInt(const std::string& s, int& out) {
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end;
}

bool ParseDouble(const std::string& s, double& out) {
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end && std::isfinite(out);
}

// "YYYY-MM-DD HH:MM:SS" read as UTC (the files carry no zone; only differences matter).
bool ParseHeraldTime(const std::string& s, double& out) {
    std::tm tm{};
    if (s.size() != 19 ||
        std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        return false;
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0) {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    out = static_cast<double>(timegm(&tm));
    return out > 0;
}

// Column positions of the multi-channel layouts, by header name.
struct McColumns {
    int distance = -1;
    int rssi = -1;
};

McColumns MultiChannelColumns(const std::vector<std::string>& header) {
    McColumns c;
    for (size_t i = 0; i < header.size(); ++i) {
        if (header[i] == "distance") c.distance = static_cast<int>(i);
        if (header[i] == "rssiBLE" || header[i] == "rssi") c.rssi = static_cast<int>(i);
    }
    return c;
}

bool IsMultiChannelHeader(const std::vector<std::string>& h) {
    const McColumns c = MultiChannelColumns(h);
    return c.distance >= 0 && c.rssi >= 0 && std::find(h.begin(), h.end(), "y") != h.end();
}

// Calibration group of a multi-channel file: its environment (the folder above
// measurement_section/ or scenarios/) and its sender (the file name).
std::string MultiChannelGroup(const std::filesystem::path& rel) {
    std::filesystem::path dir = rel.parent_path();
    if (dir.filename() == "measurement_section" || dir.filename() == "scenarios") {
        dir = dir.parent_path();
    }
    return (dir / rel.stem()).string();
}

void ReadHerald(std::istream& in, Stream& s) {
    std::string line;
    while (std::getline(in, line)) {
        const auto f = SplitCsv(line);
        Reading r;
        double rssi = 0;
        if (f.size() == 3 && ParseHeraldTime(f[0], r.t) && ParseDouble(f[1], rssi) &&
            ParseInt(f[2], r.distance_cm) && rssi >= -127 && rssi <= 0) {
            r.rssi = static_cast<int>(std::lround(rssi));
            s.readings.push_back(r);
        } else if (!line.empty()) {
            ++s.dropped_rows;
        }
    }
}

void ReadPi(std::istream& in, Stream& s, int distance_cm, std::string& mac) {
    std::string line;
    while (std::getline(in, line)) {
        const auto f = SplitCsv(line);
        Reading r;
        r.distance_cm = distance_cm;
        if (f.size() >= 3 && ParseDouble(f[0], r.t) && r.t >= 0 && r.t < kMaxUnixSeconds &&
            ParseInt(f[2], r.rssi) && r.rssi >= -127 && r.rssi <= -1) {
            if (mac.empty()) mac = f[1];
            s.readings.push_back(r);
        } else if (!line.empty()) {
            ++s.dropped_rows;
        }
    }
    std::stable_sort(s.readings.begin(), s.readings.end(),
                     [](const Reading& a, const Reading& b) { return a.t < b.t; });
}

void ReadMultiChannel(std::istream& in, Stream& s, McColumns cols) {
    std::string line;
    while (std::getline(in, line)) {
        const auto f = SplitCsv(line);
        if (IsMultiChannelHeader(f)) {  // a second header inside the file: columns move
            cols = MultiChannelColumns(f);
            continue;
        }
        Reading r;
        const auto need = static_cast<size_t>(std::max(cols.distance, cols.rssi));
        if (f.size() > need && ParseInt(f[static_cast<size_t>(cols.distance)], r.distance_cm) &&
            ParseInt(f[static_cast<size_t>(cols.rssi)], r.rssi) && r.rssi >= -127 && r.rssi <= -1) {
            s.readings.push_back(r);
        } else if (!line.empty()) {
            ++s.dropped_rows;
        }
    }
}

}  // namespace

std::string_view FormatName(StreamFormat format) {
    switch (format) {
        case StreamFormat::kHerald: return "herald";
        case StreamFormat::kPi: return "pi";
        case StreamFormat::kMultiChannel: return "multi-channel";
    }
    return "?";
}

Result<Stream> LoadStream(const std::string& path, const std::string& relative_name) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::FromErrno(errno, "cannot read " + path);
    std::string line;
    std::getline(in, line);
    const auto header = SplitCsv(line);
    Stream s;
    s.file = relative_name;
    const std::filesystem::path rel(relative_name);
    if (header == std::vector<std::string>{"time", "rssi", "distance"}) {
        s.format = StreamFormat::kHerald;
        s.group = relative_name;
        ReadHerald(in, s);
    } else if (header.size() >= 3 && header[0] == "Timestamp" && header[1] == "MAC" &&
               header[2] == "RSSI") {
        static const std::regex kDistance("([0-9]+)cm");
        std::smatch m;
        const std::string name = rel.filename().string();
        int distance_cm = 0;
        if (!std::regex_search(name, m, kDistance) || !ParseInt(m[1].str(), distance_cm)) {
            return Status::InvalidArgument(relative_name + ": Pi-format file without <N>cm in its name");
        }
        s.format = StreamFormat::kPi;
        s.advertised_tx_dbm = 12;  // TX power byte 0x0C of every advert in these captures
        std::string mac;
        ReadPi(in, s, distance_cm, mac);
        s.group = (rel.parent_path() / ("from " + mac)).string();
    } else if (IsMultiChannelHeader(header)) {
        s.format = StreamFormat::kMultiChannel;
        s.timed = false;
        s.group = MultiChannelGroup(rel);
        ReadMultiChannel(in, s, MultiChannelColumns(header));
    } else {
        return Status::NotFound(relative_name + ": not a known recording layout");
    }
    if (s.readings.empty()) return Status::InvalidArgument(relative_name + ": no usable reading");
    if (s.timed) {
        const auto [lo, hi] = std::minmax_element(
            s.readings.begin(), s.readings.end(),
            [](const Reading& a, const Reading& b) { return a.t < b.t; });
        if (hi->t - lo->t > kMaxSpanSeconds) {
            return Status::InvalidArgument(relative_name + ": spans more than 31 days");
        }
    }
    return s;
}

Result<Dataset> LoadDataset(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Status::NotFound("dataset folder " + dir + " not found");
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".csv") files.push_back(it->path());
    }
    if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
    std::sort(files.begin(), files.end());
    Dataset d;
    d.dir = dir;
    fs::path norm = fs::path(dir).lexically_normal();
    if (norm.filename().empty()) norm = norm.parent_path();  // "dir/" names like "dir"
    const fs::path name = norm.filename();
    for (const fs::path& p : files) {
        const std::string rel = (name / fs::relative(p, dir, ec)).string();
        auto stream = LoadStream(p.string(), rel);
        if (stream.ok()) {
            d.streams.push_back(std::move(stream).value());
        } else if (stream.status().IsNotFound()) {
            d.skipped.push_back(rel);
        } else {
            return stream.status();
        }
    }
    if (d.streams.empty()) return Status::NotFound("no Herald-, Pi- or multi-channel-format CSV under " + dir);
    return d;
}

std::vector<std::string> DefaultDatasetDirs() {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<fs::path> roots;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) roots.push_back(exe.parent_path() / ".." / "share" / "jejak" / "datasets");
    roots.emplace_back(JEJAK_SOURCE_DATASETS_DIR);
    for (const fs::path& root : roots) {
        if (!fs::is_directory(root, ec)) continue;
        std::vector<std::string> dirs;
        for (const auto& entry : fs::directory_iterator(root, ec)) {
            if (entry.is_directory(ec)) dirs.push_back(entry.path().lexically_normal().string());
        }
        std::sort(dirs.begin(), dirs.end());
        if (!dirs.empty()) return dirs;
    }
    return {};
}

}  // namespace jejak::eval
