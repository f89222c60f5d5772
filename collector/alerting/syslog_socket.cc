#include "collector/alerting/syslog_socket.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/alerting/syslog_message.h"

namespace postura::collector {
namespace {

absl::Status AddressError(absl::string_view text, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' ", problem));
}

// Milliseconds left until `deadline` for poll(), at least 0.
int MillisecondsUntil(absl::Time deadline) {
  const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
  return static_cast<int>(std::clamp<int64_t>(left, 0, 1'000'000));
}

// Waits until `fd` is ready for `events` or `deadline` passes; false on timeout.
bool WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    pollfd ready{fd, events, 0};
    const int result = poll(&ready, 1, MillisecondsUntil(deadline));
    if (result > 0) return true;
    if (result == 0 || errno != EINTR) return false;
  }
}

}  // namespace

absl::StatusOr<SyslogTransport> ParseSyslogTransport(absl::string_view text) {
  if (text == "udp") return SyslogTransport::kUdp;
  if (text == "tcp") return SyslogTransport::kTcp;
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not udp or tcp"));
}

absl::StatusOr<SyslogAddress> ParseSyslogAddress(absl::string_view text) {
  SyslogAddress address;
  absl::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos || text.substr(close + 1, 1) != ":") {
      return AddressError(text, "is not [ipv6-address]:port");
    }
    address.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) return AddressError(text, "is not host:port");
    address.host = std::string(text.substr(0, colon));
    if (address.host.find(':') != std::string::npos) {
      return AddressError(text, "has an IPv6 address without brackets: write [address]:port");
    }
    port = text.substr(colon + 1);
  }
  if (address.host.empty()) return AddressError(text, "has no host before the port");
  int number = 0;
  if (port.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
    return AddressError(text, "has no port 1-65535 after the last ':'");
  }
  address.port = static_cast<uint16_t>(number);
  return address;
}

SyslogSocket::SyslogSocket(SyslogAddress address, SyslogTransport transport, absl::Duration timeout)
    : address_(std::move(address)), transport_(transport), timeout_(timeout) {}

SyslogSocket::~SyslogSocket() { Close(); }

std::string SyslogSocket::Describe() const {
  const bool ipv6 = address_.host.find(':') != std::string::npos;
  return absl::StrCat(transport_ == SyslogTransport::kTcp ? "tcp " : "udp ", ipv6 ? "[" : "",
                      address_.host, ipv6 ? "]:" : ":", address_.port);
}

void SyslogSocket::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::Status SyslogSocket::Send(absl::string_view message) {
  if (fd_ >= 0 && PeerClosed()) Close();
  if (fd_ < 0) {
    if (absl::Status connected = Connect(); !connected.ok()) return connected;
  }
  const std::string framed =
      transport_ == SyslogTransport::kTcp ? FrameOctetCounted(message) : std::string(message);
  absl::Status sent = SendAll(framed, absl::Now() + timeout_);
  // A TCP stream with half a frame in it would garble the next message: start afresh.
  if (!sent.ok()) Close();
  return sent;
}

absl::Status SyslogSocket::Connect() {
  const absl::Time deadline = absl::Now() + timeout_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport_ == SyslogTransport::kTcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* candidates = nullptr;
  const int resolved = getaddrinfo(address_.host.c_str(), std::to_string(address_.port).c_str(),
                                   &hints, &candidates);
  if (resolved != 0) {
    return absl::UnavailableError(
        absl::StrCat("syslog ", Describe(), ": cannot resolve: ", gai_strerror(resolved)));
  }
  absl::Status last = absl::UnavailableError(absl::StrCat("syslog ", Describe(), ": no address"));
  for (const addrinfo* candidate = candidates; candidate != nullptr;
       candidate = candidate->ai_next) {
    last = ConnectTo(*candidate, deadline);
    if (last.ok()) break;
  }
  freeaddrinfo(candidates);
  return last;
}

absl::Status SyslogSocket::ConnectTo(const addrinfo& candidate, absl::Time deadline) {
  fd_ = socket(candidate.ai_family, candidate.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
               candidate.ai_protocol);
  if (fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("syslog ", Describe(), ": socket: ", strerror(errno)));
  }
  int error = 0;
  if (connect(fd_, candidate.ai_addr, candidate.ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      socklen_t length = sizeof(error);
      if (!WaitFor(fd_, POLLOUT, deadline)) {
        error = ETIMEDOUT;
      } else if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
      }
    }
  }
  if (error == 0) return absl::OkStatus();
  Close();
  return absl::UnavailableError(
      absl::StrCat("syslog ", Describe(), ": cannot connect: ", strerror(error)));
}

absl::Status SyslogSocket::SendAll(absl::string_view bytes, absl::Time deadline) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return absl::UnavailableError(
          absl::StrCat("syslog ", Describe(), ": send failed: ", strerror(errno)));
    }
    if (!WaitFor(fd_, POLLOUT, deadline)) {
      return absl::UnavailableError(absl::StrCat("syslog ", Describe(), ": send timed out after ",
                                                 absl::FormatDuration(timeout_)));
    }
  }
  return absl::OkStatus();
}

bool SyslogSocket::PeerClosed() {
  if (transport_ != SyslogTransport::kTcp) return false;
  // A syslog receiver sends nothing: readable means it closed or reset the connection.
  // Anything it did send is read and ignored.
  char ignored[512];
  while (true) {
    const ssize_t got = recv(fd_, ignored, sizeof(ignored), MSG_DONTWAIT);
    if (got > 0) continue;
    if (got < 0 && errno == EINTR) continue;
    return got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  }
}

}  // namespace postura::collector
