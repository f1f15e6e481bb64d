// btsnoop: the synthetic 1002 and 2001 files read back as the 32 documented packets, the
// writer reproduces the 1002 file byte for byte, and damaged files are Corruption.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "codec_test_util.h"
#include "platform/codec/btsnoop.h"
#include "platform/codec/capture_replay.h"

namespace jejak {
namespace {

constexpr int64_t kSyntheticStartUs = 1589976000000000;  // 2020-05-20T12:00:00Z

std::vector<BtsnoopRecord> ReadAll(std::span<const uint8_t> file, Status* error = nullptr) {
    std::vector<BtsnoopRecord> out;
    auto reader = BtsnoopReader::Open(file);
    if (!reader.ok()) {
        if (error) *error = reader.status();
        return out;
    }
    BtsnoopRecord rec;
    while (true) {
        auto more = reader->Next(&rec);
        if (!more.ok()) {
            if (error) *error = more.status();
            return out;
        }
        if (!*more) break;
        out.push_back(rec);
    }
    if (error) *error = Status::Ok();
    return out;
}

std::vector<uint8_t> PacketOf(const testing::SyntheticFrame& f) {
    return {f.h4.begin() + 1, f.h4.end()};
}

void CheckMatchesFrames(const std::vector<BtsnoopRecord>& records, size_t first) {
    const auto frames = testing::SyntheticFrames();
    REQUIRE(frames.size() == 32);
    REQUIRE(records.size() == first + 32);
    for (size_t i = 0; i < 32; ++i) {
        const auto& r = records[first + i];
        CAPTURE(i);
        CHECK(static_cast<uint8_t>(r.type) == frames[i].h4[0]);
        CHECK((r.direction == HciDirection::kControllerToHost) == frames[i].from_controller);
        CHECK(std::vector<uint8_t>(r.packet.begin(), r.packet.end()) == PacketOf(frames[i]));
        CHECK(r.time_unix_us == kSyntheticStartUs + static_cast<int64_t>(first + i) * 1000);
    }
}

}  // namespace

TEST_CASE("the synthetic H4 btsnoop file reads as the 32 documented packets") {
    const auto file = testing::ReadTestFile("ble/synthetic/gaen_synthetic_h4.btsnoop");
    REQUIRE(file.size() == 1166);
    auto reader = BtsnoopReader::Open(file);
    REQUIRE(reader.ok());
    CHECK(reader->datalink() == kBtsnoopDatalinkH4);
    Status error;
    const auto records = ReadAll(file, &error);
    CHECK(error.ok());
    CheckMatchesFrames(records, 0);
    CHECK(records[0].index == 1);
    CHECK(records[0].flags == 2);  // command
    CHECK(records[1].flags == 3);  // event
}

TEST_CASE("the monitor (2001) variant maps opcodes to packet types") {
    const auto file = testing::ReadTestFile("ble/synthetic/gaen_synthetic_monitor.btsnoop");
    REQUIRE(file.size() == 1174);
    Status error;
    const auto records = ReadAll(file, &error);
    CHECK(error.ok());
    REQUIRE(records.size() == 33);
    CHECK(records[0].type == HciPacketType::kNone);
    CHECK(records[0].monitor_opcode == 0);  // NEW_INDEX
    CHECK(records[0].controller_index == 0);
    CHECK(records[1].monitor_opcode == 2);
    CHECK(records[2].monitor_opcode == 3);
    // NEW_INDEX shares the first packet's timestamp, so compare from record 1 on.
    const auto frames = testing::SyntheticFrames();
    for (size_t i = 0; i < 32; ++i) {
        CHECK(static_cast<uint8_t>(records[i + 1].type) == frames[i].h4[0]);
        CHECK(std::vector<uint8_t>(records[i + 1].packet.begin(), records[i + 1].packet.end()) ==
              PacketOf(frames[i]));
    }
}

TEST_CASE("the writer reproduces the synthetic H4 file byte for byte") {
    const auto file = testing::ReadTestFile("ble/synthetic/gaen_synthetic_h4.btsnoop");
    const auto frames = testing::SyntheticFrames();
    std::vector<uint8_t> out = BtsnoopFileHeader();
    for (size_t i = 0; i < frames.size(); ++i) {
        AppendBtsnoopH4Record(out, frames[i].h4,
                              frames[i].from_controller ? HciDirection::kControllerToHost
                                                        : HciDirection::kHostToController,
                              kSyntheticStartUs + static_cast<int64_t>(i) * 1000);
    }
    CHECK(out == file);

    // The same through the file writer.
    const std::string path = std::string(JEJAK_BINARY_DIR) + "/btsnoop_writer_test.btsnoop";
    std::remove(path.c_str());  // a run that died may have left it
    BtsnoopWriter writer;
    REQUIRE(writer.Open(path).ok());
    for (size_t i = 0; i < frames.size(); ++i) {
        REQUIRE(writer
                    .Write(frames[i].h4,
                           frames[i].from_controller ? HciDirection::kControllerToHost
                                                     : HciDirection::kHostToController,
                           kSyntheticStartUs + static_cast<int64_t>(i) * 1000)
                    .ok());
    }
    REQUIRE(writer.Close().ok());
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> written{std::istreambuf_iterator<char>(in),
                                       std::istreambuf_iterator<char>()};
    CHECK(written == file);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // Never an existing file, never through a symlink (regression: root followed symlinks).
    BtsnoopWriter again;
    const Status exists = again.Open(path);
    CHECK_FALSE(exists.ok());
    CHECK(exists.message().find("it exists") != std::string::npos);
    std::remove(path.c_str());
    const std::string link = path + ".link";
    std::remove(link.c_str());
    REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);  // dangling: O_CREAT would follow it
    CHECK_FALSE(again.Open(link).ok());
    CHECK_FALSE(std::filesystem::exists(path));
    std::remove(link.c_str());
    CHECK(writer.Write(frames[0].h4, HciDirection::kHostToController, 0).code() ==
          StatusCode::kFailedPrecondition);
    CHECK_FALSE(writer.Open("/nonexistent-dir/x.btsnoop").ok());
    CHECK_FALSE(writer.is_open());
}

TEST_CASE("damaged headers are Corruption") {
    const auto file = testing::ReadTestFile("ble/synthetic/gaen_synthetic_h4.btsnoop");
    CHECK(BtsnoopReader::Open({}).status().IsCorruption());
    auto bad_magic = file;
    bad_magic[0] = 'B';
    CHECK(BtsnoopReader::Open(bad_magic).status().IsCorruption());
    auto version = file;
    version[11] = 2;
    CHECK(BtsnoopReader::Open(version).status().IsCorruption());
    auto datalink = file;
    datalink[15] = 0xEB;  // 1003 BCSP
    const auto dl = BtsnoopReader::Open(datalink);
    REQUIRE_FALSE(dl.ok());
    CHECK(dl.status().message().find("1003") != std::string::npos);
    CHECK(BtsnoopReader::Open(std::span<const uint8_t>(file).first(15)).status().IsCorruption());
}

TEST_CASE("every truncation of a file ends cleanly or with Corruption") {
    const auto file = testing::ReadTestFile("ble/synthetic/gaen_synthetic_h4.btsnoop");
    size_t clean = 0;
    for (size_t n = 16; n <= file.size(); ++n) {
        Status error;
        const auto records = ReadAll(std::span<const uint8_t>(file).first(n), &error);
        if (error.ok()) {
            ++clean;
        } else {
            CHECK(error.IsCorruption());
        }
    }
    CHECK(clean == 33);  // the header alone and after each of the 32 records
}

TEST_CASE("absurd or inconsistent record lengths are Corruption") {
    std::vector<uint8_t> f = BtsnoopFileHeader();
    const std::vector<uint8_t> reset{0x01, 0x03, 0x0C, 0x00};
    AppendBtsnoopH4Record(f, reset, HciDirection::kHostToController, 0);
    auto absurd = f;
    absurd[16 + 4] = 0xFF;  // included length 0xFF000004
    absurd[16] = 0xFF;
    Status error;
    ReadAll(absurd, &error);
    CHECK(error.IsCorruption());
    auto more_than_original = f;
    more_than_original[16 + 3] = 3;  // original 3 < included 4
    ReadAll(more_than_original, &error);
    CHECK(error.IsCorruption());
    auto empty = BtsnoopFileHeader();
    AppendBtsnoopH4Record(empty, {}, HciDirection::kHostToController, 0);
    ReadAll(empty, &error);
    CHECK(error.IsCorruption());
    CHECK(error.message().find("record 1") != std::string::npos);
    // Past the end of a failed reader, Next keeps failing.
    auto reader = BtsnoopReader::Open(absurd);
    BtsnoopRecord rec;
    CHECK_FALSE(reader->Next(&rec).ok());
    CHECK_FALSE(reader->Next(&rec).ok());
}

TEST_CASE("flipping bytes of a real capture never crashes the reader or the replay") {
    const auto file = testing::ReadTestFile(
        "ble/real/dp3t-bt-measurements/exp28-calibration-pixel4-to-android-anechoic/24.btsnoop");
    REQUIRE(file.size() == 57691);
    std::mt19937 rng(42);
    size_t failures = 0;
    for (int round = 0; round < 300; ++round) {
        auto copy = file;
        for (int k = 0; k < 4; ++k)
            copy[rng() % copy.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        auto replay = ReplayGaenCapture(copy);
        if (!replay.ok()) {
            ++failures;
            CHECK(replay.status().IsCorruption());
        }
    }
    CHECK(failures < 300);
}

}  // namespace jejak

namespace jejak {

TEST_CASE("re-writing every record of the H4 captures reproduces them byte for byte") {
    for (const char* name :
         {"ble/synthetic/gaen_synthetic_h4.btsnoop",
          "ble/emulator/btvirt-5.66_ctrlA_advertiser.btsnoop",
          "ble/emulator/btvirt-5.66_ctrlB_scanner.btsnoop",
          "ble/real/dp3t-bt-measurements/exp28-calibration-pixel4-to-android-anechoic/24.btsnoop",
          "ble/real/dp3t-bt-measurements/exp25-calibration-iphone-to-android-anechoic/"
          "18.btsnoop"}) {
        CAPTURE(name);
        const auto file = testing::ReadTestFile(name);
        REQUIRE(!file.empty());
        auto reader = BtsnoopReader::Open(file);
        REQUIRE(reader.ok());
        std::vector<uint8_t> out = BtsnoopFileHeader(reader->datalink());
        BtsnoopRecord rec;
        while (*reader->Next(&rec)) {
            std::vector<uint8_t> h4{static_cast<uint8_t>(rec.type)};
            h4.insert(h4.end(), rec.packet.begin(), rec.packet.end());
            AppendBtsnoopH4Record(out, h4, rec.direction, rec.time_unix_us);
        }
        CHECK(out.size() == file.size());
        CHECK(out == file);
    }
}

}  // namespace jejak

namespace jejak {
namespace {

// A raw record with arbitrary flags (the writer only produces datalink 1002).
void AppendRawRecord(std::vector<uint8_t>& out, uint32_t flags, std::vector<uint8_t> data) {
    auto put = [&out](uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
    };
    put(static_cast<uint32_t>(data.size()));
    put(static_cast<uint32_t>(data.size()));
    put(flags);
    put(0);
    const uint64_t ts = static_cast<uint64_t>(kBtsnoopEpochOffsetUs) + 5;
    put(static_cast<uint32_t>(ts >> 32));
    put(static_cast<uint32_t>(ts));
    out.insert(out.end(), data.begin(), data.end());
}

}  // namespace

TEST_CASE("datalink 1001 takes the packet type from the flags") {
    std::vector<uint8_t> f = BtsnoopFileHeader(kBtsnoopDatalinkHci);
    AppendRawRecord(f, 2, {0x03, 0x0C, 0x00});                    // command
    AppendRawRecord(f, 3, {0x0E, 0x04, 0x01, 0x03, 0x0C, 0x00});  // event
    AppendRawRecord(f, 0, {0x01, 0x00, 0x00, 0x00});              // ACL host->controller
    AppendRawRecord(f, 1, {0x01, 0x00, 0x00, 0x00});              // ACL controller->host
    Status error;
    const auto r = ReadAll(f, &error);
    REQUIRE(error.ok());
    REQUIRE(r.size() == 4);
    CHECK(r[0].type == HciPacketType::kCommand);
    CHECK(r[1].type == HciPacketType::kEvent);
    CHECK(r[1].direction == HciDirection::kControllerToHost);
    CHECK(r[1].packet.size() == 6);
    CHECK(r[2].type == HciPacketType::kAcl);
    CHECK(r[2].direction == HciDirection::kHostToController);
    CHECK(r[3].direction == HciDirection::kControllerToHost);
    CHECK(r[0].time_unix_us == 5);
}

TEST_CASE("monitor opcodes map to packet types and directions; others are kNone") {
    std::vector<uint8_t> f = BtsnoopFileHeader(kBtsnoopDatalinkMonitor);
    const uint32_t index1 = 1u << 16;
    for (uint32_t op : {4u, 5u, 6u, 7u, 18u, 19u, 12u, 1u}) AppendRawRecord(f, index1 | op, {0xAB});
    Status error;
    const auto r = ReadAll(f, &error);
    REQUIRE(error.ok());
    REQUIRE(r.size() == 8);
    const HciPacketType want[] = {HciPacketType::kAcl,  HciPacketType::kAcl, HciPacketType::kSco,
                                  HciPacketType::kSco,  HciPacketType::kIso, HciPacketType::kIso,
                                  HciPacketType::kNone, HciPacketType::kNone};
    for (size_t i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(r[i].type == want[i]);
        CHECK(r[i].controller_index == 1);
        CHECK((r[i].direction == HciDirection::kHostToController) == (i % 2 == 0));
        CHECK(r[i].packet.size() == 1);  // no H4 indicator to strip
    }
    CHECK(r[6].type == want[6]);
    CHECK(r[7].type == want[7]);
    CHECK(r[6].monitor_opcode == 12);
}

TEST_CASE("an unknown H4 indicator in a 1002 record is kept as a kNone record") {
    std::vector<uint8_t> f = BtsnoopFileHeader();
    AppendRawRecord(f, 3, {0x09, 0x01, 0x02});
    Status error;
    const auto r = ReadAll(f, &error);
    REQUIRE(error.ok());
    REQUIRE(r.size() == 1);
    CHECK(r[0].type == HciPacketType::kNone);
    CHECK(r[0].packet.size() == 3);
    auto replay = ReplayGaenCapture(f);
    REQUIRE(replay.ok());
    CHECK(replay->adverts.empty());
}

}  // namespace jejak

namespace jejak {

TEST_CASE("replay skips and counts a malformed report event but keeps the rest") {
    auto frames = testing::SyntheticFrames();
    REQUIRE(frames.size() == 32);
    frames[16].h4[4] = 2;  // legacy report event claims two reports, carries one
    std::vector<uint8_t> f = BtsnoopFileHeader();
    for (const auto& frame : frames) {
        AppendBtsnoopH4Record(f, frame.h4,
                              frame.from_controller ? HciDirection::kControllerToHost
                                                    : HciDirection::kHostToController,
                              0);
    }
    auto replay = ReplayGaenCapture(f);
    REQUIRE(replay.ok());
    CHECK(replay->records == 32);
    CHECK(replay->malformed_events == 1);
    REQUIRE(replay->adverts.size() == 1);
    CHECK(replay->adverts[0].extended);
    CHECK(replay->adverts[0].record == 18);
    CHECK(replay->advertising_reports == 1);
}

}  // namespace jejak
