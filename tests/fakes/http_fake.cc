// The in-memory HttpClient.
#include "tests/fakes/http_fake.h"

namespace jejak {
namespace {

std::optional<std::string> HeaderOf(const HttpRequest& request, const std::string& name) {
    for (const auto& [n, v] : request.headers) {
        if (n == name) return v;
    }
    return std::nullopt;
}

}  // namespace

Result<HttpResponse> FakeHttpClient::Get(const HttpRequest& request) {
    requests_.push_back(request);
    if (auto f = failures_.find(request.url); f != failures_.end()) return f->second;
    auto it = resources_.find(request.url);
    HttpResponse response;
    response.date = date_;
    if (it == resources_.end()) {
        response.status = 404;
        return response;
    }
    const Resource& r = it->second;
    response.etag = r.etag;
    response.last_modified = r.last_modified;
    const auto inm = HeaderOf(request, "If-None-Match");
    const auto ims = HeaderOf(request, "If-Modified-Since");
    if ((inm && !r.etag.empty() && *inm == r.etag) ||
        (!inm && ims && !r.last_modified.empty() && *ims == r.last_modified)) {
        response.status = 304;
        return response;
    }
    if (r.body.size() > request.max_body_bytes) {
        return Status::Corruption("GET " + request.url + ": body larger than " +
                                  std::to_string(request.max_body_bytes) + " bytes");
    }
    response.status = 200;
    response.body = r.body;
    return response;
}

size_t FakeHttpClient::CountRequests(const std::string& url) const {
    size_t n = 0;
    for (const HttpRequest& r : requests_) n += r.url == url;
    return n;
}

void ScriptedHttpPoster::Reply(const std::string& url, long status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.body.assign(body.begin(), body.end());
    replies_[url].push_back(std::move(r));
}

void ScriptedHttpPoster::FailNext(const std::string& url, Status status) {
    replies_[url].push_back(std::move(status));
}

Result<HttpResponse> ScriptedHttpPoster::Post(const HttpPostRequest& request) {
    requests_.push_back(request);
    auto it = replies_.find(request.url);
    if (it == replies_.end() || it->second.empty()) {
        HttpResponse none;
        none.status = 404;
        return none;
    }
    Result<HttpResponse> r = std::move(it->second.front());
    it->second.pop_front();
    if (r.ok() && r->body.size() > request.max_body_bytes) {
        return Status::Corruption("POST " + request.url + ": body larger than limit");
    }
    return r;
}

}  // namespace jejak
