// One sentence per published error code of the verification and key-server APIs
// (docs/PROTOCOL.md sections 4 and 5), for the single error line the CLI prints.
#include <map>
#include <string>

#include "agent/upload/upload_client.h"

namespace jejak {

std::string ExplainApiError(const std::string& code) {
    static const std::map<std::string, std::string> kText = {
        // Verification server.
        {"unparsable_request", "the server could not read the request"},
        {"code_invalid",
         "the code is unknown to the server or was already used (this authority also says so "
         "for an expired one): check it, or ask the health authority for a new one"},
        {"code_expired", "the code has expired: ask the health authority for a new one"},
        {"code_not_found",
         "the verification server has no such code for this device's health authority (a "
         "code of another authority?): check the code and [upload] verification_url"},
        {"code_user_unauthorized", "this device is not allowed to use the code"},
        {"invalid_test_type", "the code's test type is not valid"},
        {"unsupported_test_type", "the code is for a test type this device does not upload"},
        {"token_invalid", "the verification token was refused"},
        {"token_expired", "the verification token expired before the certificate was asked for"},
        {"hmac_invalid", "the key HMAC was refused"},
        {"maintenance_mode", "the verification server is in maintenance: try again later"},
        {"quota_exceeded", "the server's quota is exhausted: try again later"},
        {"rate_limited",
         "the verification server is refusing requests for a while: try again in a few minutes "
         "(the code stays valid)"},
        {"internal_server_error", "the verification server failed internally"},
        {"unauthorized", "the API key was refused (check \"api_key\" in the upload config)"},
        // Key server.
        {"unknown_health_authority_id",
         "the key server does not know this health authority (check \"health_authority_id\")"},
        {"unable_to_load_health_authority", "the key server could not load the health authority"},
        {"health_authority_missing_region_config",
         "the key server has no region set up for this health authority"},
        {"health_authority_verification_certificate_invalid",
         "the key server refused the verification certificate (expired, wrong signer or keys "
         "changed after it was issued)"},
        {"bad_request", "the key server refused the upload as malformed"},
        {"internal_error", "the key server failed internally"},
        {"missing_revision_token",
         "the key server expected the revision token of the earlier "
         "upload"},
        {"invalid_revision_token", "the key server refused the kept revision token"},
        {"key_already_revised", "these keys were already revised"},
        {"invalid_report_type_transition", "the keys cannot change to this report type"},
        {"partial_failure", "the key server accepted only some of the keys"},
    };
    auto it = kText.find(code);
    return it == kText.end() ? std::string() : it->second;
}

}  // namespace jejak
