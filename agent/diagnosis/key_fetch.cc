// Diagnosis config parsing, index parsing and the incremental fetch loop.
#include "agent/diagnosis/key_fetch.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "crypto/ecdsa/ecdsa_p256.h"
#include "platform/base/atomic_file.h"
#include "platform/base/hex.h"

namespace jejak {
namespace {

constexpr size_t kMaxIndexBytes = 4u << 20;
constexpr size_t kMaxIndexEntries = 100000;
constexpr size_t kMaxEntryLength = 512;

Status ConfigError(const std::string& what) {
    return Status::InvalidArgument("config diagnosis." + what);
}

Result<std::string> OptionalString(const nlohmann::json& obj, const char* field,
                                   const std::string& where, std::string fallback) {
    auto it = obj.find(field);
    if (it == obj.end()) return fallback;
    if (!it->is_string()) return ConfigError(where + field + ": expected a string");
    return it->get<std::string>();
}

Status AddConfiguredKey(const nlohmann::json& k, size_t i, ExportKeyRing& ring) {
    const std::string where = "public_keys[" + std::to_string(i) + "].";
    if (!k.is_object()) return ConfigError(where.substr(0, where.size() - 1) + ": not an object");
    JEJAK_ASSIGN_OR_RETURN(std::string id, OptionalString(k, "key_id", where, ""));
    JEJAK_ASSIGN_OR_RETURN(std::string version, OptionalString(k, "key_version", where, ""));
    JEJAK_ASSIGN_OR_RETURN(std::string pem, OptionalString(k, "pem", where, ""));
    JEJAK_ASSIGN_OR_RETURN(std::string file, OptionalString(k, "pem_file", where, ""));
    if (id.empty() || version.empty()) return ConfigError(where + "key_id/key_version: required");
    if (pem.empty() == file.empty())
        return ConfigError(where + "pem or pem_file: give exactly one");
    Status s = file.empty() ? ring.AddPem(id, version, pem) : ring.AddPemFile(id, version, file);
    return s.WithContext("config diagnosis." + where.substr(0, where.size() - 1));
}

bool SafeEntryChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '/';
}

Status CheckEntry(std::string_view entry, size_t line) {
    const std::string where = "index.txt line " + std::to_string(line) + ": ";
    if (entry.size() > kMaxEntryLength) return Status::Corruption(where + "path too long");
    for (char c : entry) {
        if (!SafeEntryChar(c)) return Status::Corruption(where + "unexpected character in path");
    }
    if (entry.front() == '/' || entry.back() == '/' || entry.find("//") != std::string::npos) {
        return Status::Corruption(where + "not a relative file path");
    }
    std::istringstream segments{std::string(entry)};
    for (std::string seg; std::getline(segments, seg, '/');) {
        if (seg == "." || seg == "..") return Status::Corruption(where + "dot segment in path");
    }
    return Status::Ok();
}

constexpr size_t kMaxKeptHashes = 20000;  // newest kept; 1.3 MB of state at most

struct FetchState {
    std::string etag;
    std::string last_modified;
    std::string last_entry;
    int64_t day = 0;            // UTC day that day_bytes counts
    uint64_t day_bytes = 0;
    std::map<std::string, int> retry;  // rejected entry -> attempts so far
    std::vector<std::string> hashes;   // SHA-256 (hex) of every file kept, oldest first
};

Result<FetchState> LoadState(const std::string& path) {
    std::ifstream in(path);
    if (!in) return FetchState{};
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (!j.is_object())
        return Status::Corruption(path + ": not a JSON object; delete it to refetch");
    FetchState s;
    try {
        s.etag = j.value("index_etag", "");
        s.last_modified = j.value("index_last_modified", "");
        s.last_entry = j.value("last_entry", "");
        s.day = j.value("day", int64_t{0});
        s.day_bytes = j.value("day_bytes", uint64_t{0});
        s.retry = j.value("retry", std::map<std::string, int>{});
        s.hashes = j.value("kept_sha256", std::vector<std::string>{});
    } catch (const nlohmann::json::exception&) {
        return Status::Corruption(path + ": unexpected field types; delete it to refetch");
    }
    return s;
}

// Write-then-rename, so a crash leaves either the old or the new state.
Status SaveState(const std::string& path, const FetchState& s) {
    const nlohmann::json j = {{"index_etag", s.etag},
                              {"index_last_modified", s.last_modified},
                              {"last_entry", s.last_entry},
                              {"day", s.day},
                              {"day_bytes", s.day_bytes},
                              {"retry", s.retry},
                              {"kept_sha256", s.hashes}};
    return WriteFileAtomically(path, j.dump(1) + "\n");
}

const Clock& DefaultClock() {
    static const SystemClock clock;
    return clock;
}

std::string Sha256Hex(std::span<const uint8_t> bytes) {
    std::array<uint8_t, kSha256DigestSize> digest{};
    Sha256(bytes, digest);
    return HexEncode(digest);
}

Result<uint64_t> OptionalBytes(const nlohmann::json& obj, const char* field, uint64_t fallback) {
    auto it = obj.find(field);
    if (it == obj.end()) return fallback;
    // TOML integers arrive signed: a positive one is as good as JSON's unsigned.
    if (!it->is_number_integer() || it->get<int64_t>() < (1 << 20)) {
        return ConfigError(std::string(field) + ": a byte count of at least 1048576");
    }
    return it->get<uint64_t>();
}

Status WriteDownload(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Status::IOError("cannot create " + path.parent_path().string());
    return WriteFileAtomically(path.string(), bytes);
}

}  // namespace

Result<DiagnosisConfig> ParseDiagnosisConfig(const nlohmann::json& section,
                                             const std::string& state_dir) {
    DiagnosisConfig c;
    JEJAK_ASSIGN_OR_RETURN(c.server_url, OptionalString(section, "server_url", "", ""));
    JEJAK_ASSIGN_OR_RETURN(c.index_path, OptionalString(section, "index_path", "", "index.txt"));
    JEJAK_ASSIGN_OR_RETURN(
        c.download_dir, OptionalString(section, "download_dir", "", state_dir + "/diagnosis-keys"));
    JEJAK_ASSIGN_OR_RETURN(c.proxy, OptionalString(section, "proxy", "", ""));
    JEJAK_ASSIGN_OR_RETURN(c.ca_file, OptionalString(section, "ca_file", "", ""));
    JEJAK_ASSIGN_OR_RETURN(c.max_bytes_per_run,
                           OptionalBytes(section, "max_bytes_per_run", c.max_bytes_per_run));
    JEJAK_ASSIGN_OR_RETURN(c.max_bytes_per_day,
                           OptionalBytes(section, "max_bytes_per_day", c.max_bytes_per_day));
    if (auto it = section.find("allow_http_loopback"); it != section.end()) {
        if (!it->is_boolean()) return ConfigError("allow_http_loopback: expected true or false");
        c.allow_http_loopback = it->get<bool>();
    }
    if (!c.server_url.empty()) {
        if (c.server_url.back() != '/') c.server_url += '/';
        const bool https = c.server_url.rfind("https://", 0) == 0;
        if (!https && !(c.allow_http_loopback && IsLoopbackHttpUrl(c.server_url))) {
            return ConfigError(
                "server_url: must be https (plain http only to loopback with "
                "allow_http_loopback)");
        }
    }
    if (CheckEntry(c.index_path, 0).ok() == false)
        return ConfigError("index_path: not a relative path");
    if (auto it = section.find("public_keys"); it != section.end()) {
        if (!it->is_array()) return ConfigError("public_keys: expected an array");
        for (size_t i = 0; i < it->size(); ++i) {
            JEJAK_RETURN_IF_ERROR(AddConfiguredKey((*it)[i], i, c.ring));
        }
    }
    return c;
}

Result<std::vector<std::string>> ParseKeyIndex(std::string_view text) {
    std::vector<std::string> entries;
    std::istringstream in{std::string(text)};
    size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        const size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos) continue;
        const size_t e = line.find_last_not_of(" \t\r");
        const std::string entry = line.substr(b, e - b + 1);
        JEJAK_RETURN_IF_ERROR(CheckEntry(entry, line_no));
        if (entries.size() == kMaxIndexEntries)
            return Status::Corruption("index.txt: too many entries");
        entries.push_back(entry);
    }
    return entries;
}

struct KeyFetcher::State : FetchState {};

KeyFetcher::KeyFetcher(const DiagnosisConfig& config, HttpClient& http, std::string state_file,
                       ProgressReporter* progress)
    : KeyFetcher(config, http, std::move(state_file), DefaultClock(), progress) {}

KeyFetcher::KeyFetcher(const DiagnosisConfig& config, HttpClient& http, std::string state_file,
                       const Clock& clock, ProgressReporter* progress)
    : config_(config),
      http_(http),
      state_file_(std::move(state_file)),
      clock_(clock),
      progress_(progress) {}

Status KeyFetcher::FetchEntry(const std::string& entry, FetchReport& report, State& state) {
    HttpRequest request{config_.server_url + entry, {}, ExportLimits{}.max_zip_bytes};
    JEJAK_ASSIGN_OR_RETURN(HttpResponse response, http_.Get(request));
    if (response.status != 200) {
        return Status::Unavailable("GET " + request.url + ": HTTP " +
                                   std::to_string(response.status));
    }
    report.bytes += response.body.size();
    state.day_bytes += response.body.size();
    // Verified here, before the file is kept, and verified again when `match --fetched`
    // reads it (agent/check/export_feed.cc): this check keeps a bad download from displacing
    // a good file and counts it for retry; the second covers what happens to the file on
    // disk in between (an edited download directory, a key removed from the config), since
    // the matcher trusts only what it has verified itself.
    ExportReadOptions options;
    options.ring = &config_.ring;
    options.require_valid_signature = true;
    Result<ExportSummary> checked = VisitExportBytes(
        response.body, entry, options, [](const DiagnosisKey&, KeyList) { return Status::Ok(); });
    if (!checked.ok()) {
        report.rejected.push_back(checked.status().message());
        if (++state.retry[entry] >= config_.max_attempts) {
            state.retry.erase(entry);
            report.given_up.push_back(entry);
        }
        return Status::Ok();
    }
    state.retry.erase(entry);
    const std::string hash = Sha256Hex(response.body);
    if (std::find(state.hashes.begin(), state.hashes.end(), hash) != state.hashes.end()) {
        ++report.duplicates;
        return Status::Ok();
    }
    JEJAK_RETURN_IF_ERROR(
        WriteDownload(std::filesystem::path(config_.download_dir) / entry, response.body));
    state.hashes.push_back(hash);
    if (state.hashes.size() > kMaxKeptHashes) state.hashes.erase(state.hashes.begin());
    report.accepted.push_back(entry);
    report.keys += checked->key_count + checked->revised_key_count;
    return Status::Ok();
}

Result<FetchReport> KeyFetcher::Run() {
    if (config_.server_url.empty()) return ConfigError("server_url: not configured");
    if (config_.ring.empty()) {
        return ConfigError("public_keys: none configured; refusing unverifiable downloads");
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(state_file_).parent_path(), ec);
    JEJAK_ASSIGN_OR_RETURN(FetchState loaded, LoadState(state_file_));
    State state;
    static_cast<FetchState&>(state) = std::move(loaded);
    const int64_t today = clock_.NowUnixMicros() / 1000000 / 86400;
    if (state.day != today) {
        state.day = today;
        state.day_bytes = 0;
    }
    HttpRequest index{config_.server_url + config_.index_path, {}, kMaxIndexBytes};
    if (state.retry.empty() && !state.etag.empty()) {
        index.headers.emplace_back("If-None-Match", state.etag);
    }
    if (state.retry.empty() && !state.last_modified.empty()) {
        index.headers.emplace_back("If-Modified-Since", state.last_modified);
    }
    JEJAK_ASSIGN_OR_RETURN(HttpResponse response, http_.Get(index));
    FetchReport report;
    if (response.status == 304) {
        report.index_not_modified = true;
        return report;
    }
    if (response.status != 200) {
        return Status::Unavailable("GET " + index.url + ": HTTP " +
                                   std::to_string(response.status));
    }
    const std::string text(response.body.begin(), response.body.end());
    Result<std::vector<std::string>> entries = ParseKeyIndex(text);
    if (!entries.ok()) return entries.status().WithContext(index.url);
    size_t start = 0;
    for (size_t i = 0; i < entries->size(); ++i) {
        if ((*entries)[i] == state.last_entry) start = i + 1;
    }
    // Earlier rejections still listed come first; the rest are new entries in index order.
    std::vector<std::pair<std::string, bool>> todo;  // entry, is a retry
    for (size_t i = 0; i < start; ++i) {
        if (state.retry.count((*entries)[i]) != 0) todo.emplace_back((*entries)[i], true);
    }
    std::erase_if(state.retry, [&](const auto& r) {
        return std::find(entries->begin(), entries->end(), r.first) == entries->end();
    });
    for (size_t i = start; i < entries->size(); ++i) todo.emplace_back((*entries)[i], false);
    // Validators are kept only once the whole index has been processed and nothing is left
    // to retry: a pass that stopped early must not be answered with 304 next time.
    state.etag.clear();
    state.last_modified.clear();
    const size_t total = todo.size();
    size_t done = 0;
    auto keys_verified = [&report] { return std::to_string(report.keys) + " keys verified"; };
    for (const auto& [entry, is_retry] : todo) {
        if (report.bytes >= config_.max_bytes_per_run ||
            state.day_bytes >= config_.max_bytes_per_day) {
            report.budget_exhausted = true;
            break;
        }
        if (std::filesystem::exists(std::filesystem::path(config_.download_dir) / entry)) {
            ++report.already_present;
            state.retry.erase(entry);
        } else if (Status s = FetchEntry(entry, report, state); !s.ok()) {
            JEJAK_RETURN_IF_ERROR(SaveState(state_file_, state));
            return s;
        }
        if (!is_retry) state.last_entry = entry;
        JEJAK_RETURN_IF_ERROR(SaveState(state_file_, state));
        if (progress_ != nullptr) progress_->Update(++done, total, keys_verified());
    }
    if (progress_ != nullptr) progress_->Finish(done, total, keys_verified());
    if (!report.budget_exhausted && state.retry.empty()) {
        state.etag = response.etag;
        state.last_modified = response.last_modified;
    }
    JEJAK_RETURN_IF_ERROR(SaveState(state_file_, state));
    return report;
}

}  // namespace jejak
