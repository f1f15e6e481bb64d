// The authority's HTTP(S) front: the listening socket, the libmicrohttpd daemon (thread
// pool, TLS through GnuTLS) and the per-request deadline; requests themselves are handled
// in http_front.cc.
#include "authority/http/http_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "authority/http/http_front.h"

namespace jejak::authority {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// The per-request deadline: a connection whose current request is not done within it is
// shut down, however slowly but steadily its client sends (slowloris). libmicrohttpd's own
// timeout is an idle timeout only.
class DeadlineWatch {
public:
    explicit DeadlineWatch(std::chrono::seconds deadline) : deadline_(deadline) {
        thread_ = std::thread([this] { Loop(); });
    }
    ~DeadlineWatch() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void Started(MHD_Connection* c) {
        const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!info) return;
        std::lock_guard lock(mu_);
        conns_[c] = {info->connect_fd, std::chrono::steady_clock::now() + deadline_};
    }
    void RequestDone(MHD_Connection* c) {
        std::lock_guard lock(mu_);
        auto it = conns_.find(c);
        if (it != conns_.end()) it->second.due = std::chrono::steady_clock::now() + deadline_;
    }
    // Called by libmicrohttpd before it closes the socket, so Loop never touches a closed fd.
    void Closed(MHD_Connection* c) {
        std::lock_guard lock(mu_);
        conns_.erase(c);
    }

private:
    struct Entry {
        int fd = -1;
        SteadyTime due;
    };
    void Loop() {
        std::unique_lock lock(mu_);
        while (!stop_) {
            cv_.wait_for(lock, std::chrono::milliseconds(200));
            const SteadyTime now = std::chrono::steady_clock::now();
            for (auto& [c, e] : conns_) {
                if (e.fd >= 0 && now >= e.due) {
                    ::shutdown(e.fd, SHUT_RDWR);  // libmicrohttpd sees the end and closes it
                    e.fd = -1;
                }
            }
        }
    }

    const std::chrono::seconds deadline_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::unordered_map<MHD_Connection*, Entry> conns_;
    std::thread thread_;
};

void NotifyConnection(void* cls, MHD_Connection* c, void**, MHD_ConnectionNotificationCode code) {
    auto* watch = static_cast<DeadlineWatch*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) watch->Started(c);
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) watch->Closed(c);
}

Result<std::string> ReadPem(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty() || text.str().size() > (1u << 20)) {
        return Status::InvalidArgument("cannot read the TLS file " + path);
    }
    return text.str();
}

// A listening TCP socket on host:port. SO_REUSEADDR only (a restart need not wait out
// TIME_WAIT; Linux still refuses a second listener), never SO_REUSEPORT.
Result<int> Listen(const ServeOptions& o) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string where = o.host + ":" + std::to_string(o.port);
    if (getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found) != 0) {
        return Status::Unavailable("cannot listen on " + where + ": unknown address");
    }
    const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int one = 1;
    int err = fd < 0 ? errno : 0;
    if (fd >= 0 && (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
                    ::bind(fd, found->ai_addr, found->ai_addrlen) != 0 ||
                    ::listen(fd, o.limits.listen_backlog) != 0)) {
        err = errno;
    }
    freeaddrinfo(found);
    if (err == 0) return fd;
    if (fd >= 0) ::close(fd);
    if (err == EADDRINUSE) {
        return Status::Unavailable("cannot listen on " + where +
                                   ": the address is already in use (another server listens there)");
    }
    return Status::Unavailable("cannot listen on " + where + ": " + std::strerror(err));
}

int BoundPort(int fd) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
    return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
}

}  // namespace

struct AuthorityHttpServer::Impl {
    Impl(AuthorityService& s, std::string dir) : front{s, std::move(dir), {}, {}} {}
    Status Start(const ServeOptions& o, int fd);

    Front front;
    std::unique_ptr<DeadlineWatch> watch;
    std::string tls_key, tls_cert;  // must outlive the daemon
    MHD_Daemon* daemon = nullptr;
    int port = 0;
    std::mutex mu;
    std::condition_variable cv;
    bool stopped = false;
};

Status AuthorityHttpServer::Impl::Start(const ServeOptions& o, int fd) {
    const RequestLimits& lim = o.limits;
    watch = std::make_unique<DeadlineWatch>(std::chrono::seconds(lim.request_deadline_s));
    DeadlineWatch* w = watch.get();
    front.options = o;
    front.request_done = [w](MHD_Connection* c) { w->RequestDone(c); };
    const auto fn = [](auto f) { return reinterpret_cast<intptr_t>(f); };
    std::vector<MHD_OptionItem> opts = {
        {MHD_OPTION_LISTEN_SOCKET, static_cast<intptr_t>(fd), nullptr},
        {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(lim.max_connections), nullptr},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(lim.max_per_source), nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(lim.idle_timeout_s), nullptr},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(lim.connection_memory), nullptr},
        {MHD_OPTION_NOTIFY_COMPLETED, fn(&RequestCompleted), &front},
        {MHD_OPTION_NOTIFY_CONNECTION, fn(&NotifyConnection), w},
    };
    if (o.threads > 1) opts.push_back({MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(o.threads), nullptr});
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    if (!o.tls_cert_file.empty()) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            return Status::InvalidArgument("this libmicrohttpd has no TLS support");
        }
        JEJAK_ASSIGN_OR_RETURN(tls_cert, ReadPem(o.tls_cert_file));
        JEJAK_ASSIGN_OR_RETURN(tls_key, ReadPem(o.tls_key_file));
        flags |= MHD_USE_TLS;
        opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key.data()});
        opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert.data()});
    }
    opts.push_back({MHD_OPTION_END, 0, nullptr});
    daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &HandleRequest, &front,
                              MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
    if (!daemon) {
        watch.reset();
        return o.tls_cert_file.empty()
                   ? Status::Unavailable("the HTTP server could not start")
                   : Status::InvalidArgument("cannot use the TLS certificate " + o.tls_cert_file +
                                             " and key " + o.tls_key_file);
    }
    return Status::Ok();
}

Result<ServeOptions> ParseListen(const std::string& listen) {
    const size_t colon = listen.rfind(':');
    const auto bad = [&] {
        return Status::InvalidArgument("--listen: expected HOST:PORT, got '" + listen + "'");
    };
    if (colon == std::string::npos || colon == 0) return bad();
    ServeOptions out;
    out.host = listen.substr(0, colon);
    if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
        out.host = out.host.substr(1, out.host.size() - 2);
    }
    const std::string port = listen.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || out.port < 0 ||
        out.port > 65535) {
        return bad();
    }
    return out;
}

AuthorityHttpServer::AuthorityHttpServer(AuthorityService& service, std::string exports_dir)
    : impl_(std::make_unique<Impl>(service, std::move(exports_dir))) {}

AuthorityHttpServer::~AuthorityHttpServer() { Stop(); }

Status AuthorityHttpServer::Bind(const ServeOptions& options) {
    const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
    if (tls && (options.tls_cert_file.empty() || options.tls_key_file.empty())) {
        return Status::InvalidArgument("HTTPS needs both a certificate and a key file");
    }
    if (!tls && !options.insecure_http && !IsLoopbackHost(options.host)) {
        return Status::InvalidArgument(
            "plain HTTP is served only on loopback: give --tls-cert and --tls-key, or "
            "--insecure-http behind a TLS proxy, to listen on " + options.host);
    }
    JEJAK_ASSIGN_OR_RETURN(const int fd, Listen(options));
    impl_->port = BoundPort(fd);
    ServeOptions o = options;
    o.threads = std::max(1, options.threads);
    if (Status s = impl_->Start(o, fd); !s.ok()) {
        ::close(fd);
        impl_->port = 0;
        return s;
    }
    return Status::Ok();
}

int AuthorityHttpServer::port() const { return impl_->port; }

Status AuthorityHttpServer::Run() {
    std::unique_lock lock(impl_->mu);
    if (!impl_->daemon && !impl_->stopped) return Status::FailedPrecondition("server not bound");
    impl_->cv.wait(lock, [&] { return impl_->stopped; });
    return Status::Ok();
}

void AuthorityHttpServer::Stop() {
    if (!impl_) return;
    std::lock_guard lock(impl_->mu);
    if (impl_->daemon) {
        MHD_stop_daemon(impl_->daemon);  // closes the listening socket too
        impl_->daemon = nullptr;
    }
    impl_->watch.reset();
    impl_->stopped = true;
    impl_->cv.notify_all();
}

}  // namespace jejak::authority
