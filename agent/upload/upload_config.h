// The "upload" section of the JSON configuration: where a confirmed diagnosis is sent.
//   "upload": {
//     "verification_url": "https://verify.example.org",  /api/verify, /api/certificate
//     "publish_url": "https://keys.example.org",          /v1/publish
//     "api_key": "...",                                   the device API key (X-API-Key)
//     "health_authority_id": "org.example.ha",            healthAuthorityID
//     "ca_file": "/etc/jejak/authority-ca.pem",           optional: trust only this CA
//     "pinned_public_key": "sha256//BASE64",              optional: pin the servers' key
//     "proxy": "http://proxy.example:3128",               optional; proxy variables of the
//                                                         environment are never used
//     "allow_http_loopback": false                        test set-ups only
//   }
// HTTPS everywhere; plain http only to a loopback host when allow_http_loopback is set (as
// in the "diagnosis" section).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "platform/base/status.h"
#include "platform/http/http_client.h"

namespace jejak {

struct UploadConfig {
    std::string verification_url;  // no trailing '/'
    std::string publish_url;       // no trailing '/'
    std::string api_key;
    std::string health_authority_id;
    std::string ca_file;
    std::string pinned_public_key;
    std::string proxy;
    bool allow_http_loopback = false;

    std::string VerifyUrl() const { return verification_url + "/api/verify"; }
    std::string CertificateUrl() const { return verification_url + "/api/certificate"; }
    std::string PublishUrl() const { return publish_url + "/v1/publish"; }
    // The HTTP options these settings imply.
    HttpClientOptions HttpOptions() const;
};

// InvalidArgument naming the field for a missing required value, a wrong type, an unknown
// key or a URL that is not https (or loopback http when allowed).
Result<UploadConfig> ParseUploadConfig(const nlohmann::json& section);

}  // namespace jejak
