// In-memory HttpClient for tests and the simulator: serves a map of URLs, honours
// conditional requests like a static file server, can be told to fail a URL, and records
// every request it saw. ScriptedHttpPoster is the same for POSTs: it answers each URL with
// the replies queued for it, in order.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/http/http_client.h"
#include "platform/http/http_post.h"

namespace jejak {

class FakeHttpClient : public HttpClient {
public:
    struct Resource {
        std::vector<uint8_t> body;
        std::string etag;           // sent as ETag; If-None-Match equal to it gives 304
        std::string last_modified;  // sent as Last-Modified; If-Modified-Since equal gives 304
    };

    void Serve(const std::string& url, Resource resource) { resources_[url] = std::move(resource); }
    void Remove(const std::string& url) { resources_.erase(url); }
    // The next requests of `url` fail with `status` (a transport error) instead of answering.
    void FailWith(const std::string& url, Status status) { failures_[url] = std::move(status); }
    void ClearFailures() { failures_.clear(); }
    // Every later answer carries this Date header (the server's clock); none by default.
    void SetDate(std::string value) { date_ = std::move(value); }

    // 404 for unknown URLs; Corruption when the body exceeds max_body_bytes.
    Result<HttpResponse> Get(const HttpRequest& request) override;

    const std::vector<HttpRequest>& requests() const { return requests_; }
    // How many GETs named `url`.
    size_t CountRequests(const std::string& url) const;

private:
    std::map<std::string, Resource> resources_;
    std::map<std::string, Status> failures_;
    std::vector<HttpRequest> requests_;
    std::string date_;
};

class ScriptedHttpPoster : public HttpPoster {
public:
    // Queues one reply (or a transport failure) for the next POST to `url`.
    void Reply(const std::string& url, long status, const std::string& body);
    void FailNext(const std::string& url, Status status);

    // The next queued reply for the URL; 404 with an empty body when none is queued.
    Result<HttpResponse> Post(const HttpPostRequest& request) override;

    const std::vector<HttpPostRequest>& requests() const { return requests_; }

private:
    std::map<std::string, std::deque<Result<HttpResponse>>> replies_;
    std::vector<HttpPostRequest> requests_;
};

}  // namespace jejak
