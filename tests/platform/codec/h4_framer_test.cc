// H4 framer: any chunking of a real stream yields the same packets; garbage and oversized
// headers are reported and skipped without losing the packets that follow.
#include <doctest/doctest.h>

#include <random>

#include "codec_test_util.h"
#include "platform/codec/h4.h"

namespace jejak {
namespace {

using Packets = std::vector<std::vector<uint8_t>>;

struct Collector {
    Packets packets;
    std::vector<Status> errors;
    H4Framer framer{
        [this](std::span<const uint8_t> p) { packets.emplace_back(p.begin(), p.end()); },
        [this](const Status& s) { errors.push_back(s); }};
};

Packets ExpectedFrames() {
    Packets out;
    for (const auto& f : testing::SyntheticFrames()) out.push_back(f.h4);
    return out;
}

}  // namespace

TEST_CASE("the synthetic UART stream frames into its 32 packets whole or byte by byte") {
    const auto stream = testing::ReadTestFile("ble/synthetic/gaen_synthetic.h4");
    REQUIRE(stream.size() == 382);
    const Packets expected = ExpectedFrames();
    REQUIRE(expected.size() == 32);

    Collector whole;
    whole.framer.Feed(stream);
    CHECK(whole.packets == expected);
    CHECK(whole.errors.empty());
    CHECK(whole.framer.Idle());

    Collector bytewise;
    for (uint8_t b : stream) bytewise.framer.Feed(std::span<const uint8_t>(&b, 1));
    CHECK(bytewise.packets == expected);
    CHECK(bytewise.framer.packets() == 32);
}

TEST_CASE("random chunk boundaries never change the packets") {
    const auto stream = testing::ReadTestFile("ble/synthetic/gaen_synthetic.h4");
    const Packets expected = ExpectedFrames();
    std::mt19937 rng(1234);
    for (int round = 0; round < 200; ++round) {
        Collector c;
        size_t pos = 0;
        while (pos < stream.size()) {
            const size_t n = std::min<size_t>(rng() % 40, stream.size() - pos);
            c.framer.Feed(std::span<const uint8_t>(stream).subspan(pos, n));
            pos += n;
        }
        REQUIRE(c.packets == expected);
        REQUIRE(c.errors.empty());
    }
}

TEST_CASE("garbage before and between packets is reported once per run and skipped") {
    const std::vector<uint8_t> reset_cc{0x04, 0x0E, 0x04, 0x01, 0x03, 0x0C, 0x00};
    std::vector<uint8_t> stream{0x00, 0xFF, 0x7E};
    stream.insert(stream.end(), reset_cc.begin(), reset_cc.end());
    stream.push_back(0x99);
    stream.insert(stream.end(), reset_cc.begin(), reset_cc.end());
    Collector c;
    c.framer.Feed(stream);
    CHECK(c.packets == Packets{reset_cc, reset_cc});
    REQUIRE(c.errors.size() == 2);
    CHECK(c.errors[0].IsCorruption());
    CHECK(c.errors[0].message().find("0x00") != std::string::npos);
    CHECK(c.framer.skipped_bytes() == 4);
}

TEST_CASE("an ACL header announcing more than the limit is rejected and resynchronised") {
    // ACL length 0xFFFF > 1024: reported once; its header bytes are garbage too.
    const std::vector<uint8_t> evt{0x04, 0x0E, 0x04, 0x01, 0x03, 0x0C, 0x00};
    std::vector<uint8_t> stream{0x02, 0x00, 0xF0, 0xFF, 0xFF};
    stream.insert(stream.end(), evt.begin(), evt.end());
    Collector c;
    c.framer.Feed(stream);
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0].message().find("65535") != std::string::npos);
    CHECK(c.packets == Packets{evt});
    CHECK(c.framer.skipped_bytes() == 5);

    // Split across calls, the header is rejected only once complete.
    Collector split;
    for (size_t i = 0; i < stream.size(); i += 2) {
        split.framer.Feed(
            std::span<const uint8_t>(stream).subspan(i, std::min<size_t>(2, stream.size() - i)));
    }
    CHECK(split.errors.size() == 1);
    CHECK(split.packets == Packets{evt});
}

TEST_CASE("oversized ISO and accepted-type masks are enforced") {
    H4FramerLimits limits;
    limits.accepted_types = 1u << 0x04;  // events only (a host-side reader)
    Packets got;
    size_t errors = 0;
    H4Framer framer([&](std::span<const uint8_t> p) { got.emplace_back(p.begin(), p.end()); },
                    [&](const Status&) { ++errors; }, limits);
    const std::vector<uint8_t> cmd{0x01, 0x03, 0x0C, 0x00};
    const std::vector<uint8_t> evt{0x04, 0x10, 0x01, 0x42};
    std::vector<uint8_t> stream(cmd);
    stream.insert(stream.end(), evt.begin(), evt.end());
    framer.Feed(stream);
    CHECK(got == Packets{evt});
    CHECK(errors == 1);

    Collector iso;
    const std::vector<uint8_t> big_iso{0x05, 0x00, 0x00, 0xFF, 0x3F};
    iso.framer.Feed(big_iso);
    CHECK(iso.errors.size() == 1);
    CHECK(iso.packets.empty());
}

TEST_CASE("zero-length payloads and a partial packet across Reset") {
    Collector c;
    const std::vector<uint8_t> empty_evt{0x04, 0xFF, 0x00};
    c.framer.Feed(empty_evt);
    CHECK(c.packets == Packets{empty_evt});
    const std::vector<uint8_t> partial{0x04, 0x0E, 0x04, 0x01};
    c.framer.Feed(partial);
    CHECK_FALSE(c.framer.Idle());
    c.framer.Reset();
    CHECK(c.framer.Idle());
    c.framer.Feed(empty_evt);
    CHECK(c.packets.size() == 2);
}

TEST_CASE("packet lengths are computed from each header kind") {
    CHECK(H4PacketLength(std::vector<uint8_t>{0x01, 0x03, 0x0C, 0x00}) == 4u);
    CHECK(H4PacketLength(std::vector<uint8_t>{0x02, 0x01, 0x20, 0x10, 0x01}) == 5u + 0x110);
    CHECK(H4PacketLength(std::vector<uint8_t>{0x03, 0x01, 0x00, 0x30}) == 4u + 0x30);
    CHECK(H4PacketLength(std::vector<uint8_t>{0x04, 0x3E, 0x2B}) == 3u + 0x2B);
    CHECK(H4PacketLength(std::vector<uint8_t>{0x05, 0x01, 0x00, 0x10, 0xC1}) == 5u + 0x110);
    CHECK_FALSE(H4PacketLength(std::vector<uint8_t>{0x04, 0x3E}).has_value());
    CHECK_FALSE(H4PacketLength(std::vector<uint8_t>{0x06, 0, 0, 0, 0}).has_value());
    CHECK_FALSE(H4PacketLength({}).has_value());
}

}  // namespace jejak
