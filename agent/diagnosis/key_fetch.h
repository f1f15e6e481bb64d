// Incremental download of diagnosis key exports from a key server (PROTOCOL.md 3.1 "Download
// index"): GET <server_url><index_path> (conditional on the last ETag/Last-Modified), then
// every listed path after the last one processed, oldest first. Each file is verified with
// the configured public keys before it is written to the download directory; the state file
// is rewritten after every file, so an interrupted run resumes where it stopped.
//
// Config, section "diagnosis" of the JSON config:
//   { "server_url": "https://keys.example.org/",      base for index and file paths
//     "index_path": "exposureKeyExport-US/index.txt", default "index.txt"
//     "download_dir": "/var/lib/jejak/diagnosis-keys", default <state dir>/diagnosis-keys
//     "allow_http_loopback": false,                    test set-ups only
//     "proxy": "http://proxy.example:3128",            optional (environment proxies never)
//     "ca_file": "/etc/jejak/keys-ca.pem",             optional: trust only this CA (PEM)
//     "max_bytes_per_run": 67108864,                   download budget per run (64 MiB)
//     "max_bytes_per_day": 268435456,                  and per UTC day (256 MiB)
//     "public_keys": [ { "key_id": "310", "key_version": "v1",
//                        "pem_file": "/etc/jejak/310-v1.pem" or "pem": "-----BEGIN ..." } ] }
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gaen/export/export_verify.h"
#include "platform/base/clock.h"
#include "platform/base/progress.h"
#include "platform/base/status.h"
#include "platform/http/http_client.h"

namespace jejak {

struct DiagnosisConfig {
    std::string server_url;  // ends with '/'
    std::string index_path = "index.txt";
    std::string download_dir;
    bool allow_http_loopback = false;
    std::string proxy;  // "": no proxy, whatever the environment says
    // "": the system's CA certificates; otherwise trust only the CAs of this PEM file (a
    // key server behind a private CA).
    std::string ca_file;
    // A compromised server must not fill the disk or the link: once a run (or the UTC day)
    // has downloaded this many bytes, the pass stops after the current file and the next
    // run resumes where it stopped.
    uint64_t max_bytes_per_run = 64u << 20;
    uint64_t max_bytes_per_day = 256u << 20;
    // A file that fails verification is fetched again by this many later runs before it is
    // given up (a half-published or briefly corrupted file is not lost forever).
    int max_attempts = 3;
    ExportKeyRing ring;
};

// Parses and validates the "diagnosis" section; InvalidArgument naming the bad field.
// `state_dir` supplies the default download directory.
Result<DiagnosisConfig> ParseDiagnosisConfig(const nlohmann::json& section,
                                             const std::string& state_dir);

// Splits index.txt into entries (blank lines and surrounding whitespace dropped). Corruption
// for an entry that is not a safe relative path (absolute, "..", empty segment, control or
// unusual characters, longer than 512 bytes) or for more than 100,000 entries.
Result<std::vector<std::string>> ParseKeyIndex(std::string_view text);

struct FetchReport {
    bool index_not_modified = false;    // the server answered 304
    std::vector<std::string> accepted;  // entries verified and saved, in order
    std::vector<std::string> rejected;  // "entry: reason" for files that failed verification
    size_t already_present = 0;         // listed entries already in download_dir
    size_t duplicates = 0;              // verified, but the same bytes as a file already kept
    std::vector<std::string> given_up;  // rejected max_attempts times: not retried again
    uint64_t bytes = 0;                 // downloaded by this run
    bool budget_exhausted = false;      // stopped early by max_bytes_per_run/_per_day
    uint64_t keys = 0;                  // keys (both lists) in the accepted files
};

class KeyFetcher {
public:
    // `state_file` remembers the index validators, the last processed entry, the bytes of
    // the current UTC day, files to retry and the SHA-256 of every file kept. `clock` (the
    // system clock when omitted) decides the UTC day. `progress` (optional) is told the
    // files processed out of those listed after the last one.
    KeyFetcher(const DiagnosisConfig& config, HttpClient& http, std::string state_file,
               ProgressReporter* progress = nullptr);
    KeyFetcher(const DiagnosisConfig& config, HttpClient& http, std::string state_file,
               const Clock& clock, ProgressReporter* progress = nullptr);

    // One incremental pass. Transport errors and unexpected HTTP statuses stop the pass with
    // Unavailable (the state keeps every file finished so far); a file that downloads but
    // does not verify is rejected, reported and retried by later runs (max_attempts); a
    // verified file whose bytes equal a kept file's is counted, not saved again. Never
    // accepts an unverified file.
    Result<FetchReport> Run();

private:
    struct State;
    Status FetchEntry(const std::string& entry, FetchReport& report, State& state);

    const DiagnosisConfig& config_;
    HttpClient& http_;
    std::string state_file_;
    const Clock& clock_;
    ProgressReporter* progress_;
};

}  // namespace jejak
