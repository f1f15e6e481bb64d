// The poster twin of DateRecordingHttpClient (platform/http/http_date.h): passes every POST
// to the real poster and keeps the last server Date seen, so `jejak report` can measure the
// device clock's offset. Here because only the upload module may see the sending seam.
#pragma once

#include <optional>

#include "platform/base/clock.h"
#include "platform/http/http_date.h"
#include "platform/http/http_post.h"

namespace jejak {

class DateRecordingHttpPoster final : public HttpPoster {
public:
    DateRecordingHttpPoster(HttpPoster& inner, const Clock& clock) : inner_(inner), clock_(clock) {}
    Result<HttpResponse> Post(const HttpPostRequest& request) override;
    const std::optional<ServerDate>& last() const { return last_; }

private:
    HttpPoster& inner_;
    const Clock& clock_;
    std::optional<ServerDate> last_;
};

}  // namespace jejak
