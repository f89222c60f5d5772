#include "agent/checks/rules/sock_diag.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace postura::agent {
namespace {

constexpr int kTcpListen = 10;  // TCP_LISTEN
constexpr int kTcpClose = 7;    // TCP_CLOSE: an unconnected UDP socket

// Appends the family's listeners to `out`.
absl::Status Dump(int fd, int family, bool udp, std::vector<SocketEntry>& out) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = static_cast<uint8_t>(family);
  message.request.sdiag_protocol = udp ? IPPROTO_UDP : IPPROTO_TCP;
  message.request.idiag_states = 1u << (udp ? kTcpClose : kTcpListen);
  if (send(fd, &message, sizeof message, 0) < 0) {
    return absl::UnavailableError(absl::StrCat("sock_diag send: ", strerror(errno)));
  }
  alignas(nlmsghdr) char buffer[32768];
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) return absl::UnavailableError(absl::StrCat("sock_diag recv: ", strerror(errno)));
    int left = static_cast<int>(n);
    for (nlmsghdr* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type == NLMSG_DONE) return absl::OkStatus();
      if (h->nlmsg_type == NLMSG_ERROR)
        return absl::UnavailableError("sock_diag refused the request");
      const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      SocketEntry entry;
      // The address words as /proc/net prints them: each 32-bit word in host byte order.
      const int words = family == AF_INET ? 1 : 4;
      for (int i = 0; i < words; ++i)
        absl::StrAppendFormat(&entry.local_address, "%08X", diag->id.idiag_src[i]);
      entry.port = ntohs(diag->id.idiag_sport);
      entry.state = diag->idiag_state;
      out.push_back(std::move(entry));
    }
  }
}

}  // namespace

absl::StatusOr<std::vector<SocketEntry>> LiveListeners(bool udp) {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("sock_diag socket: ", strerror(errno)));
  std::vector<SocketEntry> listeners;
  absl::Status status = Dump(fd, AF_INET, udp, listeners);
  if (status.ok()) status = Dump(fd, AF_INET6, udp, listeners);
  close(fd);
  if (!status.ok()) return status;
  return listeners;
}

}  // namespace postura::agent
