#include "collector/alerting/syslog_test_receiver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace postura::collector::test {
namespace {

absl::Status Broken(absl::string_view what, absl::string_view rest) {
  return absl::InvalidArgumentError(absl::StrCat(what, " at '", rest.substr(0, 40), "'"));
}

// Takes the text up to the next space (exclusive) off the front of `rest`.
bool TakeToken(absl::string_view& rest, std::string& token) {
  const size_t space = rest.find(' ');
  if (space == absl::string_view::npos || space == 0) return false;
  token = std::string(rest.substr(0, space));
  rest.remove_prefix(space + 1);
  return true;
}

// Reads `name="value"` with RFC 5424 escapes; `rest` starts at the name.
bool TakeParam(absl::string_view& rest, std::string& name, std::string& value) {
  const size_t equals = rest.find("=\"");
  if (equals == absl::string_view::npos || equals == 0) return false;
  name = std::string(rest.substr(0, equals));
  rest.remove_prefix(equals + 2);
  value.clear();
  while (!rest.empty()) {
    const char c = rest.front();
    rest.remove_prefix(1);
    if (c == '"') return true;
    if (c == '\\' && !rest.empty() &&
        (rest.front() == '"' || rest.front() == '\\' || rest.front() == ']')) {
      value.push_back(rest.front());
      rest.remove_prefix(1);
      continue;
    }
    if (c == ']') return false;  // An unescaped ']' inside a value breaks the element.
    value.push_back(c);
  }
  return false;
}

absl::Status TakeStructuredData(absl::string_view& rest, ParsedSyslog& parsed) {
  if (rest.empty() || rest.front() != '[') return Broken("expected '['", rest);
  rest.remove_prefix(1);
  const size_t id_end = rest.find_first_of(" ]");
  if (id_end == absl::string_view::npos) return Broken("unterminated SD-ID", rest);
  parsed.sd_id = std::string(rest.substr(0, id_end));
  rest.remove_prefix(id_end);
  while (!rest.empty() && rest.front() == ' ') {
    rest.remove_prefix(1);
    std::string name, value;
    if (!TakeParam(rest, name, value)) return Broken("bad SD-PARAM", rest);
    if (!parsed.params.emplace(name, value).second) return Broken("repeated SD-PARAM", name);
  }
  if (rest.empty() || rest.front() != ']') return Broken("expected ']'", rest);
  rest.remove_prefix(1);
  return absl::OkStatus();
}

absl::StatusOr<int> BindLoopback(int type, uint16_t port, uint16_t& bound_port) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:", port, ": ", error));
  }
  bound_port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

absl::StatusOr<ParsedSyslog> ParseSyslogMessage(absl::string_view message) {
  ParsedSyslog parsed;
  absl::string_view rest = message;
  const size_t close = rest.find('>');
  if (rest.empty() || rest.front() != '<' || close == absl::string_view::npos ||
      !absl::SimpleAtoi(rest.substr(1, close - 1), &parsed.priority)) {
    return Broken("expected <PRI>", rest);
  }
  rest.remove_prefix(close + 1);
  std::string version;
  if (!TakeToken(rest, version) || !absl::SimpleAtoi(version, &parsed.version)) {
    return Broken("expected VERSION", rest);
  }
  for (std::string* field :
       {&parsed.timestamp, &parsed.hostname, &parsed.app_name, &parsed.proc_id, &parsed.msg_id}) {
    if (!TakeToken(rest, *field)) return Broken("expected a header field", rest);
  }
  if (absl::Status s = TakeStructuredData(rest, parsed); !s.ok()) return s;
  if (rest.empty()) return parsed;
  if (rest.front() != ' ') return Broken("expected a space before MSG", rest);
  rest.remove_prefix(1);
  parsed.has_bom = absl::ConsumePrefix(&rest, "\xEF\xBB\xBF");
  parsed.msg = std::string(rest);
  return parsed;
}

absl::StatusOr<std::unique_ptr<UdpSyslogReceiver>> UdpSyslogReceiver::Start() {
  uint16_t port = 0;
  absl::StatusOr<int> fd = BindLoopback(SOCK_DGRAM, 0, port);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<UdpSyslogReceiver>(new UdpSyslogReceiver(*fd, port));
}

UdpSyslogReceiver::~UdpSyslogReceiver() { close(fd_); }

absl::StatusOr<std::string> UdpSyslogReceiver::Receive(absl::Duration timeout) {
  pollfd ready{fd_, POLLIN, 0};
  if (poll(&ready, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) != 1) {
    return absl::DeadlineExceededError("no datagram arrived");
  }
  std::string datagram(65536, '\0');
  const ssize_t size = recv(fd_, datagram.data(), datagram.size(), 0);
  if (size < 0) return absl::InternalError(absl::StrCat("recv: ", strerror(errno)));
  datagram.resize(static_cast<size_t>(size));
  return datagram;
}

absl::StatusOr<std::unique_ptr<RefusingPort>> RefusingPort::Reserve() {
  uint16_t port = 0;
  absl::StatusOr<int> fd = BindLoopback(SOCK_STREAM, 0, port);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<RefusingPort>(new RefusingPort(*fd, port));
}

RefusingPort::~RefusingPort() { close(fd_); }

absl::StatusOr<std::unique_ptr<TcpSyslogReceiver>> TcpSyslogReceiver::Start(uint16_t port) {
  uint16_t bound_port = 0;
  absl::StatusOr<int> fd = BindLoopback(SOCK_STREAM, port, bound_port);
  if (!fd.ok()) return fd.status();
  int wake_fds[2];
  if (listen(*fd, 8) != 0 || pipe2(wake_fds, O_CLOEXEC) != 0) {
    const std::string error = strerror(errno);
    close(*fd);
    return absl::InternalError(absl::StrCat("listen or pipe: ", error));
  }
  return std::unique_ptr<TcpSyslogReceiver>(new TcpSyslogReceiver(*fd, wake_fds, bound_port));
}

TcpSyslogReceiver::TcpSyslogReceiver(int listen_fd, const int wake_fds[2], uint16_t port)
    : listen_fd_(listen_fd), wake_fds_{wake_fds[0], wake_fds[1]}, port_(port) {
  thread_ = std::thread([this] { Serve(); });
}

TcpSyslogReceiver::~TcpSyslogReceiver() { Stop(); }

void TcpSyslogReceiver::Stop() {
  if (!thread_.joinable()) return;
  const char wake = 'x';
  while (write(wake_fds_[1], &wake, 1) != 1 && errno == EINTR) {
  }
  thread_.join();
  close(listen_fd_);
  close(wake_fds_[0]);
  close(wake_fds_[1]);
}

std::vector<std::string> TcpSyslogReceiver::WaitForMessages(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]()
                    ABSL_SHARED_LOCKS_REQUIRED(mu_) { return messages_.size() >= count; };
  mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return messages_;
}

void TcpSyslogReceiver::AppendFrames(std::string& buffer) {
  while (true) {
    const size_t space = buffer.find(' ');
    if (space == std::string::npos) return;
    size_t length = 0;
    if (!absl::SimpleAtoi(absl::string_view(buffer).substr(0, space), &length)) {
      absl::MutexLock lock(&mu_);
      messages_.push_back(absl::StrCat("<bad frame: ", buffer.substr(0, 20), ">"));
      buffer.clear();
      return;
    }
    if (buffer.size() < space + 1 + length) return;
    absl::MutexLock lock(&mu_);
    messages_.push_back(buffer.substr(space + 1, length));
    buffer.erase(0, space + 1 + length);
  }
}

void TcpSyslogReceiver::Serve() {
  std::vector<int> connections;
  std::map<int, std::string> buffers;
  while (true) {
    std::vector<pollfd> watched = {{wake_fds_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (int fd : connections) watched.push_back({fd, POLLIN, 0});
    if (poll(watched.data(), watched.size(), -1) < 0 && errno != EINTR) break;
    if (watched[0].revents != 0) break;
    if (watched[1].revents & POLLIN) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) connections.push_back(fd);
    }
    for (size_t i = 2; i < watched.size(); ++i) {
      if (watched[i].revents == 0) continue;
      char chunk[4096];
      const ssize_t size = recv(watched[i].fd, chunk, sizeof(chunk), 0);
      if (size <= 0) {
        close(watched[i].fd);
        buffers.erase(watched[i].fd);
        std::erase(connections, watched[i].fd);
        continue;
      }
      std::string& buffer = buffers[watched[i].fd];
      buffer.append(chunk, static_cast<size_t>(size));
      AppendFrames(buffer);
    }
  }
  for (int fd : connections) close(fd);
}

}  // namespace postura::collector::test
