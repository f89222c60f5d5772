#ifndef POSTURA_COLLECTOR_API_GRPC_LISTENER_H_
#define POSTURA_COLLECTOR_API_GRPC_LISTENER_H_

// The collector's gRPC listening socket, accepted by the collector itself and handed to
// gRPC (ServerBuilder's external connection acceptor), so that the number of connections
// is bounded: gRPC 1.51 accepts every connection it is offered, and each TLS connection
// holds 120 to 200 KB (OpenSSL's buffers, gRPC's endpoint, read slices) whatever the
// collector's budgets, so a thousand agents, or a flood of connections from anyone, could
// raise its memory without limit (bench/README.md). A connection accepted when
// `max_connections` are open is closed at once; the client's channel retries later.
//
// Open connections are counted by asking the kernel (sock_diag) for the accepted,
// established sockets whose local port is the listener's, so a connection gRPC closed
// counts no more; the kernel is asked only when the limit seems reached, at most ten
// times a second.
// This counts every process's sockets on that port number: only the collector's, unless
// another program binds the same port on another address.
//
// Threading: Bind and Start from the owner; one accept thread; stats() from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server_builder.h"

namespace postura::collector {

// Figures since Start, for /metrics and tests.
struct GrpcListenerStats {
  uint64_t accepted = 0;  // Connections handed to gRPC.
  uint64_t refused = 0;   // Closed at once: `max_connections` were open.
  uint64_t open = 0;      // Open after the last accept, at most (see Admit).
};

// What the collector's gRPC server may hold per message, in all, and per stream.
struct GrpcServerLimits {
  int max_message_bytes = 4 << 20;    // One received message.
  size_t memory_bytes = 128 << 20;    // gRPC's buffers, all connections (a ResourceQuota).
  int stream_window_bytes = 4 << 10;  // HTTP/2 window of one stream.
};

// Sets `limits` on `builder`, with HTTP/2 bandwidth probing off: the ingest streams pace
// agents themselves, and windows grown by probing would only hold more unread batches
// per connection (bench/README.md, 2026-12-06).
void SetGrpcServerLimits(const GrpcServerLimits& limits, grpc::ServerBuilder& builder);

class GrpcListener {
 public:
  // Binds and listens on `address` ("host:port"; port 0 picks one, see port()), and
  // adds to `builder` the acceptor that connections go to, speaking `credentials`.
  // InvalidArgument for a malformed address or a limit below 1; Unavailable if the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcListener>> Bind(
      const std::string& address, int max_connections, grpc::ServerBuilder& builder,
      std::shared_ptr<grpc::ServerCredentials> credentials);
  ~GrpcListener();  // Stops accepting and closes the listening socket.

  GrpcListener(const GrpcListener&) = delete;
  GrpcListener& operator=(const GrpcListener&) = delete;

  int port() const { return port_; }

  // Starts accepting: call once the server built by Bind's builder has started.
  void Start();

  GrpcListenerStats stats() const;

 private:
  GrpcListener() = default;
  void AcceptLoop();
  // Hands `fd` to gRPC, or closes it when the limit is reached.
  void Admit(int fd);
  // Established connections on the listener's port, the one just accepted included;
  // 0 if the kernel cannot be asked (the limit is then not applied).
  uint64_t OpenConnections() const;

  int listen_fd_ = -1;
  int wake_fd_ = -1;  // An eventfd that ends the accept thread's wait.
  int port_ = 0;
  int max_connections_ = 0;
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> open_{0};
  // Accept thread only: connections open at most (the last count, plus those admitted
  // since), and when the kernel was last asked.
  uint64_t known_open_ = 0;
  absl::Time counted_at_ = absl::InfinitePast();
  std::thread thread_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_GRPC_LISTENER_H_
