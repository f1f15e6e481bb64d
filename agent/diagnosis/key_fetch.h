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
//     "public_keys": [ { "key_id": "310", "key_version": "v1",
//                        "pem_file": "/etc/jejak/310-v1.pem" or "pem": "-----BEGIN ..." } ] }
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/diagnosis/export_verify.h"
#include "platform/http/http_client.h"
#include "platform/base/progress.h"
#include "platform/base/status.h"

namespace jejak {

struct DiagnosisConfig {
    std::string server_url;  // ends with '/'
    std::string index_path = "index.txt";
    std::string download_dir;
    bool allow_http_loopback = false;
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
    uint64_t keys = 0;                  // keys (both lists) in the accepted files
};

class KeyFetcher {
public:
    // `state_file` remembers the index validators and the last processed entry. `progress`
    // (optional) is told the files processed out of those listed after the last one.
    KeyFetcher(const DiagnosisConfig& config, HttpClient& http, std::string state_file,
               ProgressReporter* progress = nullptr);

    // One incremental pass. Transport errors and unexpected HTTP statuses stop the pass with
    // Unavailable (the state keeps every file finished so far); a file that downloads but
    // does not verify is rejected, reported and skipped. Never accepts an unverified file.
    Result<FetchReport> Run();

private:
    Status FetchEntry(const std::string& entry, FetchReport& report);

    const DiagnosisConfig& config_;
    HttpClient& http_;
    std::string state_file_;
    ProgressReporter* progress_;
};

}  // namespace jejak
