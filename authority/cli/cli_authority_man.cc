// The hand-written parts of jejak-authority(1) (platform/cli/cli_man.h); commands and options
// come from the program's own CLI definitions.
#include "authority/cli/cli_authority.h"
#include "platform/cli/cli_man.h"

namespace jejak {
namespace {

const char* kDescription = R"roff(\fBjejak\-authority\fR is Jejak's pilot health\-authority server:
it issues single\-use verification codes, exchanges them for signed verification
certificates, accepts the diagnosed devices' keys (\fBPOST /api/verify\fR,
\fB/api/certificate\fR, \fB/v1/publish\fR) and publishes them as signed export files under
\fB/exports/\fR. \fBjejak authority ...\fR runs it with the same arguments. The state
directory holds its signing keys (never printed) and its key database (SQLite, or
PostgreSQL for several server instances). \fBserve\fR also serves the staff console at
\fB/console/\fR (accounts from \fBuser add\fR; sign in, issue and revoke codes, figures) and
Prometheus metrics at \fB/metrics\fR (loopback clients by default). Deployment:
docs/authority\-deployment.md.
)roff";

const char* kExitStatus = R"roff(.TP
.B 0
success.
.TP
.B 1
the command ran and found a problem (no authority in the state directory, a database or
network error, a failed export).
.TP
.B 2
bad arguments or malformed input. Errors are one line on standard error starting with
"jejak: ".
)roff";

const char* kSignals = R"roff(.TP
.B SIGTERM, SIGINT
\fBserve\fR stops listening, prints "stopped" and exits 0.
)roff";

const char* kEnvironment = R"roff(.TP
.B JEJAK_SIM_CLOCK
simulations only: "start=S&anchor=A&rate=R", the simulated clock every program of a
simulation shares (see jejak(1)).
)roff";

const char* kFiles = R"roff(.TP
.I /var/lib/jejak\-authority
the state directory (\fB\-\-state\-dir\fR): \fIauthority.json\fR (settings, the API key's
HMAC), \fIexport_signing_key.pem\fR and \fIcertificate_signing_key.pem\fR (mode 0600) with
their public halves, \fIauthority.db\fR (the SQLite key database unless a PostgreSQL URI is
configured) and \fIexports/\fR (what \fBserve\fR publishes under /exports/).
.TP
.I /etc/default/jejak\-authority
the listen address and extra arguments of the jejak\-authority.service unit.
)roff";

const char* kExamples = R"roff(.nf
jejak\-authority \-\-state\-dir /var/lib/jejak\-authority init \-\-region MY \-\-json
jejak\-authority issue\-code \-\-type confirmed           # read the code out to the patient
jejak\-authority serve \-\-listen 0.0.0.0:8443 \-\-tls\-cert cert.pem \-\-tls\-key key.pem
jejak\-authority export                                # hourly, by jejak\-authority\-export.timer
jejak\-authority user add amina \-\-role issuer < password.txt   # a case worker's account
.fi
)roff";

const char* kSeeAlso = R"roff(\fBjejak\fR(1)
)roff";

}  // namespace

const ManPageText& AuthorityManPageText() {
    static const ManPageText text{"Jejak pilot health-authority key server",
                                  kDescription,
                                  {{"EXIT STATUS", kExitStatus},
                                   {"SIGNALS", kSignals},
                                   {"ENVIRONMENT", kEnvironment},
                                   {"FILES", kFiles},
                                   {"EXAMPLES", kExamples},
                                   {"SEE ALSO", kSeeAlso}}};
    return text;
}

}  // namespace jejak
