// QR codes for the console: a text (the SMS link of a verification code) as an SVG picture
// drawn with path data only, so the page needs no script, no image request and no inline
// style (the console's Content-Security-Policy allows none).
#pragma once

#include <string>
#include <string_view>

#include "platform/base/status.h"

namespace jejak::authority {

// An <svg> element (error correction level M, a 4-module quiet zone) with role="img" and
// `label` as its accessible name. InvalidArgument for text QR cannot hold.
Result<std::string> QrSvg(std::string_view text, std::string_view label);

}  // namespace jejak::authority
