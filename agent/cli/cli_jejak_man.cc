// The hand-written parts of jejak(1) (cli_man.h): what the CLI definitions cannot say.
// Commands and options come from the app tree itself.
#include "agent/cli/cli.h"
#include "platform/cli/cli_man.h"

namespace jejak {
namespace {

const char* kDescription =
    R"roff(\fBjejak\fR is a privacy\-first Bluetooth LE exposure\-notification agent
(GAEN v1.2) for Linux edge devices: wearable tokens, venue beacon boxes and field testers.
It advertises rotating proximity identifiers, records the identifiers it hears in an
encrypted store that expires, checks published diagnosis keys against it on the device, and
uploads only the device's own daily keys, after a verified diagnosis and the owner's consent.
Encounters never leave the device.
.PP
Human output gives times in ISO 8601 UTC (\fB\-\-local\fR on \fBencounters\fR and \fBscan\fR:
local time with its offset); JSON carries Unix seconds in fields named \fI*_unix\fR. An RSSI
the radio did not report reads "n/a". Keys are accepted in hex or base64, or "\-" to read one
line from standard input. Each command prints its options with \fBjejak COMMAND \-\-help\fR.
)roff";

const char* kExitStatus = R"roff(.TP
.B 0
success (also \fBjejak \-\-help\fR and \fBjejak \-\-version\fR).
.TP
.B 1
the command ran and found a problem (a damaged store, an invalid signature, a failed upload
or download, a device that needs attention in \fBstatus\fR, \fBjejak\-authority\fR not
installed).
.TP
.B 2
bad arguments, a missing or malformed configuration file, or malformed input; nothing was
changed. Errors are one line on standard error starting with "jejak: ".
)roff";

const char* kSignals = R"roff(.TP
.B SIGTERM, SIGINT
\fBrun\fR flushes the sightings it holds and exits 0; \fBscan\fR prints its \fIseen\fR lines
and "scan stopped (...)" and exits 0; \fBauthority serve\fR stops serving.
.TP
.B SIGHUP
\fBrun\fR reloads the duty cycle and TX power from the configuration (\fBsystemctl reload
jejak\fR).
)roff";

const char* kRadioSpecs =
    R"roff(\fB\-\-radio\fR \fISPEC\fR, or \fIradio.spec\fR in the configuration:
.TP
.B hci0
a kernel HCI socket (user channel preferred, raw channel beside bluetoothd as fallback);
\fBhci1\fR and so on likewise.
.TP
.B uart:/dev/ttyACM0[@1000000]
an H4 controller on a serial port (e.g. Zephyr hci_uart), driven directly.
.TP
.B unix:/path
H4 over a UNIX stream socket (e.g. BlueZ's btvirt).
.TP
.B sim:DIR?x=..&y=..&tx=..&seed=..
the simulated ether: radios sharing directory DIR hear each other with free\-space path loss
from their positions; \fIpath=FILE\fR instead of x and y moves the radio along a waypoint
file of "TIME X Y" lines. Simulations and tests only.
)roff";

const char* kEnvironment = R"roff(.TP
.B JEJAK_SIM_CLOCK
simulations only: "start=S&anchor=A&rate=R" makes every command read simulated time S (Unix
seconds) at real time A, running R times faster, so that several processes given the same
value agree on simulated days that pass in minutes. \fBjejak run\fR refuses it unless its
radio is "sim:".
.TP
.B TZ
the local time zone of \fB\-\-local\fR (and the local day \fBencounters \-\-local\fR shows).
.TP
.B CREDENTIALS_DIRECTORY
set by systemd: where \fIstore.passphrase_credential\fR is read from.
.TP
.B NOTIFY_SOCKET
set by systemd: \fBrun\fR reports readiness, watchdog and status there.
.PP
The store passphrase may come from the variable that \fIstore.passphrase_env\fR names.
\fIhttp_proxy\fR, \fIhttps_proxy\fR and \fIall_proxy\fR are ignored: only the \fIproxy\fR
setting of \fIdiagnosis\fR and \fIupload\fR is used.
)roff";

const char* kFiles = R"roff(.TP
.I /etc/jejak/jejak.toml
the configuration read when \fB\-\-config\fR is not given (TOML; then
\fI/etc/jejak/config.json\fR; built\-in defaults when neither exists). A \fB\-\-config\fR file
that does not exist is exit 2. Every key with its default: jejak.toml(5) where installed, and
the commented example shipped with the package.
.TP
.I /var/lib/jejak
the state directory (\fB\-\-state\-dir\fR): the encrypted store (\fIstore.db\fR,
\fIstore.keys\fR, \fImaster.key\fR unless a passphrase is used), \fIdaemon.lock\fR,
\fIdaemon\-status.json\fR (what \fBstatus\fR reads), \fIdiagnosis\-fetch\-state.json\fR and
\fIdiagnosis\-keys/\fR (\fBkeys fetch\fR), \fIchaff\-schedule.json\fR (\fBreport \-\-chaff
\-\-if\-due\fR). \fBstore wipe\fR removes them all.
)roff";

const char* kExamples = R"roff(.nf
jejak run \-\-radio hci0                        # the daemon (usually under systemd)
jejak scan \-\-radio hci0                       # live table; Ctrl\-C prints the summary
jejak scan \-\-replay air.btsnoop \-\-json        # a capture, one report per element
jejak encounters \-\-day 2026\-01\-15 \-\-svg day.svg  # a day's contacts, with a picture
jejak encounters \-\-local                      # today as a local day, local times
jejak keys fetch && jejak match \-\-fetched       # the daily exposure check
jejak status \-\-json                           # for monitoring
jejak report                                  # asks for the code, then for consent
jejak store verify                            # decrypt and check every row
.fi
)roff";

const char* kSeeAlso = R"roff(\fBjejak\-authority\fR(1), \fBjejak.toml\fR(5), \fBbtmon\fR(1),
\fBsystemd.service\fR(5)
)roff";

}  // namespace

const ManPageText& JejakManPageText() {
    static const ManPageText text{
        "privacy-first Bluetooth LE exposure notification agent (GAEN v1.2)",
        kDescription,
        {{"EXIT STATUS", kExitStatus},
         {"SIGNALS", kSignals},
         {"RADIO SPECS", kRadioSpecs},
         {"ENVIRONMENT", kEnvironment},
         {"FILES", kFiles},
         {"EXAMPLES", kExamples},
         {"SEE ALSO", kSeeAlso}}};
    return text;
}

}  // namespace jejak
