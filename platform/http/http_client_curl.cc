// The GET client over the shared libcurl transfer (curl_transfer.h).
#include "platform/http/curl_transfer.h"

namespace jejak {
namespace {

class CurlHttpClient : public HttpClient {
public:
    explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {}

    Result<HttpResponse> Get(const HttpRequest& request) override {
        internal::CurlRequest r;
        r.url = request.url;
        r.headers = request.headers;
        r.max_body_bytes = request.max_body_bytes;
        return internal::CurlTransfer(options_, r);
    }

private:
    HttpClientOptions options_;
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient(const HttpClientOptions& options) {
    return std::make_unique<CurlHttpClient>(options);
}

}  // namespace jejak
