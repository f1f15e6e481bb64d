// A real HTTPS server on 127.0.0.1 (an ephemeral port) that answers GET requests for the
// paths it was given with their bodies (404 otherwise), with the certificate chain and key
// of PEM files: for tests of clients that must trust a private CA (tests/data/tls/).
// Started by the constructor, stopped by the destructor.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace jejak::testing {

class TlsFileServer {
public:
    TlsFileServer(const std::string& cert_file, const std::string& key_file,
                  std::map<std::string, std::string> files);
    ~TlsFileServer();
    TlsFileServer(const TlsFileServer&) = delete;
    TlsFileServer& operator=(const TlsFileServer&) = delete;

    // "https://127.0.0.1:PORT/"
    std::string url() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace jejak::testing
