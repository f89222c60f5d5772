#include "collector/api/http_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/api/listen_socket.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// The request being read on a connection thread, for ExtendRequestDeadline.
struct RequestClock {
  absl::Time deadline;
  absl::Duration request_timeout;
};
thread_local RequestClock* current_request = nullptr;

enum class Waited { kReady, kTimedOut, kStopped };

// Waits until `fd` has one of `events`, `deadline` passes or (if `wake_fd` >= 0) the
// listener shuts down. Ready also for an error or hang-up, which the next read or write
// then reports.
Waited WaitFor(int fd, short events, absl::Time deadline, int wake_fd) {
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return Waited::kTimedOut;
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    const int64_t ms = std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, INT_MAX);
    const int n = poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(ms));
    if (n < 0 && errno != EINTR) return Waited::kStopped;
    if (n <= 0) continue;  // Interrupted, or the deadline: checked above.
    if (wake_fd >= 0 && fds[1].revents != 0) return Waited::kStopped;
    return Waited::kReady;
  }
}

// What a failed non-blocking TLS operation waits for: POLLIN or POLLOUT, or 0 when the
// connection is over (closed, or an error).
short TlsWant(SSL* ssl, int result) {
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      return POLLIN;
    case SSL_ERROR_WANT_WRITE:
      return POLLOUT;
    default:
      ERR_clear_error();
      return 0;
  }
}

int Clamp(size_t size) { return static_cast<int>(std::min<size_t>(size, INT_MAX)); }

}  // namespace

struct HttpListener::Connection {
  Connection(int fd, Peer peer, absl::Duration request_timeout)
      : fd(fd), peer(std::move(peer)), clock{absl::Now() + request_timeout, request_timeout} {}
  ~Connection() {
    if (ssl != nullptr) {
      if (handshaken) SSL_shutdown(ssl);  // One try: the socket is non-blocking.
      SSL_free(ssl);
      ERR_clear_error();
    }
    close(fd);
  }
  const int fd;
  const Peer peer;
  RequestClock clock;
  SSL* ssl = nullptr;
  bool handshaken = false;
};

namespace {

// One connection as httplib reads and writes it: reads wait no later than the request's
// deadline (and end when the listener shuts down), writes at most write_timeout for the
// client to take more.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, const Peer& peer, const RequestClock& clock, int wake_fd,
                   absl::Duration write_timeout)
      : fd_(fd),
        ssl_(ssl),
        peer_(peer),
        clock_(clock),
        wake_fd_(wake_fd),
        write_timeout_(write_timeout) {}

  bool timed_out() const { return timed_out_; }

  bool is_readable() const override {
    return (ssl_ != nullptr && SSL_pending(ssl_) > 0) ||
           WaitFor(fd_, POLLIN, clock_.deadline, wake_fd_) == Waited::kReady;
  }

  bool is_writable() const override {
    if (WaitFor(fd_, POLLOUT, absl::Now() + write_timeout_, -1) != Waited::kReady) return false;
    // Gone if the client closed its end: readable with nothing to read.
    char byte;
    const ssize_t peeked = recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return peeked > 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

  ssize_t read(char* ptr, size_t size) override {
    for (;;) {
      short want = POLLIN;
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_read(ssl_, ptr, Clamp(size));
        if (n > 0) return n;
        want = TlsWant(ssl_, n);
        if (want == 0) return n == 0 ? 0 : -1;
      } else {
        const ssize_t n = recv(fd_, ptr, size, MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
      }
      const Waited waited = WaitFor(fd_, want, clock_.deadline, wake_fd_);
      if (waited == Waited::kTimedOut) timed_out_ = true;
      if (waited != Waited::kReady) return -1;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    const absl::Time deadline = absl::Now() + write_timeout_;
    for (;;) {
      short want = POLLOUT;
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_write(ssl_, ptr, Clamp(size));
        if (n > 0) return n;
        want = TlsWant(ssl_, n);
        if (want == 0) return -1;
      } else {
        const ssize_t n = send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
      }
      if (WaitFor(fd_, want, deadline, -1) != Waited::kReady) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_.ip;
    port = peer_.port;
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return;
    const Peer local = PeerOf(address);
    ip = local.ip;
    port = local.port;
  }

  socket_t socket() const override { return fd_; }

 private:
  const int fd_;
  SSL* const ssl_;
  const Peer& peer_;
  const RequestClock& clock_;
  const int wake_fd_;
  const absl::Duration write_timeout_;
  bool timed_out_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Start(const std::string& host, int port,
                                                                  ssl_ctx_st* tls,
                                                                  const HttpLimits& options,
                                                                  HttpRequestServer serve) {
  if (options.max_connections < 1 || options.max_connections_per_peer < 1) {
    return absl::InvalidArgumentError(
        "HTTP max_connections and max_connections_per_peer must be at least 1");
  }
  if (options.request_timeout <= absl::ZeroDuration() ||
      options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("HTTP request_timeout and idle_timeout must be positive");
  }
  if (options.requests_per_second_per_credential < 0 ||
      (options.requests_per_second_per_credential > 0 &&
       options.request_burst_per_credential < 1)) {
    return absl::InvalidArgumentError(
        "HTTP requests_per_second_per_credential must not be negative, and "
        "request_burst_per_credential at least 1 with it");
  }
  if (!serve) return absl::InvalidArgumentError("HTTP listener without a request server");
  std::unique_ptr<HttpListener> listener(new HttpListener(tls, options, std::move(serve)));
  std::string error;
  listener->listen_fd_ = ListenOn(host, port, error);
  if (listener->listen_fd_ < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port, ": ", error));
  }
  listener->port_ = BoundPort(listener->listen_fd_);
  listener->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (listener->port_ <= 0 || listener->wake_fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host, ":", port, ": ", strerror(errno)));
  }
  listener->accept_thread_ = std::thread([raw = listener.get()] { raw->AcceptLoop(); });
  return listener;
}

HttpListener::HttpListener(ssl_ctx_st* tls, const HttpLimits& options, HttpRequestServer serve)
    : tls_(tls), options_(options), serve_(std::move(serve)) {}

HttpListener::~HttpListener() {
  Shutdown();
  if (listen_fd_ >= 0) close(listen_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

HttpListenerStats HttpListener::stats() const {
  absl::MutexLock lock(&mu_);
  return {.accepted = accepted_,
          .refused_per_peer = refused_per_peer_,
          .refused_total = refused_total_,
          .timed_out = timed_out_.load(),
          .open = static_cast<uint64_t>(open_)};
}

void HttpListener::AcceptLoop() {
  NameThisThread("http-accept");
  while (!stopping_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 || fds[1].revents != 0) continue;  // The loop checks stopping_.
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: the pending connection stays queued; try again shortly.
        LOG_EVERY_N(WARNING, 100) << "HTTPS listener: out of file descriptors";
        absl::SleepFor(absl::Milliseconds(10));
      }
      continue;
    }
    Peer peer = PeerOf(address);
    if (!Admit(peer.ip)) {
      close(fd);
      continue;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    Dispatch(std::make_unique<Connection>(fd, std::move(peer), options_.request_timeout));
  }
}

bool HttpListener::Admit(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  int& from_peer = open_per_peer_[peer];
  if (from_peer >= options_.max_connections_per_peer) {
    ++refused_per_peer_;
    LOG_EVERY_N(WARNING, 1000) << "HTTPS listener: refusing connections from " << peer
                               << ", which has " << from_peer << " open";
    return false;
  }
  if (open_ >= options_.max_connections) {
    if (from_peer == 0) open_per_peer_.erase(peer);
    ++refused_total_;
    LOG_EVERY_N(WARNING, 1000) << "HTTPS listener: refusing connections, " << open_ << " open";
    return false;
  }
  ++from_peer;
  ++open_;
  ++accepted_;
  return true;
}

void HttpListener::Release(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  --open_;
  auto at = open_per_peer_.find(peer);
  if (at != open_per_peer_.end() && --at->second <= 0) open_per_peer_.erase(at);
}

void HttpListener::Dispatch(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  waiting_.push_back(std::move(connection));
  // A thread per open connection: idle ones first, a new one if none is idle. Admit keeps
  // open connections, so threads, within max_connections.
  if (static_cast<size_t>(idle_workers_) < waiting_.size() &&
      workers_.size() < static_cast<size_t>(options_.max_connections)) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

void HttpListener::WorkerLoop() {
  NameThisThread("http-conn");
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      absl::MutexLock lock(&mu_);
      ++idle_workers_;
      mu_.Await(absl::Condition(
          +[](HttpListener* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !self->waiting_.empty() || self->stopping_.load();
          },
          this));
      --idle_workers_;
      if (waiting_.empty()) return;
      connection = std::move(waiting_.front());
      waiting_.pop_front();
    }
    const std::string peer = connection->peer.ip;
    Serve(*connection);
    connection.reset();  // Closed before it stops counting.
    Release(peer);
  }
}

void HttpListener::Serve(Connection& connection) {
  current_request = &connection.clock;
  if (tls_ != nullptr) {
    connection.ssl = SSL_new(tls_);
    if (connection.ssl == nullptr || SSL_set_fd(connection.ssl, connection.fd) != 1) return;
    SSL_set_mode(connection.ssl,
                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    for (;;) {
      ERR_clear_error();
      const int result = SSL_accept(connection.ssl);
      if (result == 1) break;
      const short want = TlsWant(connection.ssl, result);
      if (want == 0) return;
      const Waited waited = WaitFor(connection.fd, want, connection.clock.deadline, wake_fd_);
      if (waited == Waited::kTimedOut) ++timed_out_;
      if (waited != Waited::kReady) return;
    }
    connection.handshaken = true;
  }
  for (int served = 0; served < kMaxRequestsPerConnection; ++served) {
    if (served > 0) {
      const bool buffered = connection.ssl != nullptr && SSL_pending(connection.ssl) > 0;
      if (!buffered && WaitFor(connection.fd, POLLIN, absl::Now() + options_.idle_timeout,
                               wake_fd_) != Waited::kReady) {
        break;
      }
      connection.clock.deadline = absl::Now() + options_.request_timeout;
    }
    if (stopping_.load()) break;
    ConnectionStream stream(connection.fd, connection.ssl, connection.peer, connection.clock,
                            wake_fd_, kHttpWriteTimeout);
    bool closed = false;
    const bool last = served + 1 == kMaxRequestsPerConnection;
    const bool answered = serve_(stream, last, closed);
    if (stream.timed_out()) {
      // What arrived of the late request is not the start of another.
      ++timed_out_;
      break;
    }
    if (!answered || closed) break;
  }
  current_request = nullptr;
}

void HttpListener::Shutdown() {
  absl::MutexLock shutdown_lock(&shutdown_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_.load()) return;
    stopping_ = true;
  }
  if (wake_fd_ >= 0) eventfd_write(wake_fd_, 1);
  if (accept_thread_.joinable()) accept_thread_.join();
  // Resets the connections the kernel accepted and the loop did not yet take.
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
  std::vector<std::thread> workers;
  std::deque<std::unique_ptr<Connection>> waiting;
  {
    absl::MutexLock lock(&mu_);
    workers.swap(workers_);
    waiting.swap(waiting_);
  }
  for (std::unique_ptr<Connection>& connection : waiting) {
    const std::string peer = connection->peer.ip;
    connection.reset();
    Release(peer);
  }
  for (std::thread& worker : workers) worker.join();
}

void ExtendRequestDeadline(absl::Duration extra) {
  if (current_request == nullptr) return;
  current_request->deadline =
      std::max(current_request->deadline, absl::Now() + current_request->request_timeout + extra);
}

}  // namespace postura::collector
