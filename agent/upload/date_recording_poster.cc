#include "agent/upload/date_recording_poster.h"

namespace jejak {

Result<HttpResponse> DateRecordingHttpPoster::Post(const HttpPostRequest& request) {
    Result<HttpResponse> r = inner_.Post(request);
    if (r.ok()) {
        if (auto d = ReadServerDate(*r, request.url, clock_.NowUnixMicros())) last_ = std::move(d);
    }
    return r;
}

}  // namespace jejak
