// `keys fetch` logic: config and index parsing, then the incremental fetch against the fake
// HttpClient (conditional requests, resume after failures, rejection of bad files) and once
// against a real HTTP server on 127.0.0.1 through libcurl and the CLI.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "agent/diagnosis/key_fetch.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/http_fake.h"
#include "tests/support/test_data.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::Bytes;
using testing::TestDataPath;

const std::string kBase = "https://keys.example.org/";
const char* kA = "v1/1593633600-1593633900-00001.zip";  // internals sample, key 310/v1
const char* kB = "v1/1590159600-1590246000-00001.zip";  // server example, key some_id/1

nlohmann::json KeysJson() {
    return nlohmann::json::array(
        {{{"key_id", "310"},
          {"key_version", "v1"},
          {"pem_file", TestDataPath("exports/internals_partner_key_310-v1.pem")}},
         {{"key_id", "some_id"},
          {"key_version", "1"},
          {"pem", std::string(reinterpret_cast<const char*>(
                                  testing::ReadFile(
                                      TestDataPath("exports/enserver_examples_export_public.pem"))
                                      .data()),
                              178)}}});
}

DiagnosisConfig Config(const testing::ScratchDir& dir, const std::string& url = kBase,
                       bool loopback = false) {
    nlohmann::json section = {{"server_url", url},
                              {"download_dir", dir.File("dl")},
                              {"allow_http_loopback", loopback},
                              {"public_keys", KeysJson()}};
    Result<DiagnosisConfig> c = ParseDiagnosisConfig(section, dir.path().string());
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    return std::move(c).value();
}

Bytes Zip(const char* name) {
    return testing::ReadFile(TestDataPath(std::string("exports/") + name));
}

void ServeIndex(FakeHttpClient& http, const std::string& text, const std::string& etag) {
    http.Serve(kBase + "index.txt", {Bytes(text.begin(), text.end()), etag, ""});
}

TEST_CASE("diagnosis config accepts PEM files and inline PEM and rejects unsafe settings") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig c = Config(dir, "https://keys.example.org/root");
    CHECK(c.server_url == "https://keys.example.org/root/");
    CHECK(c.ring.size() == 2);
    CHECK(c.download_dir == dir.File("dl"));
    auto bad = [&](nlohmann::json section, const std::string& expect) {
        Result<DiagnosisConfig> r = ParseDiagnosisConfig(section, "/state");
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().message().find(expect) != std::string::npos);
    };
    bad({{"server_url", "http://keys.example.org/"}}, "server_url: must be https");
    bad({{"server_url", "http://127.0.0.1:8000/"}}, "server_url: must be https");
    bad({{"server_url", "http://keys.example.org/"}, {"allow_http_loopback", true}},
        "must be https");
    bad({{"public_keys", {{{"key_version", "v1"}, {"pem", "x"}}}}}, "public_keys[0].key_id");
    bad({{"public_keys", {{{"key_id", "1"}, {"key_version", "v1"}}}}}, "give exactly one");
    bad({{"public_keys", {{{"key_id", "1"}, {"key_version", "v1"}, {"pem", "junk"}}}}},
        "not a public key");
    bad({{"allow_http_loopback", "yes"}}, "expected true or false");
    CHECK(ParseDiagnosisConfig(
              {{"server_url", "http://127.0.0.1:8000/"}, {"allow_http_loopback", true}}, "/s")
              .ok());
    CHECK(ParseDiagnosisConfig(nlohmann::json::object(), "/s")->download_dir ==
          "/s/diagnosis-keys");
}

TEST_CASE("index.txt parsing keeps order and rejects paths that escape the download dir") {
    Result<std::vector<std::string>> ok = ParseKeyIndex("a/1.zip\r\n\n  b/2.zip \nc.zip");
    REQUIRE(ok.ok());
    CHECK(*ok == std::vector<std::string>{"a/1.zip", "b/2.zip", "c.zip"});
    for (const char* bad :
         {"../x.zip", "a/../../x", "/etc/passwd", "a//b", "a b", "a\x01", "dir/", "./x"}) {
        CAPTURE(bad);
        CHECK(ParseKeyIndex(std::string("ok.zip\n") + bad).status().IsCorruption());
    }
}

TEST_CASE("a first fetch downloads, verifies and saves every listed export") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    ServeIndex(http, std::string(kA) + "\n" + kB + "\n", "\"e1\"");
    http.Serve(kBase + kA, {Zip("internals_sample_diagnosis_key_file.zip"), "", ""});
    http.Serve(kBase + kB, {Zip("enserver_testExport-2-records-1-of-1.zip"), "", ""});
    KeyFetcher fetcher(config, http, dir.File("state.json"));
    Result<FetchReport> r = fetcher.Run();
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->accepted == std::vector<std::string>{kA, kB});
    CHECK(r->rejected.empty());
    CHECK(testing::ReadFile(dir.File(std::string("dl/") + kB)) ==
          Zip("enserver_testExport-2-records-1-of-1.zip"));
    CHECK_FALSE(std::filesystem::exists(dir.File(std::string("dl/") + kB + ".part")));
}

TEST_CASE("a fetch on a terminal reports files done out of those listed, and keys verified") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    ServeIndex(http, std::string(kA) + "\n" + kB + "\n", "\"e1\"");
    http.Serve(kBase + kA, {Zip("internals_sample_diagnosis_key_file.zip"), "", ""});
    http.Serve(kBase + kB, {Zip("enserver_testExport-2-records-1-of-1.zip"), "", ""});
    ManualClock clock;
    std::ostringstream err;
    ProgressReporter progress(err, /*is_terminal=*/true, clock, "fetching", "files");
    clock.Advance(1000000);  // the downloads "took" a second (a manual clock does not move)
    Result<FetchReport> r = KeyFetcher(config, http, dir.File("state.json"), &progress).Run();
    REQUIRE(r.ok());
    CHECK(r->keys == 142);  // 140 + 2
    CHECK(err.str() ==
          "\rjejak: fetching 1/2 files, 1 files/s (140 keys verified)\x1b[K"
          "\rjejak: fetching 2/2 files, 2 files/s (142 keys verified)\x1b[K\n");

    // Off a terminal nothing is written.
    testing::ScratchDir quiet_dir("fetch");
    std::ostringstream quiet;
    ProgressReporter off(quiet, /*is_terminal=*/false, clock, "fetching", "files");
    clock.Advance(2000000);
    REQUIRE(KeyFetcher(Config(quiet_dir), http, quiet_dir.File("state.json"), &off).Run().ok());
    CHECK(quiet.str().empty());
}

TEST_CASE("a second fetch sends If-None-Match and fetches only entries added since") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    ServeIndex(http, std::string(kA) + "\n", "\"e1\"");
    http.Serve(kBase + kA, {Zip("internals_sample_diagnosis_key_file.zip"), "", ""});
    http.Serve(kBase + kB, {Zip("enserver_testExport-2-records-1-of-1.zip"), "", ""});
    KeyFetcher fetcher(config, http, dir.File("state.json"));
    REQUIRE(fetcher.Run().ok());

    Result<FetchReport> unchanged = fetcher.Run();
    REQUIRE(unchanged.ok());
    CHECK(unchanged->index_not_modified);
    CHECK(http.requests().back().headers ==
          std::vector<std::pair<std::string, std::string>>{{"If-None-Match", "\"e1\""}});

    ServeIndex(http, std::string(kA) + "\n" + kB + "\n", "\"e2\"");
    Result<FetchReport> grown = fetcher.Run();
    REQUIRE(grown.ok());
    CHECK(grown->accepted == std::vector<std::string>{kB});
    CHECK(http.CountRequests(kBase + kA) == 1);
    CHECK(http.CountRequests(kBase + kB) == 1);
}

TEST_CASE("a tampered or unsigned file is rejected, not saved, and the fetch goes on") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    ExportBlobs blobs =
        testing::BlobsOf(TestDataPath("exports/internals_sample_diagnosis_key_file.zip"));
    blobs.bin[200] ^= 0x01;
    REQUIRE(testing::WriteZip(dir.File("bad.zip"),
                              {{"export.bin", blobs.bin}, {"export.sig", *blobs.sig}}));
    ServeIndex(http, "bad.zip\nunsigned.bin\n" + std::string(kB) + "\n", "\"e1\"");
    http.Serve(kBase + "bad.zip", {testing::ReadFile(dir.File("bad.zip")), "", ""});
    http.Serve(kBase + "unsigned.bin", {Zip("internals_cpp_testdata_export.bin"), "", ""});
    http.Serve(kBase + kB, {Zip("enserver_testExport-2-records-1-of-1.zip"), "", ""});
    Result<FetchReport> r = KeyFetcher(config, http, dir.File("state.json")).Run();
    REQUIRE(r.ok());
    CHECK(r->accepted == std::vector<std::string>{kB});
    REQUIRE(r->rejected.size() == 2);
    CHECK(r->rejected[0] ==
          "bad.zip: signature invalid: signature by key id \"310\" version "
          "\"v1\" does not verify");
    CHECK(r->rejected[1] == "unsigned.bin: signature missing: no export.sig");
    CHECK_FALSE(std::filesystem::exists(dir.File("dl/bad.zip")));
    CHECK_FALSE(std::filesystem::exists(dir.File("dl/unsigned.bin")));
}

TEST_CASE("a transport failure stops the pass and the next run resumes after the last file") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    ServeIndex(http, std::string(kA) + "\n" + kB + "\n", "\"e1\"");
    http.Serve(kBase + kA, {Zip("internals_sample_diagnosis_key_file.zip"), "", ""});
    http.Serve(kBase + kB, {Zip("enserver_testExport-2-records-1-of-1.zip"), "", ""});
    http.FailWith(kBase + kB, Status::Unavailable("connection reset"));
    KeyFetcher fetcher(config, http, dir.File("state.json"));
    Result<FetchReport> first = fetcher.Run();
    REQUIRE_FALSE(first.ok());
    CHECK(first.status().IsUnavailable());

    http.ClearFailures();
    Result<FetchReport> second = fetcher.Run();
    REQUIRE_MESSAGE(second.ok(), second.status().ToString());
    // The index was not answered with 304 although its ETag did not change.
    CHECK_FALSE(second->index_not_modified);
    CHECK(second->accepted == std::vector<std::string>{kB});
    CHECK(http.CountRequests(kBase + kA) == 1);
}

// Guards against a compromised server filling the disk: one validly signed file listed under
// many names was saved under every one of them, with no byte budget at all.
TEST_CASE("keys fetch keeps one copy of identical files and stops at its byte budget") {
    testing::ScratchDir dir("fetch");
    DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    std::string index;
    for (int i = 0; i < 50; ++i) {
        const std::string name = "same-" + std::to_string(i) + ".zip";
        index += name + "\n";
        http.Serve(kBase + name, {Zip("internals_sample_diagnosis_key_file.zip"), "", ""});
    }
    ServeIndex(http, index, "\"e1\"");
    Result<FetchReport> r = KeyFetcher(config, http, dir.File("state.json")).Run();
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->accepted == std::vector<std::string>{"same-0.zip"});
    CHECK(r->duplicates == 49);
    size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.File("dl"))) {
        files += e.is_regular_file() ? 1 : 0;
    }
    CHECK(files == 1);

    // Per run: the pass stops once the budget is spent, and the next run resumes.
    testing::ScratchDir dir2("fetch");
    config = Config(dir2);
    const uint64_t one_file = Zip("internals_sample_diagnosis_key_file.zip").size();
    config.max_bytes_per_run = one_file;
    ServeIndex(http, std::string(kA) + "\n" + kB + "\n", "\"e2\"");
    http.Serve(kBase + kA, {Zip("internals_sample_diagnosis_key_file.zip"), "", ""});
    http.Serve(kBase + kB, {Zip("enserver_testExport-2-records-1-of-1.zip"), "", ""});
    ManualClock clock(int64_t{1'600'000'000} * 1'000'000);
    KeyFetcher fetcher(config, http, dir2.File("state.json"), clock);
    Result<FetchReport> first = fetcher.Run();
    REQUIRE(first.ok());
    CHECK(first->accepted == std::vector<std::string>{kA});
    CHECK(first->budget_exhausted);
    CHECK(first->bytes == one_file);
    Result<FetchReport> second = fetcher.Run();
    REQUIRE(second.ok());
    CHECK(second->accepted == std::vector<std::string>{kB});

    // Per day: a spent day budget stops every run until the next UTC day.
    testing::ScratchDir dir3("fetch");
    config = Config(dir3);
    config.max_bytes_per_day = one_file;
    KeyFetcher daily(config, http, dir3.File("state.json"), clock);
    REQUIRE(daily.Run().ok());
    Result<FetchReport> same_day = daily.Run();
    REQUIRE(same_day.ok());
    CHECK(same_day->accepted.empty());
    CHECK(same_day->budget_exhausted);
    CHECK(http.CountRequests(kBase + kB) == 1);  // only the per-run case fetched it
    clock.Advance(int64_t{86400} * 1'000'000);
    Result<FetchReport> next_day = daily.Run();
    REQUIRE(next_day.ok());
    CHECK(next_day->accepted == std::vector<std::string>{kB});
}

// Guards against a rejected file being skipped forever: it used to advance last_entry and
// was never fetched again, even once the server served it correctly.
TEST_CASE("a rejected file is retried by later runs, up to the attempt limit") {
    testing::ScratchDir dir("fetch");
    const DiagnosisConfig config = Config(dir);
    FakeHttpClient http;
    const Bytes good = Zip("internals_sample_diagnosis_key_file.zip");
    Bytes bad = good;
    bad[bad.size() / 2] ^= 0x01;
    ServeIndex(http, "late.zip\nbroken.zip\n", "\"e1\"");
    http.Serve(kBase + "late.zip", {bad, "", ""});
    http.Serve(kBase + "broken.zip", {bad, "", ""});
    KeyFetcher fetcher(config, http, dir.File("state.json"));
    Result<FetchReport> first = fetcher.Run();
    REQUIRE(first.ok());
    CHECK(first->rejected.size() == 2);

    http.Serve(kBase + "late.zip", {good, "", ""});  // the server repaired it
    Result<FetchReport> second = fetcher.Run();
    REQUIRE(second.ok());
    CHECK_FALSE(second->index_not_modified);  // retries are pending: no 304 shortcut
    CHECK(second->accepted == std::vector<std::string>{"late.zip"});
    CHECK(second->given_up.empty());

    Result<FetchReport> third = fetcher.Run();
    REQUIRE(third.ok());
    CHECK(third->given_up == std::vector<std::string>{"broken.zip"});
    CHECK(http.CountRequests(kBase + "broken.zip") == 3);
    REQUIRE(fetcher.Run().ok());
    CHECK(http.CountRequests(kBase + "broken.zip") == 3);  // given up: not fetched again
}

TEST_CASE("server errors and missing keys are reported, not ignored") {
    testing::ScratchDir dir("fetch");
    FakeHttpClient http;
    Result<FetchReport> no_index = KeyFetcher(Config(dir), http, dir.File("s.json")).Run();
    REQUIRE_FALSE(no_index.ok());
    CHECK(no_index.status().message() == "GET " + kBase + "index.txt: HTTP 404");

    ServeIndex(http, "gone.zip\n", "");
    Result<FetchReport> gone = KeyFetcher(Config(dir), http, dir.File("s.json")).Run();
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.status().message() == "GET " + kBase + "gone.zip: HTTP 404");

    DiagnosisConfig keyless = *ParseDiagnosisConfig({{"server_url", kBase}}, dir.path().string());
    Result<FetchReport> refused = KeyFetcher(keyless, http, dir.File("s.json")).Run();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("refusing unverifiable downloads") != std::string::npos);
}

TEST_CASE("the curl client refuses plain http except to loopback when allowed") {
    CHECK(IsLoopbackHttpUrl("http://127.0.0.1:8000/x"));
    CHECK(IsLoopbackHttpUrl("http://[::1]/"));
    CHECK(IsLoopbackHttpUrl("http://LOCALHOST/"));
    CHECK_FALSE(IsLoopbackHttpUrl("http://127.0.0.1.evil.example/"));
    CHECK_FALSE(IsLoopbackHttpUrl("http://127.0.0.1@evil.example/"));
    CHECK_FALSE(IsLoopbackHttpUrl("https://127.0.0.1/"));
    auto strict = NewCurlHttpClient({});
    CHECK(strict->Get({"http://127.0.0.1:9/index.txt", {}, 1024}).status().IsInvalidArgument());
    HttpClientOptions loose;
    loose.allow_http_loopback = true;
    CHECK(NewCurlHttpClient(loose)
              ->Get({"http://keys.example.org/index.txt", {}, 1024})
              .status()
              .IsInvalidArgument());
}

// python3 -m http.server equivalent bound to an ephemeral port on 127.0.0.1, a ChildProcess
// stopped with SIGTERM at scope exit.
class LocalHttpServer {
public:
    explicit LocalHttpServer(const std::string& root, const std::string& port_file)
        : process_({"/usr/bin/env", "python3", "-c", kScript, root, port_file}) {
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        const Bytes port = testing::ReadFile(port_file);
        port_ = std::string(port.begin(), port.end());
    }
    ~LocalHttpServer() { (void)process_.Stop(SIGTERM, 5000); }
    const std::string& port() const { return port_; }

private:
    static constexpr const char* kScript =
        "import functools,http.server,os,sys\n"
        "class Quiet(http.server.SimpleHTTPRequestHandler):\n"
        "  def log_message(self,*a): pass\n"
        "h=functools.partial(Quiet,directory=sys.argv[1])\n"
        "s=http.server.ThreadingHTTPServer(('127.0.0.1',0),h)\n"
        "open(sys.argv[2]+'.t','w').write(str(s.server_port))\n"
        "os.rename(sys.argv[2]+'.t',sys.argv[2])\n"
        "s.serve_forever()\n";

    testing::ChildProcess process_;
    std::string port_;
};

TEST_CASE("keys fetch downloads from a real HTTP server on 127.0.0.1 through libcurl") {
    testing::ScratchDir dir("fetch-real");
    std::filesystem::create_directories(dir.File("www/v1"));
    testing::WriteFile(dir.File("www/index.txt"), Bytes(kA, kA + std::strlen(kA)));
    testing::WriteFile(dir.File(std::string("www/") + kA),
                       Zip("internals_sample_diagnosis_key_file.zip"));
    LocalHttpServer server(dir.File("www"), dir.File("port"));
    REQUIRE_MESSAGE(!server.port().empty(), "python3 http.server did not start");
    const std::string url = "http://127.0.0.1:" + server.port() + "/";
    nlohmann::json config = {{"diagnosis",
                              {{"server_url", url},
                               {"allow_http_loopback", true},
                               {"download_dir", dir.File("dl")},
                               {"public_keys", KeysJson()}}}};
    testing::WriteFile(dir.File("config.json"), [&] {
        const std::string text = config.dump();
        return Bytes(text.begin(), text.end());
    }());
    const std::vector<std::string> args = {
        "--config", dir.File("config.json"), "--state-dir", dir.path().string(), "keys", "fetch"};
    testing::CliRun first = testing::RunJejak(args);
    INFO(first.err);
    CHECK(first.code == 0);
    CHECK(first.out.find(std::string("accepted ") + kA) != std::string::npos);
    CHECK(testing::ReadFile(dir.File(std::string("dl/") + kA)) ==
          Zip("internals_sample_diagnosis_key_file.zip"));
    // http.server answers If-Modified-Since with 304.
    testing::CliRun second = testing::RunJejak(args);
    CHECK(second.code == 0);
    CHECK(second.out.find("index not modified") != std::string::npos);
}

}  // namespace
}  // namespace jejak
