#include "tests/testing/held_tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace postura::test {
namespace {

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool WaitFor(int fd, short events, absl::Time deadline) {
  for (;;) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) return false;
    pollfd one{fd, events, 0};
    const int n = poll(&one, 1, static_cast<int>(std::min<int64_t>(left, INT_MAX)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

absl::StatusOr<int> Connect(const std::string& source_ip, const std::string& server) {
  const size_t colon = server.rfind(':');
  int port = 0;
  sockaddr_in from{}, to{};
  from.sin_family = to.sin_family = AF_INET;
  if (colon == std::string::npos || !absl::SimpleAtoi(server.substr(colon + 1), &port) ||
      inet_pton(AF_INET, source_ip.c_str(), &from.sin_addr) != 1 ||
      inet_pton(AF_INET, server.substr(0, colon).c_str(), &to.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not IPv4: ", source_ip, " -> ", server));
  }
  to.sin_port = htons(static_cast<uint16_t>(port));
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
    const std::string error = strerror(errno);
    close(fd);
    return absl::UnavailableError(absl::StrCat(source_ip, " -> ", server, ": ", error));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HeldTlsConnection>> HeldTlsConnection::Open(
    const std::string& source_ip, const std::string& server, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<int> fd = Connect(source_ip, server);
  if (!fd.ok()) return fd.status();
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL* ssl = context != nullptr ? SSL_new(context) : nullptr;
  // Owns fd, context and ssl from here.
  std::unique_ptr<HeldTlsConnection> held(new HeldTlsConnection(*fd, context, ssl));
  if (ssl == nullptr || SSL_set_fd(ssl, *fd) != 1) {
    return absl::InternalError("OpenSSL cannot make a client connection");
  }
  // Non-blocking, so that a server that never answers cannot hold the caller.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK);
  for (;;) {
    ERR_clear_error();
    const int result = SSL_connect(ssl);
    if (result == 1) return held;
    const int error = SSL_get_error(ssl, result);
    const short want = error == SSL_ERROR_WANT_READ    ? POLLIN
                       : error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                       : 0;
    ERR_clear_error();
    if (want == 0) {
      return absl::UnavailableError(
          absl::StrCat(source_ip, " -> ", server, ": the server ended the TLS handshake"));
    }
    if (!WaitFor(*fd, want, deadline)) {
      return absl::DeadlineExceededError(absl::StrCat(
          source_ip, " -> ", server, ": no TLS handshake within ", absl::FormatDuration(timeout)));
    }
  }
}

HeldTlsConnection::~HeldTlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (context_ != nullptr) SSL_CTX_free(context_);
  close(fd_);
  ERR_clear_error();
}

bool HeldTlsConnection::Send(absl::string_view bytes) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!bytes.empty()) {
    ERR_clear_error();
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_WRITE && WaitFor(fd_, POLLOUT, deadline)) continue;
    if (error == SSL_ERROR_WANT_READ && WaitFor(fd_, POLLIN, deadline)) continue;
    return false;
  }
  return true;
}

bool HeldTlsConnection::ClosedWithin(absl::Duration timeout) {
  return ReadUntilClosed(timeout).has_value();
}

std::optional<std::string> HeldTlsConnection::ReadUntilClosed(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string received;
  for (;;) {
    char buffer[4096];
    ERR_clear_error();
    const int n = SSL_read(ssl_, buffer, sizeof(buffer));
    if (n > 0) {
      received.append(buffer, static_cast<size_t>(n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return received;
    if (!WaitFor(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
      return std::nullopt;
    }
  }
}

}  // namespace postura::test
