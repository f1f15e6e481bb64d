// The harness on the copied public datasets (data/datasets) reproduces the README's
// self-check anchors exactly, cleans and slices the files as documented, and `jejak eval`
// keeps its JSON contract and exit codes.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "agent/eval/eval_report.h"
#include "tests/support/test_data.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak::eval {
namespace {

std::vector<Dataset> CopiedDatasets() {
    std::vector<Dataset> out;
    for (const char* dir :
         {"herald-analysis", "Exposure-Notification-on-RPi", "multi-channel-paper-data"}) {
        auto d = LoadDataset(testing::RuntimeDataPath(std::string("datasets/") + dir));
        REQUIRE(d.ok());
        out.push_back(std::move(d).value());
    }
    return out;
}

const EvalResult& SmallRun() {
    static const EvalResult result = [] {
        EvalOptions options;
        options.schedules = 3;
        return RunEval(CopiedDatasets(), options);
    }();
    return result;
}

const StreamSummary& StreamNamed(const std::string& suffix) {
    for (const StreamSummary& s : SmallRun().streams) {
        if (s.file.size() >= suffix.size() &&
            s.file.compare(s.file.size() - suffix.size(), suffix.size(), suffix) == 0) {
            return s;
        }
    }
    FAIL("no stream " << suffix);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("self-check anchors: Herald continuity 1145/1145 per file, the Pi table to 0.01%") {
    for (const char* f : {"20210111-1015-A.csv", "20210107-2245-A.csv"}) {
        const StreamSummary& s = StreamNamed(f);
        CHECK(s.continuity_c.hit == 1145);
        CHECK(s.continuity_c.total == 1145);
        CHECK(s.episodes == 31);
        CHECK(s.dropped == 0);
    }
    CHECK(StreamNamed("20210111-1015-A.csv").readings == 13713);
    CHECK(StreamNamed("20210107-2245-A.csv").readings == 13908);
    const StreamSummary& a100 = StreamNamed("ContactTracingData_100cm_Device_A.csv");
    CHECK(a100.continuity_c.hit == 759);
    CHECK(a100.continuity_c.total == 987);
    CHECK(a100.readings == 1969 - 22);  // rows minus bad RSSI; mangled rows kept
    // data/datasets/README.md section 2: continuity (%), episodes, bad-RSSI rows.
    struct PiRow {
        const char* file;
        double continuity;
        uint64_t episodes, dropped;
    };
    const PiRow table[] = {
        {"50cm_Device_A.csv", 83.01, 2, 5},    {"50cm_Device_B.csv", 83.66, 2, 2},
        {"100cm_Device_A.csv", 76.90, 16, 22}, {"100cm_Device_B.csv", 74.97, 16, 7},
        {"150cm_Device_A.csv", 77.75, 6, 9},   {"150cm_Device_B.csv", 82.30, 6, 6},
        {"200cm_Device_A.csv", 68.82, 6, 4},   {"200cm_Device_B.csv", 71.24, 6, 3},
        {"250cm_Device_A.csv", 67.94, 8, 5},   {"250cm_Device_B.csv", 67.33, 8, 1},
        {"300cm_Device_A.csv", 70.77, 19, 9},  {"300cm_Device_B.csv", 73.53, 19, 11},
        {"350cm_Device_A.csv", 77.51, 7, 7},   {"350cm_Device_B.csv", 77.06, 7, 7},
        {"400cm_Device_A.csv", 87.67, 4, 5},   {"400cm_Device_B.csv", 87.37, 4, 6},
    };
    for (const PiRow& row : table) {
        CAPTURE(row.file);
        const StreamSummary& s = StreamNamed(std::string("ContactTracingData_") + row.file);
        const double pct = 100.0 * static_cast<double>(s.continuity_c.hit) /
                           static_cast<double>(s.continuity_c.total);
        CHECK(std::round(pct * 100) / 100 == doctest::Approx(row.continuity));
        CHECK(s.episodes == row.episodes);
        CHECK(s.dropped == row.dropped);
    }
    // The multi-channel file with a second header keeps both parts: 682 + 1,021 rows.
    CHECK(StreamNamed("office/scenarios/OnePlus.csv").readings == 1703);
    CHECK(StreamNamed("bus/measurement_section/OnePlus.csv").readings == 202);
}

TEST_CASE("rows: every (file, mode, rule) once, episodes and ground truth as documented") {
    const EvalResult& r = SmallRun();
    std::map<std::tuple<std::string, char, std::string>, int> seen;
    for (const EvalRow& row : r.rows) ++seen[{row.file, row.mode, row.rule}];
    for (const auto& [key, n] : seen) CHECK(n == 1);
    const size_t rules = PresetRules().size() + 1;  // + sweep
    CHECK(rules == 8);
    // 18 timed streams x 3 modes + 15 multi-channel files x mode R.
    CHECK(r.rows.size() == (18 * 3 + 15) * rules);
    for (const EvalRow& row : r.rows) {
        CAPTURE(row.file);
        CAPTURE(row.rule);
        CHECK(row.counts.total() == row.episodes);
        if (row.source == "herald-analysis" && row.mode != 'R') {
            // 21 contact segments (0-200 cm) and 10 others per file, per schedule.
            CHECK(row.counts.tp + row.counts.fn == 21 * row.schedules);
            CHECK(row.counts.fp + row.counts.tn == 10 * row.schedules);
        }
    }
}

TEST_CASE("mode C: a continuous scanner calibrated on the Pi data notifies the close episodes") {
    // Pi Device A hears B; calibration: median RSSI at 150 cm -52 dBm -> correction 9 dB,
    // attenuation = 12 - (rssi + 9) = 3 - rssi: -50 dBm at 50 cm is 53 dB (CWA near < 55).
    auto d = LoadDataset(testing::RuntimeDataPath("datasets/Exposure-Notification-on-RPi"));
    REQUIRE(d.ok());
    std::vector<const Stream*> streams;
    for (const Stream& s : d->streams) streams.push_back(&s);
    const auto calibrations = CalibrateGroups(streams);
    const Stream* near = nullptr;
    const Stream* far = nullptr;
    for (const Stream& s : d->streams) {
        if (s.file.find("100cm_Device_A") != std::string::npos) near = &s;
        if (s.file.find("400cm_Device_A") != std::string::npos) far = &s;
    }
    REQUIRE(near != nullptr);
    REQUIRE(far != nullptr);
    const Calibration c = calibrations.at(near->group);
    CHECK(c.rssi_correction_db == 9);
    auto cwa = RiskPreset("cwa-fraunhofer-2020-06");
    REQUIRE(cwa.ok());
    const auto close = ContinuousDecisions(*near, c, *cwa);
    const auto distant = ContinuousDecisions(*far, c, *cwa);
    REQUIRE(close.size() == 16);
    REQUIRE(distant.size() == 4);
    auto notified = [](const std::vector<Decision>& decisions) {
        return std::count_if(decisions.begin(), decisions.end(),
                             [](const Decision& x) { return x.notify; });
    };
    CHECK(notified(close) >= 14);
    CHECK(notified(distant) == 0);
}

TEST_CASE("jejak eval --json keeps the contract fields; bad folders are usage errors") {
    testing::ScratchDir dir("eval-cli");
    // A tiny Herald-format recording: 20 minutes each at 50 cm (-45 dBm), 150 cm (-60) and
    // 300 cm (-80), a reading every 2 s. In-sample calibration (the sweep's, reported as
    // "rssi_correction_db"): median at 150 cm -60 -> correction 0 - 55 + 60 = 5. The fixed
    // rules' held-out corrections, each from the line through the other two distances'
    // medians at 150 cm: 50 cm from 150 and 300 cm, -60 at 150 -> 5, attenuation 40 dB;
    // 150 cm from 50 and 300 cm, -45 - 35 log10(3) / log10(6) = -66.46 -> 11.46 -> 11,
    // attenuation 0 - (-60 + 11) = 49 dB; 300 cm from 50 and 150 cm, -60 -> 5, 75 dB.
    // CWA as tested in mode C: 40 and 49 dB are near (20 min x1 = 1,200 >= 900: TP twice),
    // 75 dB other (TN).
    {
        std::ofstream f(dir.File("tiny.csv"));
        f << "time,rssi,distance\n";
        for (int s = 0; s < 3600; s += 2) {
            const int seg = s / 1200;
            f << "2021-01-11 10:" << (s / 60 < 10 ? "0" : "") << s / 60 << ":"
              << (s % 60 < 10 ? "0" : "") << s % 60 << ","
              << (seg == 0   ? "-45.0"
                  : seg == 1 ? "-60.0"
                             : "-80.0")
              << ","
              << (seg == 0   ? 50
                  : seg == 1 ? 150
                             : 300)
              << "\n";
        }
    }
    const auto run =
        testing::RunJejak({"eval", "--dataset", dir.path().string(), "--json", "--schedules", "5"});
    REQUIRE(run.code == 0);
    const nlohmann::json rows = nlohmann::json::parse(run.out);
    REQUIRE(rows.is_array());
    CHECK(rows.size() == 3 * 8);
    for (const auto& row : rows) {
        for (const char* field : {"file", "mode", "rule", "episodes", "tp", "fp", "tn", "fn",
                                  "continuity_windows_hit", "continuity_windows_total"}) {
            CAPTURE(field);
            CHECK(row.contains(field));
        }
        CHECK((row["mode"] == "P" || row["mode"] == "C" || row["mode"] == "R"));
        CHECK(row["calibration"]["rssi_correction_db"] == 5);
        // The rule `jejak match` uses when the config names none, and only it.
        CHECK(row["default"] == (row["rule"] == std::string(DefaultRiskPresetName())));
        if (row["rule"] != "sweep") {
            CHECK(row["calibration"]["held_out_rssi_correction_db"] ==
                  nlohmann::json{{"50", 5}, {"150", 11}, {"300", 5}});
        }
        if (row["mode"] == "C" && row["rule"] == "cwa-fraunhofer-2020-06") {
            CHECK(row["file"] == dir.path().filename().string() + "/tiny.csv");
            CHECK(row["episodes"] == 3);
            CHECK(row["tp"] == 2);
            CHECK(row["fn"] == 0);
            CHECK(row["tn"] == 1);
            CHECK(row["fp"] == 0);
            // Three segments of 1,198 s: ceil(1198 / 30) = 40 windows each, all heard.
            CHECK(row["continuity_windows_hit"] == 120);
            CHECK(row["continuity_windows_total"] == 120);
        }
        if (row["mode"] == "P") CHECK(row["episodes"] == 3 * 5);
    }
    // --grid adds 11 borders x 4 times; the grid point at the default's values scores as it.
    const auto grid = testing::RunJejak(
        {"eval", "--dataset", dir.path().string(), "--json", "--schedules", "5", "--grid"});
    REQUIRE(grid.code == 0);
    const nlohmann::json grid_rows = nlohmann::json::parse(grid.out);
    CHECK(grid_rows.size() == 3 * (8 + 44));
    std::map<std::string, nlohmann::json> by_rule;
    for (const auto& row : grid_rows) {
        if (row["mode"] == "P") by_rule[row["rule"].get<std::string>()] = row;
    }
    REQUIRE(by_rule.count("grid:<=55@12min") == 1);
    CHECK(by_rule["grid:<=55@12min"]["default"] == false);
    for (const char* field : {"tp", "fp", "tn", "fn"}) {
        CHECK(by_rule["grid:<=55@12min"][field] ==
              by_rule[std::string(DefaultRiskPresetName())][field]);
    }
    const auto missing = testing::RunJejak({"eval", "--dataset", dir.File("nope")});
    CHECK(missing.code == 2);
    CHECK(missing.err.rfind("jejak: ", 0) == 0);
    CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
}

}  // namespace jejak::eval
