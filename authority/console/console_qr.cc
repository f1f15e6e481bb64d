// QR codes through libqrencode.
#include "authority/console/console_qr.h"

#include <qrencode.h>

#include <memory>

#include "authority/console/console_html.h"

namespace jejak::authority {

Result<std::string> QrSvg(std::string_view text, std::string_view label) {
    const std::string data(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
        QRcode_encodeString8bit(data.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
    if (!qr) return Status::InvalidArgument("text too long for a QR code");
    const int n = qr->width, quiet = 4, size = n + 2 * quiet;
    std::string path;
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            if (qr->data[y * n + x] & 1) {
                path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
            }
        }
    }
    const std::string dim = std::to_string(size);
    return "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + dim + " " +
           dim + "\" role=\"img\" aria-label=\"" + HtmlEscape(label) +
           "\" shape-rendering=\"crispEdges\"><rect width=\"" + dim + "\" height=\"" + dim +
           "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace jejak::authority
