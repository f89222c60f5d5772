#include "collector/api/grpc_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/api/listen_socket.h"
#include "common/base/sock_diag.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"
#include "grpcpp/resource_quota.h"

namespace postura::collector {

void SetGrpcServerLimits(const GrpcServerLimits& limits, grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(limits.max_message_bytes);
  grpc::ResourceQuota quota("postura-collector");
  quota.Resize(limits.memory_bytes);
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, limits.stream_window_bytes);
}

namespace {

// How often a full listener asks the kernel again whether connections closed.
constexpr absl::Duration kRecountEvery = absl::Milliseconds(100);

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcListener>> GrpcListener::Bind(
    const std::string& address, int max_connections, grpc::ServerBuilder& builder,
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  if (max_connections < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", max_connections, " gRPC connections: must be at least 1"));
  }
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", address, "' is not host:port"));
  }
  std::string error;
  const int fd = ListenOn(address.substr(0, colon), port, error);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, ": ", error));
  }
  std::unique_ptr<GrpcListener> listener(new GrpcListener());
  listener->listen_fd_ = fd;
  listener->port_ = BoundPort(fd);
  listener->max_connections_ = max_connections;
  listener->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (listener->wake_fd_ < 0) return absl::UnavailableError("cannot make an eventfd");
  listener->acceptor_ = builder.experimental().AddExternalConnectionAcceptor(
      grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
      std::move(credentials));
  return listener;
}

GrpcListener::~GrpcListener() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void GrpcListener::Start() {
  thread_ = std::thread([this] { AcceptLoop(); });
}

GrpcListenerStats GrpcListener::stats() const {
  return {.accepted = accepted_.load(), .refused = refused_.load(), .open = open_.load()};
}

void GrpcListener::AcceptLoop() {
  NameThisThread("grpc-accept");
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) {
      PLOG(ERROR) << "gRPC listener: poll";
      return;
    }
    if (fds[1].revents != 0) return;
    while (!stopping_) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        Admit(fd);
        continue;
      }
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: wait rather than spin on the pending connection.
        LOG_EVERY_N(ERROR, 100) << "gRPC listener: out of file descriptors";
        poll(nullptr, 0, 100);
      }
      break;  // EAGAIN, or a connection that went away before it was accepted.
    }
  }
}

void GrpcListener::Admit(int fd) {
  // known_open_ counts what was admitted since the last count: closes show only in a new
  // count, asked for only when the limit seems reached and at most every kRecountEvery,
  // so that clients retrying against a full collector cost an accept and a close each.
  const absl::Time now = absl::Now();
  if (known_open_ >= static_cast<uint64_t>(max_connections_) &&
      now - counted_at_ >= kRecountEvery) {
    const uint64_t counted = OpenConnections();  // `fd` included.
    known_open_ = counted > 0 ? counted - 1 : 0;
    counted_at_ = now;
  }
  if (known_open_ >= static_cast<uint64_t>(max_connections_)) {
    close(fd);
    open_ = known_open_;
    ++refused_;
    LOG_EVERY_N(WARNING, 1000) << "gRPC listener: " << max_connections_
                               << " connections open (limits.max_grpc_connections); closed a"
                               << " new one (" << refused_.load() << " so far)";
    return;
  }
  open_ = ++known_open_;
  ++accepted_;
  // What gRPC's own accept loop does and its hand-over does not: without it, Nagle's
  // algorithm held small writes (acknowledgements, watch updates) for the peer's delayed
  // ACK, 40 ms (scoring_bench: ingest ack p50 43 ms at 10,000 records/s).
  const int no_delay = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof(no_delay));
  grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters parameters;
  parameters.listener_fd = listen_fd_;
  parameters.fd = fd;
  acceptor_->HandleNewConnection(&parameters);  // gRPC owns fd now.
}

uint64_t GrpcListener::OpenConnections() const {
  // A connection still in the kernel's accept queue has no inode yet: it is not ours yet.
  uint64_t open = 0;
  absl::Status asked =
      ForEachInetSocket(IPPROTO_TCP, StateBit(kTcpEstablished) | StateBit(kTcpCloseWait),
                        [&](int, const inet_diag_msg& diag) {
                          if (ntohs(diag.id.idiag_sport) == port_ && diag.idiag_inode != 0) ++open;
                        });
  if (!asked.ok()) {
    LOG_EVERY_N(ERROR, 1000) << "gRPC listener cannot count its connections: " << asked;
    return 0;
  }
  return open;
}

}  // namespace postura::collector
