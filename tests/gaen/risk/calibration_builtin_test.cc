// The receiver calibration table travels with the binary: the built-in copy is the file in
// tests/data byte for byte, and resolving the receiver correction without any file on disk
// (no configured table, run from an empty working directory) gives the fleet mean, +4 dB.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "gaen/risk/calibration.h"
#include "tests/support/test_data.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// Runs the resolution from an empty directory, so no relative or neighbouring file can help.
Result<ReceiverCalibration> ResolveFromEmptyDir(const nlohmann::json& section) {
    testing::ScratchDir dir("calibration-nowhere");
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    auto resolved = ResolveReceiverCalibration(section);
    std::filesystem::current_path(cwd);
    return resolved;
}

TEST_CASE("the built-in calibration table is the tests/data file, byte for byte") {
    const testing::Bytes file =
        testing::ReadFile(testing::RuntimeDataPath("calibration/en_calibration_2020-12-14_via_microg.csv"));
    const std::string_view builtin = BuiltinCalibrationCsv();
    REQUIRE(builtin.size() == file.size());
    CHECK(std::equal(builtin.begin(), builtin.end(), file.begin()));
    auto table = BuiltinCalibrationTable();
    REQUIRE(table.ok());
    CHECK(table->rows().size() == 551);
}

TEST_CASE("without any calibration file the receiver gets the fleet mean, +4 dB") {
    auto mean = ResolveFromEmptyDir(nlohmann::json::object());
    REQUIRE(mean.ok());
    CHECK(mean->rssi_correction_db == 4);  // PROTOCOL.md 6.1: mean 3.61, rounded
    CHECK(mean->source == "fleet-mean");
    auto pixel = ResolveFromEmptyDir({{"model", "Pixel 4"}});
    REQUIRE(pixel.ok());
    CHECK(pixel->rssi_correction_db == 8);
    CHECK(pixel->source == "table:Pixel 4");
}

TEST_CASE("a configured calibration file overrides the built-in table") {
    testing::ScratchDir dir("calibration-override");
    const std::string path = dir.File("mine.csv");
    const std::string csv = "# one receiver\nmanufacturer,device,model,rssi_correction,tx,conf\n"
                            "acme,box,Venue Box,-7,-20,2\n";
    testing::WriteFile(path, testing::Bytes(csv.begin(), csv.end()));
    auto mean = ResolveReceiverCalibration({{"table", path}});
    REQUIRE(mean.ok());
    CHECK(mean->rssi_correction_db == -7);
    auto box = ResolveReceiverCalibration({{"table", path}, {"model", "venue box"}});
    REQUIRE(box.ok());
    CHECK(box->rssi_correction_db == -7);
    CHECK(ResolveReceiverCalibration({{"table", path}, {"model", "Pixel 4"}})
              .status()
              .IsInvalidArgument());
    CHECK_FALSE(ResolveReceiverCalibration({{"table", dir.File("missing.csv")}}).ok());
}

}  // namespace
}  // namespace jejak
