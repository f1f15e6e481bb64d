// The POST poster over the shared libcurl transfer (curl_transfer.h).
#include "platform/http/curl_transfer.h"
#include "platform/http/http_post.h"

namespace jejak {
namespace {

class CurlHttpPoster : public HttpPoster {
public:
    explicit CurlHttpPoster(HttpClientOptions options) : options_(std::move(options)) {}

    Result<HttpResponse> Post(const HttpPostRequest& request) override {
        internal::CurlRequest r;
        r.method = "POST";
        r.url = request.url;
        r.headers = request.headers;
        r.headers.emplace_back("Content-Type", "application/json");
        r.headers.emplace_back("Accept", "application/json");
        r.post_body = request.body;
        r.max_body_bytes = request.max_body_bytes;
        r.http1_only = true;  // the upload's size padding counts HTTP/1.1 header lines
        return internal::CurlTransfer(options_, r);
    }

private:
    HttpClientOptions options_;
};

}  // namespace

std::unique_ptr<HttpPoster> NewCurlHttpPoster(const HttpClientOptions& options) {
    return std::make_unique<CurlHttpPoster>(options);
}

}  // namespace jejak
