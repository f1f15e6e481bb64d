// Recording files are untrusted input: malformed rows are counted and skipped, impossible
// files are refused with a message, unknown layouts are skipped, nothing throws.
#include <doctest/doctest.h>

#include <fstream>

#include "agent/eval/eval_data.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak::eval {

TEST_CASE("recording readers skip malformed rows and refuse impossible files") {
    testing::ScratchDir dir("eval-data");
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir.File(name), std::ios::binary) << text;
    };
    write("h.csv",
          "time,rssi,distance\n2021-01-11 10:15:50,-48.0,10\ngarbage\n2021-01-11 10:15:52,x,10\n"
          "2021-13-99 99:99:99,-50.0,10\n2021-01-11 10:15:53,-50.0,\n2021-01-11 10:15:54,-52.5,20\n");
    write("ContactTracingData_50cm_Device_A.csv",
          "Timestamp,MAC,RSSI,UUID\r\n1588139637.5,b8:27:eb:74:3e:15,-45,fd6f\r\n"
          "1588139647.6,b8:27:eb:74:3e:15,-4294967292,fd6f\r\n1e308,m,-40,fd6f\r\nnan,m,-40,x\r\n"
          "1588139650.0,b8:27:eb:74:3e:15,-46,fdb1\r\n");
    write("notes.csv", "a,b\n1,2\n");
    auto d = LoadDataset(dir.path().string());
    REQUIRE(d.ok());
    REQUIRE(d->streams.size() == 2);
    CHECK(d->skipped.size() == 1);
    const Stream& pi = d->streams[0];
    CHECK(pi.format == StreamFormat::kPi);
    CHECK(pi.readings.size() == 2);  // the mangled-UUID row is kept
    CHECK(pi.dropped_rows == 3);
    CHECK(pi.readings[0].distance_cm == 50);
    CHECK(pi.advertised_tx_dbm == 12);
    const Stream& herald = d->streams[1];
    CHECK(herald.format == StreamFormat::kHerald);
    REQUIRE(herald.readings.size() == 2);
    CHECK(herald.readings[1].rssi == -53);  // -52.5 rounds away from zero
    CHECK(herald.dropped_rows == 4);

    std::filesystem::create_directories(dir.File("y"));
    write("y/ContactTracingData_99999999999cm_Device_A.csv",
          "Timestamp,MAC,RSSI\n1588139637.5,m,-45\n");
    CHECK(LoadDataset(dir.File("y")).status().IsInvalidArgument());
    std::filesystem::create_directories(dir.File("z"));
    write("z/long.csv", "time,rssi,distance\n2021-01-01 00:00:00,-50.0,10\n2021-03-01 00:00:00,-50.0,10\n");
    CHECK(LoadDataset(dir.File("z")).status().IsInvalidArgument());
    std::filesystem::create_directories(dir.File("empty"));
    CHECK(LoadDataset(dir.File("empty")).status().IsNotFound());
    CHECK(LoadDataset(dir.File("missing")).status().IsNotFound());
}

}  // namespace jejak::eval
