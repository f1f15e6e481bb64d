// Parsing the "upload" configuration section.
#include "agent/upload/upload_config.h"

#include <set>

namespace jejak {
namespace {

Status ConfigError(const std::string& what) {
    return Status::InvalidArgument("config \"upload\": " + what);
}

Status ReadString(const nlohmann::json& section, const char* name, bool required,
                  std::string* out) {
    auto it = section.find(name);
    if (it == section.end()) {
        return required ? ConfigError(std::string(name) + " is required") : Status::Ok();
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
        return ConfigError(std::string(name) + ": expected a non-empty string");
    }
    *out = it->get<std::string>();
    return Status::Ok();
}

Status CheckUrl(const char* name, std::string* url, bool allow_loopback) {
    while (!url->empty() && url->back() == '/') url->pop_back();
    const bool https = url->rfind("https://", 0) == 0 && url->size() > 8;
    if (!https && !(allow_loopback && IsLoopbackHttpUrl(*url))) {
        return ConfigError(std::string(name) +
                           ": must be https (plain http only to loopback with "
                           "allow_http_loopback)");
    }
    return Status::Ok();
}

}  // namespace

HttpClientOptions UploadConfig::HttpOptions() const {
    HttpClientOptions o;
    o.allow_http_loopback = allow_http_loopback;
    o.ca_file = ca_file;
    o.tls_hint =
        "to trust a private CA, set [upload] ca_file to the PEM file of the servers' CA";
    o.pinned_public_key = pinned_public_key;
    o.proxy = proxy;
    o.total_timeout_seconds = 60;
    return o;
}

Result<UploadConfig> ParseUploadConfig(const nlohmann::json& section) {
    static const std::set<std::string> kKnown = {
        "verification_url",  "publish_url",        "api_key", "health_authority_id", "ca_file",
        "pinned_public_key", "allow_http_loopback", "proxy"};
    for (const auto& [key, value] : section.items()) {
        if (!kKnown.contains(key)) return ConfigError("unknown key \"" + key + "\"");
    }
    UploadConfig c;
    if (auto it = section.find("allow_http_loopback"); it != section.end()) {
        if (!it->is_boolean()) return ConfigError("allow_http_loopback: expected true or false");
        c.allow_http_loopback = it->get<bool>();
    }
    JEJAK_RETURN_IF_ERROR(ReadString(section, "verification_url", true, &c.verification_url));
    JEJAK_RETURN_IF_ERROR(ReadString(section, "publish_url", true, &c.publish_url));
    JEJAK_RETURN_IF_ERROR(ReadString(section, "api_key", true, &c.api_key));
    JEJAK_RETURN_IF_ERROR(ReadString(section, "health_authority_id", true, &c.health_authority_id));
    JEJAK_RETURN_IF_ERROR(ReadString(section, "ca_file", false, &c.ca_file));
    JEJAK_RETURN_IF_ERROR(ReadString(section, "pinned_public_key", false, &c.pinned_public_key));
    JEJAK_RETURN_IF_ERROR(ReadString(section, "proxy", false, &c.proxy));
    JEJAK_RETURN_IF_ERROR(CheckUrl("verification_url", &c.verification_url, c.allow_http_loopback));
    JEJAK_RETURN_IF_ERROR(CheckUrl("publish_url", &c.publish_url, c.allow_http_loopback));
    return c;
}

}  // namespace jejak
