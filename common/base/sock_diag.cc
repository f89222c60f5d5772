#include "common/base/sock_diag.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace postura {
namespace {

absl::Status Dump(int fd, int family, int protocol, uint32_t state_mask,
                  absl::FunctionRef<void(int family, const inet_diag_msg&)> visit) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = static_cast<uint8_t>(family);
  message.request.sdiag_protocol = static_cast<uint8_t>(protocol);
  message.request.idiag_states = state_mask;
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
      if (h->nlmsg_type == NLMSG_ERROR) {
        return absl::UnavailableError("sock_diag refused the request");
      }
      visit(family, *static_cast<const inet_diag_msg*>(NLMSG_DATA(h)));
    }
  }
}

}  // namespace

absl::Status ForEachInetSocket(int protocol, uint32_t state_mask,
                               absl::FunctionRef<void(int family, const inet_diag_msg&)> visit) {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("sock_diag socket: ", strerror(errno)));
  absl::Status status = Dump(fd, AF_INET, protocol, state_mask, visit);
  if (status.ok()) status = Dump(fd, AF_INET6, protocol, state_mask, visit);
  close(fd);
  return status;
}

}  // namespace postura
