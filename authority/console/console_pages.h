// The bodies of the console's pages (inside Layout): pure functions of what they show, so
// they are tested without a server. Every value is escaped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "authority/store/console_store.h"

namespace jejak::authority {

std::string LoginBody(const std::string& csrf, const std::string& error);
// `today` "YYYY-MM-DD" bounds the date inputs.
std::string IssueFormBody(const std::string& csrf, const std::string& today,
                          const std::string& error);
// The code shown once: large, its expiry, the SMS text with the link and the link's QR.
std::string IssuedBody(const std::string& code, const std::string& type, int64_t expires_at,
                       const std::string& sms_text, const std::string& qr_svg);
// Recent codes with their status and, for those still usable, a revoke button.
std::string CodesBody(const std::string& csrf, const std::vector<IssuedCodeRecord>& codes,
                      int64_t now, bool show_issuer, const std::string& note);
// Today's figures, a bar chart (SVG, no script) and a table of the days.
std::string FiguresBody(const std::vector<DayFigures>& days,
                        const std::vector<AuditEntry>& audit);
std::string UsersBody(const std::string& csrf, const std::vector<StaffUser>& users,
                      const std::string& note);

// "issued", "claimed", "expired" or "revoked".
std::string CodeStatus(const IssuedCodeRecord& code, int64_t now);

}  // namespace jejak::authority
