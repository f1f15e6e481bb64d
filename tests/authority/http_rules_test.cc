// The pure HTTP rules of the authority's front (authority/http/http_rules.h): ranges, conditional
// requests, dates, loopback addresses and export paths.
#include <doctest/doctest.h>

#include "authority/http/http_rules.h"

namespace jejak::authority {
namespace {

using Kind = RangeRequest::Kind;

TEST_CASE("http rules: one byte range is served, several or none satisfiable are 416") {
    const RangeRequest a = ParseRange("bytes=0-99", 1000);
    CHECK(a.kind == Kind::kOne);
    CHECK(a.first == 0);
    CHECK(a.last == 99);
    const RangeRequest open = ParseRange("bytes=900-", 1000);
    CHECK(open.kind == Kind::kOne);
    CHECK(open.last == 999);
    const RangeRequest suffix = ParseRange("bytes=-10", 1000);
    CHECK(suffix.kind == Kind::kOne);
    CHECK(suffix.first == 990);
    CHECK(ParseRange("bytes=0-5000", 1000).last == 999);
    CHECK(ParseRange("bytes=0-,0-", 1000).kind == Kind::kUnsatisfiable);
    CHECK(ParseRange("bytes=0-1, 5-6", 1000).kind == Kind::kUnsatisfiable);
    CHECK(ParseRange("bytes=1000-", 1000).kind == Kind::kUnsatisfiable);
    CHECK(ParseRange("bytes=-0", 1000).kind == Kind::kUnsatisfiable);
    CHECK(ParseRange("", 1000).kind == Kind::kWhole);
    CHECK(ParseRange("items=0-1", 1000).kind == Kind::kWhole);
    CHECK(ParseRange("bytes=9-3", 1000).kind == Kind::kWhole);
    CHECK(ParseRange("bytes=x-3", 1000).kind == Kind::kWhole);
}

TEST_CASE("http rules: If-None-Match decides alone, else If-Modified-Since") {
    const std::string etag = FileETag(100, 1'700'000'000'123'456'789LL);
    const int64_t mtime = 1'700'000'000;
    const std::string date = HttpDate(mtime);
    CHECK(NotModified(etag, "", etag, mtime));
    CHECK(NotModified("\"other\", " + etag, "", etag, mtime));
    CHECK(NotModified("W/" + etag, "", etag, mtime));
    CHECK(NotModified("*", "", etag, mtime));
    CHECK_FALSE(NotModified("\"other\"", date, etag, mtime));  // If-Modified-Since ignored
    CHECK(NotModified("", date, etag, mtime));
    CHECK_FALSE(NotModified("", HttpDate(mtime - 1), etag, mtime));
    CHECK_FALSE(NotModified("", "yesterday", etag, mtime));
    CHECK_FALSE(NotModified("", "", etag, mtime));
    CHECK(FileETag(100, 1) != FileETag(100, 2));
    CHECK(FileETag(100, 1) != FileETag(101, 1));
}

TEST_CASE("http rules: HTTP dates are IMF-fixdate both ways") {
    CHECK(HttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK_FALSE(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
    CHECK_FALSE(ParseHttpDate("Sun, 06 Nox 1994 08:49:37 GMT").has_value());
    CHECK_FALSE(ParseHttpDate("").has_value());
}

TEST_CASE("http rules: only loopback addresses count as loopback") {
    CHECK(IsLoopbackHost("127.0.0.1"));
    CHECK(IsLoopbackHost("127.1.2.3"));
    CHECK(IsLoopbackHost("::1"));
    CHECK(IsLoopbackHost("::ffff:127.0.0.1"));
    CHECK(IsLoopbackHost("localhost"));
    CHECK_FALSE(IsLoopbackHost("0.0.0.0"));
    CHECK_FALSE(IsLoopbackHost("::"));
    CHECK_FALSE(IsLoopbackHost("10.0.0.1"));
    CHECK_FALSE(IsLoopbackHost("128.0.0.1"));
    CHECK_FALSE(IsLoopbackHost("example.org"));
}

TEST_CASE("http rules: export paths stay inside the exports directory") {
    CHECK(SafeExportPath("index.txt"));
    CHECK(SafeExportPath("1700000000-1700003600-00001.zip"));
    CHECK(SafeExportPath("ZZ/batch_1.zip"));
    CHECK_FALSE(SafeExportPath(""));
    CHECK_FALSE(SafeExportPath("../authority.json"));
    CHECK_FALSE(SafeExportPath("a/../../x"));
    CHECK_FALSE(SafeExportPath(".hidden"));
    CHECK_FALSE(SafeExportPath("a//b"));
    CHECK_FALSE(SafeExportPath("a/"));
    CHECK_FALSE(SafeExportPath("/etc/passwd"));
    CHECK_FALSE(SafeExportPath("a%2e%2e"));
}

}  // namespace
}  // namespace jejak::authority
