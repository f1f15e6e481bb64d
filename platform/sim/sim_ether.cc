// Simulated ether: state files in a shared directory, the channel model and the generator.
#include "platform/sim/sim_ether.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/base/hex.h"

namespace jejak {

namespace fs = std::filesystem;

double SimPathLossDb(double distance_m, double exponent) {
    const double d = std::max(distance_m, 0.1);
    return 40.05 + 10.0 * exponent * std::log10(d);
}

int64_t SimAdvertisingEventTime(const SimAdvertiserState& s, int64_t k) {
    uint64_t h = static_cast<uint64_t>(k) * 0x9E3779B97F4A7C15ull;
    for (uint8_t b : s.address.bytes) h = (h ^ b) * 0x100000001B3ull;
    SimRandom r(h);
    return s.since_unix_micros + k * s.interval_micros + static_cast<int64_t>(r.Next() % 10000);
}

uint64_t SimRandom::Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double SimRandom::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double SimRandom::Gaussian() {
    const double u1 = 1.0 - Uniform();  // (0, 1]: log is finite
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::string FormatSimAdvertiser(const SimAdvertiserState& s) {
    std::ostringstream out;
    out.precision(17);
    out << "jejak-sim-advertiser 1\n"
        << "pid " << s.pid << "\n"
        << "address " << HexEncode(s.address.bytes) << "\n"
        << "payload " << (s.payload.empty() ? "-" : HexEncode(s.payload)) << "\n"
        << "since " << s.since_unix_micros << "\n"
        << "interval " << s.interval_micros << "\n"
        << "position " << s.x_m << " " << s.y_m << " " << s.z_m << "\n"
        << "tx " << s.tx_power_dbm << "\n";
    if (!s.path.empty()) {
        out << "path " << s.path.waypoints().size() << "\n";
        for (const SimWaypoint& w : s.path.waypoints()) {
            out << w.unix_micros << " " << w.x_m << " " << w.y_m << "\n";
        }
    }
    return out.str();
}

SimPoint SimAdvertiserPosition(const SimAdvertiserState& s, int64_t unix_micros) {
    if (s.path.empty()) return {s.x_m, s.y_m};
    return s.path.At(unix_micros);
}

namespace {

// The optional trailing "path N" section: N lines "MICROS X Y".
Status ParsePathSection(std::istream& in, SimAdvertiserState& s, const Status& bad) {
    std::string key;
    if (!(in >> key)) return Status::Ok();  // a standing radio's file ends after "tx"
    size_t n = 0;
    if (key != "path" || !(in >> n) || n == 0 || n > kMaxSimWaypoints) return bad;
    std::vector<SimWaypoint> points(n);
    for (SimWaypoint& w : points) {
        if (!(in >> w.unix_micros >> w.x_m >> w.y_m)) return bad;
    }
    Result<SimPath> path = SimPath::FromWaypoints(std::move(points));
    if (!path.ok()) return bad;
    s.path = std::move(path).value();
    std::string rest;
    return in >> rest ? bad : Status::Ok();
}

}  // namespace

Result<SimAdvertiserState> ParseSimAdvertiser(const std::string& id, const std::string& text) {
    std::istringstream in(text);
    SimAdvertiserState s;
    s.id = id;
    std::string magic, k1, addr, k2, payload, k3, k4, k5, k6, k7;
    int version = 0;
    in >> magic >> version >> k1 >> s.pid >> k2 >> addr >> k3 >> payload >> k4 >>
        s.since_unix_micros >> k5 >> s.interval_micros >> k6 >> s.x_m >> s.y_m >> s.z_m >> k7 >>
        s.tx_power_dbm;
    const Status bad = Status::Corruption("sim ether file '" + id + "' is malformed");
    if (!in || magic != "jejak-sim-advertiser" || version != 1 || k1 != "pid" ||
        k2 != "address" || k3 != "payload" || k4 != "since" || k5 != "interval" ||
        k6 != "position" || k7 != "tx" || s.interval_micros <= 0 ||
        !std::isfinite(s.x_m + s.y_m + s.z_m) || s.tx_power_dbm < -127 || s.tx_power_dbm > 20) {
        return bad;
    }
    if (!HexDecodeExact(addr, s.address.bytes, "address").ok()) return bad;
    JEJAK_RETURN_IF_ERROR(ParsePathSection(in, s, bad));
    if (payload != "-") {
        auto bytes = HexDecode(payload);
        if (!bytes.ok() || bytes->size() > kMaxLegacyAdvertLength) return bad;
        s.payload = std::move(bytes).value();
    }
    return s;
}

Result<SimEther> SimEther::Open(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec)) {
        return Status::IOError("sim ether '" + dir + "' is not a usable directory");
    }
    return SimEther(dir);
}

Status SimEther::Publish(const SimAdvertiserState& state) const {
    const std::string final_path = dir_ + "/" + state.id + ".adv";
    const std::string tmp_path = dir_ + "/." + state.id + ".tmp";
    {
        std::ofstream out(tmp_path, std::ios::trunc);
        out << FormatSimAdvertiser(state);
        out.flush();
        if (!out) return Status::IOError("sim ether: cannot write " + tmp_path);
    }
    // rename(2) is atomic: readers see the old state or the new one, never a mix.
    if (std::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
        return Status::FromErrno(errno, "sim ether: rename to " + final_path);
    }
    return Status::Ok();
}

Status SimEther::Withdraw(const std::string& id) const {
    const std::string path = dir_ + "/" + id + ".adv";
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
        return Status::FromErrno(errno, "sim ether: unlink " + path);
    }
    return Status::Ok();
}

Result<std::vector<SimAdvertiserState>> SimEther::Snapshot() const {
    std::vector<SimAdvertiserState> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        const fs::path& p = entry.path();
        if (p.extension() != ".adv") continue;
        std::ifstream in(p);
        std::stringstream text;
        text << in.rdbuf();
        Result<SimAdvertiserState> s = ParseSimAdvertiser(p.stem().string(), text.str());
        if (!s.ok()) {
            ++*skipped_;
            continue;
        }
        // A process that died without withdrawing no longer transmits.
        if (kill(s->pid, 0) != 0 && errno == ESRCH) continue;
        out.push_back(std::move(s).value());
    }
    if (ec) return Status::IOError("sim ether: cannot list " + dir_ + ": " + ec.message());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

}  // namespace jejak
