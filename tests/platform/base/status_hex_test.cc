// Status/Result behaviour and hex coding, including must-reject inputs.
#include <doctest/doctest.h>

#include <cerrno>

#include "platform/base/clock.h"
#include "platform/base/hex.h"
#include "platform/base/status.h"

namespace jejak {
namespace {

Result<int> Half(int x) {
    if (x % 2 != 0) return Status::InvalidArgument("odd");
    return x / 2;
}

Result<int> Quarter(int x) {
    JEJAK_ASSIGN_OR_RETURN(int h, Half(x));
    return Half(h);
}

}  // namespace

TEST_CASE("Status carries its kind, message and context") {
    CHECK(Status::Ok().ok());
    CHECK(Status::Ok().ToString() == "OK");
    Status s = Status::Corruption("bad row 7").WithContext("store verify");
    CHECK(s.IsCorruption());
    CHECK(s.ToString() == "Corruption: store verify: bad row 7");
    CHECK(Status::FromErrno(ENOENT, "open x").IsNotFound());
    CHECK(Status::FromErrno(EACCES, "open x").IsPermissionDenied());
    CHECK(Status::FromErrno(EIO, "read x").IsIOError());
}

TEST_CASE("Result propagates errors through JEJAK_ASSIGN_OR_RETURN") {
    CHECK(*Quarter(8) == 2);
    CHECK(Quarter(6).status().IsInvalidArgument());
    CHECK(Quarter(3).status().message() == "odd");
}

TEST_CASE("hex round-trips and rejects bad digits and lengths") {
    const std::vector<uint8_t> bytes{0x00, 0x7f, 0x80, 0xff, 0x4a};
    CHECK(HexEncode(bytes) == "007f80ff4a");
    CHECK(*HexDecode("007F80fF4a") == bytes);
    CHECK(HexDecode("abc").status().IsInvalidArgument());
    CHECK(HexDecode("zz").status().IsInvalidArgument());
    CHECK(HexDecode("0 ").status().IsInvalidArgument());
    CHECK(HexDecode("").ok());
    uint8_t out[2];
    CHECK(HexDecodeExact("abcd", out, "f").ok());
    CHECK(HexDecodeExact("abc", out, "f").message() == "f: expected 4 hex digits, got 3");
    CHECK(HexDecodeExact("abcdef", out, "f").IsInvalidArgument());
    CHECK(HexDecodeExact("abcg", out, "f").IsInvalidArgument());
}

TEST_CASE("the manual clock moves only when told, monotonic time never backwards") {
    ManualClock clock(1000);
    CHECK(clock.NowUnixMicros() == 1000);
    clock.Advance(500);
    CHECK(clock.NowUnixMicros() == 1500);
    CHECK(clock.MonotonicMicros() == 500);
    clock.SetUnixMicros(10);
    CHECK(clock.NowUnixMicros() == 10);
    CHECK(clock.MonotonicMicros() == 500);
    SystemClock system;
    CHECK(system.NowUnixMicros() > 1600000000LL * 1000000);
}

}  // namespace jejak
