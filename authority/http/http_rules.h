// Pure HTTP rules of the authority's front (http_server.cc): the limits every request must
// meet whatever the server library, the Range header (one range at most), conditional
// requests on /exports/ (ETag, Last-Modified, 304) and which listen addresses are loopback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jejak::authority {

// Limits of one request and of the connections (defaults hold the published API's largest
// request, a 64 KiB publish body, with room to spare).
struct RequestLimits {
    size_t max_request_line = 2048;       // method, URL and version; 414 beyond
    size_t max_header_count = 64;         // 431 beyond
    size_t max_header_bytes = 16 * 1024;  // names and values together; 431 beyond
    size_t connection_memory = 64 * 1024; // per connection, request line and headers included
    unsigned max_connections = 256;       // in total; more wait in the listen queue
    unsigned max_per_source = 32;         // per client address
    int listen_backlog = 64;              // the bounded queue of not yet accepted connections
    unsigned idle_timeout_s = 10;         // no byte for this long closes a connection
    unsigned request_deadline_s = 30;     // a request not answered within this is cut off
};

// What the Range header asks of a representation of `size` bytes.
struct RangeRequest {
    enum class Kind { kWhole, kOne, kUnsatisfiable } kind = Kind::kWhole;
    uint64_t first = 0;  // kOne: bytes first..last inclusive
    uint64_t last = 0;
};

// Only "bytes=A-B", "bytes=A-" and "bytes=-N" with one range are served (206); several
// ranges, or a range beyond the end, are 416; any other unit or an unparsable header is
// ignored (the whole file, RFC 9110 section 14.2).
RangeRequest ParseRange(std::string_view header, uint64_t size);

// A strong entity tag for a file of `size` bytes last modified at `mtime_ns`.
std::string FileETag(uint64_t size, int64_t mtime_ns);

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") of Unix seconds, and back (nullopt when
// `text` is not one).
std::string HttpDate(int64_t unix_s);
std::optional<int64_t> ParseHttpDate(std::string_view text);

// RFC 9110 section 13.2.2: If-None-Match (when present) decides alone; otherwise
// If-Modified-Since not older than the file's modification second. Empty strings: absent.
bool NotModified(std::string_view if_none_match, std::string_view if_modified_since,
                 const std::string& etag, int64_t mtime_s);

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost".
bool IsLoopbackHost(const std::string& host);

// A file name under /exports/ that is safe to open there: letters, digits, '.', '-', '_',
// and '/' between such names, no empty, "." or ".." component, no leading dot.
bool SafeExportPath(std::string_view relative);

}  // namespace jejak::authority
