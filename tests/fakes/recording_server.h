// A real HTTP server on 127.0.0.1 (an ephemeral port) for tests of the upload client and
// `keys fetch`: it records every request that reached it (path, headers of interest, body)
// and answers each path (POST or GET) with queued replies, or by default like a cooperative
// verification + key server.
// Started by the constructor, stopped by the destructor.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jejak::testing {

struct RecordedRequest {
    std::string method;
    std::string path;
    std::string body;
    std::string api_key;  // X-API-Key, empty when absent
    bool chaff = false;   // X-Chaff present
};

class RecordingServer {
public:
    RecordingServer();
    ~RecordingServer();
    RecordingServer(const RecordingServer&) = delete;
    RecordingServer& operator=(const RecordingServer&) = delete;

    // "http://127.0.0.1:PORT"
    std::string url() const;
    // The next request to `path` gets this reply instead of the default.
    void Queue(const std::string& path, int status, const std::string& body);
    std::vector<RecordedRequest> requests() const;
    // Every later reply carries this Date header (the server's clock), e.g.
    // "Sun, 06 Nov 1994 08:49:37 GMT"; none by default.
    void SetDate(const std::string& value);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace jejak::testing
