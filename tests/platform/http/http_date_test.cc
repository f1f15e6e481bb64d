// The Date header (the server's clock) read from a reply: IMF-fixdate parsing, the offset of
// the device clock and the GET decorator that keeps the last reading, with the in-memory
// fake HTTP client.
#include <doctest/doctest.h>

#include "platform/base/clock.h"
#include "platform/http/http_date.h"
#include "tests/fakes/http_fake.h"

namespace jejak {

TEST_CASE("an IMF-fixdate Date header gives the server's Unix seconds") {
    CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
    CHECK(ParseHttpDate("Mon, 07 Dec 2026 15:12:55 GMT") == 1796656375);
    CHECK(ParseHttpDate("Thu, 29 Feb 2024 23:59:59 GMT") == 1709251199);
}

TEST_CASE("a Date header in any other form or out of range is no reading") {
    for (const char* bad : {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 24:00:00 GMT",
                            "Sun, 31 Nov 1994 08:49:37 GMT", "Thu, 29 Feb 2023 08:49:37 GMT",
                            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ",
                            "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 0x Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1969 08:49:37 GMT"}) {
        CAPTURE(bad);
        CHECK_FALSE(ParseHttpDate(bad).has_value());
    }
}

TEST_CASE("the offset is the device clock minus the middle of the server's second") {
    const ServerDate d{1000, int64_t{1900} * 1000000 + 500000, "https://keys.example"};
    CHECK(ClockOffsetSeconds(d) == doctest::Approx(900.0));
    const ServerDate behind{1000, int64_t{700} * 1000000, "https://keys.example"};
    CHECK(ClockOffsetSeconds(behind) == doctest::Approx(-300.5));
    CHECK(UrlOrigin("https://keys.example:8443/v1/index.txt?x=1") == "https://keys.example:8443");
    CHECK(UrlOrigin("http://127.0.0.1:5000") == "http://127.0.0.1:5000");
}

TEST_CASE("the recording client keeps the last Date any reply carried, on the device clock") {
    FakeHttpClient fake;
    fake.Serve("https://keys.example/index.txt", {{'a'}, "", ""});
    ManualClock clock(int64_t{1796656375 + 900} * 1000000);
    DateRecordingHttpClient http(fake, clock);
    REQUIRE(http.Get({"https://keys.example/index.txt", {}, 100}).ok());
    CHECK_FALSE(http.last().has_value());  // no Date header: no reading
    fake.SetDate("Mon, 07 Dec 2026 15:12:55 GMT");
    auto missing = http.Get({"https://keys.example/missing.zip", {}, 100});
    REQUIRE(missing.ok());
    CHECK(missing->status == 404);  // any status carries the server's clock
    REQUIRE(http.last().has_value());
    CHECK(http.last()->server_unix_s == 1796656375);
    CHECK(http.last()->origin == "https://keys.example");
    CHECK(ClockOffsetSeconds(*http.last()) == doctest::Approx(899.5));
    fake.FailWith("https://keys.example/index.txt", Status::Unavailable("down"));
    CHECK_FALSE(http.Get({"https://keys.example/index.txt", {}, 100}).ok());
    CHECK(http.last()->server_unix_s == 1796656375);  // a failure keeps the last reading
}

}  // namespace jejak
