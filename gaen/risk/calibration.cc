// Calibration table parsing, lookup and the receiver-correction resolution.
#include "gaen/risk/calibration.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace jejak {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

std::vector<std::string_view> SplitCsv(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (true) {
        const size_t comma = line.find(',', start);
        fields.push_back(line.substr(start, comma - start));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return fields;
}

bool ParseInt(std::string_view text, int& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

Result<CalibrationRow> ParseRow(std::string_view line, size_t line_no) {
    const auto f = SplitCsv(line);
    CalibrationRow row;
    if (f.size() != 6 || !ParseInt(f[3], row.rssi_correction) || !ParseInt(f[4], row.tx) ||
        !ParseInt(f[5], row.confidence) || row.confidence < 0 || row.confidence > 3) {
        return Status::Corruption("calibration table line " + std::to_string(line_no) +
                                  ": expected 6 fields with integer correction, tx, confidence");
    }
    row.manufacturer = f[0];
    row.device = f[1];
    row.model = f[2];
    return row;
}

}  // namespace

Result<CalibrationTable> CalibrationTable::Parse(std::string_view csv) {
    CalibrationTable table;
    bool header_seen = false;
    size_t line_no = 0;
    std::istringstream in{std::string(csv)};
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        if (!header_seen) {
            header_seen = true;
            continue;
        }
        JEJAK_ASSIGN_OR_RETURN(CalibrationRow row, ParseRow(line, line_no));
        table.rows_.push_back(std::move(row));
    }
    if (table.rows_.empty()) return Status::Corruption("calibration table has no rows");
    return table;
}

Result<CalibrationTable> CalibrationTable::Load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Status::FromErrno(errno, "cannot read calibration table " + path);
    std::stringstream text;
    text << in.rdbuf();
    auto table = Parse(text.str());
    if (!table.ok()) return table.status().WithContext(path);
    return table;
}

const CalibrationRow* CalibrationTable::Find(std::string_view model_or_device) const {
    for (const auto& row : rows_) {
        if (EqualsIgnoreCase(row.model, model_or_device)) return &row;
    }
    for (const auto& row : rows_) {
        if (EqualsIgnoreCase(row.device, model_or_device)) return &row;
    }
    return nullptr;
}

int CalibrationTable::FleetMeanRssiCorrection() const {
    double sum = 0;
    for (const auto& row : rows_) sum += row.rssi_correction;
    return static_cast<int>(std::lround(sum / static_cast<double>(rows_.size())));
}

Result<CalibrationTable> BuiltinCalibrationTable() {
    auto table = CalibrationTable::Parse(BuiltinCalibrationCsv());
    if (!table.ok()) return table.status().WithContext("built-in calibration table");
    return table;
}

Result<ReceiverCalibration> ResolveReceiverCalibration(const nlohmann::json& section) {
    if (!section.is_object()) return Status::InvalidArgument("calibration: not an object");
    if (auto it = section.find("rssi_correction_db"); it != section.end()) {
        if (!it->is_number_integer() || *it < -60 || *it > 60) {
            return Status::InvalidArgument("calibration.rssi_correction_db: integer -60..60");
        }
        return ReceiverCalibration{it->get<int>(), "config"};
    }
    const auto model = section.find("model");
    if (model != section.end() && !model->is_string()) {
        return Status::InvalidArgument("calibration.model: string");
    }
    const auto file = section.find("table");  // overrides the built-in table
    if (file != section.end() && !file->is_string()) {
        return Status::InvalidArgument("calibration.table: string path");
    }
    JEJAK_ASSIGN_OR_RETURN(CalibrationTable table,
                           file != section.end() ? CalibrationTable::Load(file->get<std::string>())
                                                 : BuiltinCalibrationTable());
    if (model == section.end()) return ReceiverCalibration{table.FleetMeanRssiCorrection(), "fleet-mean"};
    const CalibrationRow* row = table.Find(model->get<std::string>());
    if (row == nullptr) {
        return Status::InvalidArgument("calibration.model \"" + model->get<std::string>() +
                                       "\" not in the calibration table");
    }
    return ReceiverCalibration{row->rssi_correction, "table:" + row->model};
}

}  // namespace jejak
