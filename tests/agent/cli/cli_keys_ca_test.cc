// `keys fetch` from a key server behind a private CA: `[diagnosis] ca_file` makes it trusted,
// and without it the TLS error names the setting that fixes it. The server is a
// real HTTPS server on loopback with the throwaway certificates of tests/data/tls/.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "agent/upload/upload_config.h"
#include "tests/support/cli_runner.h"
#include "tests/support/export_builders.h"
#include "tests/fakes/tls_file_server.h"
#include "tests/support/test_data.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::RunJejak;
using testing::TestDataPath;

std::string WriteConfig(const testing::ScratchDir& dir, const std::string& url,
                        const std::string& ca_line) {
    const std::string path = dir.File("jejak.toml");
    std::ofstream(path) << "[diagnosis]\nserver_url = \"" << url << "\"\n"
                        << "public_keys = [ { key_id = \"test\", key_version = \"v1\", pem_file = \""
                        << TestDataPath("exports/enserver_examples_export_public.pem") << "\" } ]\n"
                        << ca_line;
    return path;
}

TEST_CASE("keys fetch trusts a key server's private CA named by [diagnosis] ca_file") {
    testing::TlsFileServer server(TestDataPath("tls/server.pem"), TestDataPath("tls/server.key"),
                                  {{"/index.txt", ""}});
    testing::ScratchDir dir("keys-ca");
    const std::string config = WriteConfig(
        dir, server.url(), "ca_file = \"" + TestDataPath("tls/ca.pem") + "\"\n");
    const auto run = RunJejak({"keys", "fetch", "--state-dir", dir.File("s"), "--config", config});
    CHECK_MESSAGE(run.code == 0, run.err);
    CHECK(run.err.find("certificate") == std::string::npos);
    CHECK(run.out.find("0 new, 0 rejected") != std::string::npos);
}

TEST_CASE("keys fetch from an untrusted CA fails with a hint naming [diagnosis] ca_file") {
    testing::TlsFileServer server(TestDataPath("tls/server.pem"), TestDataPath("tls/server.key"),
                                  {{"/index.txt", ""}});
    testing::ScratchDir dir("keys-ca");
    const std::string config = WriteConfig(dir, server.url(), "");
    const auto run = RunJejak({"keys", "fetch", "--state-dir", dir.File("s"), "--config", config});
    CHECK(run.code == 1);
    CHECK(run.err.find("certificate") != std::string::npos);
    CHECK(run.err.find("set [diagnosis] ca_file") != std::string::npos);
    CHECK(run.err.find('\n') == run.err.size() - 1);
}

TEST_CASE("a ca_file that cannot be read is named with the setting too") {
    testing::TlsFileServer server(TestDataPath("tls/server.pem"), TestDataPath("tls/server.key"),
                                  {{"/index.txt", ""}});
    testing::ScratchDir dir("keys-ca");
    const std::string config =
        WriteConfig(dir, server.url(), "ca_file = \"" + dir.File("absent.pem") + "\"\n");
    const auto run = RunJejak({"keys", "fetch", "--state-dir", dir.File("s"), "--config", config});
    CHECK(run.code == 1);
    CHECK(run.err.find("[diagnosis] ca_file") != std::string::npos);
}

TEST_CASE("the upload client's TLS errors name [upload] ca_file") {
    UploadConfig config;
    config.ca_file = TestDataPath("tls/ca.pem");
    const HttpClientOptions options = config.HttpOptions();
    CHECK(options.ca_file == config.ca_file);
    CHECK(options.tls_hint.find("[upload] ca_file") != std::string::npos);
}

}  // namespace
}  // namespace jejak
