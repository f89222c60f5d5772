#include "tests/testing/tcp_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace postura::test {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// Writes all of `data`; false once the peer is gone.
bool WriteAll(int fd, const char* data, ssize_t size) {
  while (size > 0) {
    const ssize_t written = send(fd, data, static_cast<size_t>(size), MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    size -= written;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpRelay>> TcpRelay::Start(int target_port) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(listener, 64) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string why = strerror(errno);
    close(listener);
    return absl::InternalError(absl::StrCat("relay listener: ", why));
  }
  return std::unique_ptr<TcpRelay>(new TcpRelay(listener, ntohs(address.sin_port), target_port));
}

TcpRelay::TcpRelay(int listener, int port, int target_port)
    : listener_(listener), port_(port), target_port_(target_port) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpRelay::~TcpRelay() {
  stopping_ = true;
  acceptor_.join();
  std::vector<std::thread> relays;
  {
    absl::MutexLock lock(&mu_);
    ShutDownRelayed();
    relays.swap(relays_);
  }
  for (std::thread& relay : relays) relay.join();
  close(listener_);
}

void TcpRelay::Cut() {
  absl::MutexLock lock(&mu_);
  cut_ = true;
  cut_connections_ += static_cast<int>(open_sockets_.size() / 2);
  ShutDownRelayed();
}

void TcpRelay::Heal() {
  absl::MutexLock lock(&mu_);
  cut_ = false;
}

void TcpRelay::ShutDownRelayed() {
  for (int fd : open_sockets_) shutdown(fd, SHUT_RDWR);
}

void TcpRelay::AcceptLoop() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (poll(&waiting, 1, 100) <= 0) continue;
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    absl::MutexLock lock(&mu_);
    if (cut_) {
      ++cut_connections_;
      close(client);
      continue;
    }
    const int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in target = Loopback(target_port_);
    if (upstream < 0 ||
        connect(upstream, reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
      if (upstream >= 0) close(upstream);
      close(client);
      continue;
    }
    ++relayed_;
    open_sockets_.push_back(client);
    open_sockets_.push_back(upstream);
    relays_.emplace_back([this, client, upstream] { Relay(client, upstream); });
  }
}

void TcpRelay::Relay(int client, int upstream) {
  pollfd ends[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  char buffer[16384];
  bool open = true;
  while (open && !stopping_) {
    if (poll(ends, 2, 100) < 0 && errno != EINTR) break;
    for (int from = 0; from < 2 && open; ++from) {
      if (ends[from].revents == 0) continue;
      const ssize_t got = recv(ends[from].fd, buffer, sizeof(buffer), 0);
      open = got > 0 && WriteAll(ends[1 - from].fd, buffer, got);
    }
  }
  absl::MutexLock lock(&mu_);
  for (int fd : {client, upstream}) {
    open_sockets_.erase(std::find(open_sockets_.begin(), open_sockets_.end(), fd));
    close(fd);
  }
}

}  // namespace postura::test
