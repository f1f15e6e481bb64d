// URL checks shared by every HttpClient: which plain-http URLs count as loopback.
#include <algorithm>
#include <cctype>

#include "platform/http/http_client.h"

namespace jejak {
namespace {

bool IsIpv4Loopback(const std::string& host) {
    if (host.rfind("127.", 0) != 0) return false;
    return std::all_of(host.begin(), host.end(), [](char c) {
        return c == '.' || std::isdigit(static_cast<unsigned char>(c));
    });
}

}  // namespace

bool IsLoopbackHttpUrl(const std::string& url) {
    constexpr std::string_view kScheme = "http://";
    if (url.size() < kScheme.size()) return false;
    std::string lower = url;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.rfind(kScheme, 0) != 0) return false;
    const std::string rest = lower.substr(kScheme.size());
    const size_t authority_end = rest.find_first_of("/?#");
    const std::string authority = rest.substr(0, authority_end);
    if (authority.find('@') != std::string::npos) return false;  // userinfo hides the host
    std::string host;
    if (!authority.empty() && authority[0] == '[') {
        const size_t close = authority.find(']');
        if (close == std::string::npos) return false;
        host = authority.substr(0, close + 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    return host == "localhost" || host == "[::1]" || IsIpv4Loopback(host);
}

}  // namespace jejak
