#ifndef POSTURA_COLLECTOR_API_HTTP_LISTENER_H_
#define POSTURA_COLLECTOR_API_HTTP_LISTENER_H_

// The HTTPS listener under HttpServer (http_server.h): it owns the listening socket,
// accepts, bounds connections (per peer address and in total), does the TLS handshake and
// serves each connection on a thread of its own, handing one request at a time to
// HttpServer (which parses and answers it through cpp-httplib). It exists because httplib
// 0.11 serves one connection per pool thread and has no deadline for a whole request: a
// client that sends a header line every 2 seconds held a worker for ever, and 16 such
// connections stopped the API.
//
// Deadlines, without a watchdog: sockets are non-blocking and every read waits in poll()
// at most until the request's deadline (HttpLimits::request_timeout; an upload may extend
// its own, ExtendRequestDeadline), so none outlasts it. A slow client thus holds one
// thread of its own until its deadline, while every other connection has its own thread.
//
// Threading: Start and Shutdown from the owner; the serving callback runs on the
// connection threads, several at once.

#include <openssl/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/api/http_limits.h"

namespace httplib {
class Stream;
}  // namespace httplib

namespace postura::collector {

// Requests served on one connection before it closes, and how long a write may wait
// for the client to take more bytes.
inline constexpr int kMaxRequestsPerConnection = 100;
inline constexpr absl::Duration kHttpWriteTimeout = absl::Seconds(10);

// Figures since Start, for logs, tests and benchmarks.
struct HttpListenerStats {
  uint64_t accepted = 0;          // Connections taken to be served.
  uint64_t refused_per_peer = 0;  // Closed at once: their peer had too many open.
  uint64_t refused_total = 0;     // Closed at once: the listener had too many open.
  uint64_t timed_out = 0;         // Closed because a request missed its deadline.
  uint64_t open = 0;              // Connections open now.
};

// Serves one request read from `stream` (httplib's Server::process_request): false, or
// `connection_closed` set, closes the connection. `close_connection` asks it to answer
// with "Connection: close".
using HttpRequestServer =
    std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed)>;

class HttpListener {
 public:
  // Listens on `host`:`port` (port 0 picks one; see port()) and starts accepting. With
  // `tls` (which must outlive the listener) connections speak TLS; without, plain HTTP
  // (tests). InvalidArgument for a bad limit, Unavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Start(const std::string& host, int port,
                                                             ssl_ctx_st* tls,
                                                             const HttpLimits& limits,
                                                             HttpRequestServer serve);
  ~HttpListener();  // Shuts down.

  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const { return port_; }
  HttpListenerStats stats() const;

  // Stops accepting, ends the connections that wait for a request (idle or arriving),
  // lets requests being answered finish, and joins every thread. Idempotent.
  void Shutdown();

 private:
  struct Connection;
  HttpListener(ssl_ctx_st* tls, const HttpLimits& limits, HttpRequestServer serve);
  void AcceptLoop();
  // Counts `peer` in, or returns false (and counts the refusal) if a bound is reached.
  bool Admit(const std::string& peer);
  void Release(const std::string& peer);
  void Dispatch(std::unique_ptr<Connection> connection);
  void WorkerLoop();
  void Serve(Connection& connection);

  ssl_ctx_st* const tls_;
  const HttpLimits options_;
  const HttpRequestServer serve_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // An eventfd, readable once Shutdown begins.
  int port_ = 0;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> timed_out_{0};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> open_per_peer_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_per_peer_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_total_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::unique_ptr<Connection>> waiting_ ABSL_GUARDED_BY(mu_);
  int idle_workers_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
  absl::Mutex shutdown_mu_;  // Serializes Shutdown.
};

// Moves the deadline of the request being read on the calling thread to at least
// `extra` after request_timeout from now: for an upload route, once its Content-Length is
// known. Does nothing off a connection thread.
void ExtendRequestDeadline(absl::Duration extra);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HTTP_LISTENER_H_
