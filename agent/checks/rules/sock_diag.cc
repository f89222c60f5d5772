#include "agent/checks/rules/sock_diag.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "absl/strings/str_format.h"
#include "common/base/sock_diag.h"

namespace postura::agent {

absl::StatusOr<std::vector<SocketEntry>> LiveListeners(bool udp) {
  std::vector<SocketEntry> listeners;
  absl::Status status = ForEachInetSocket(
      udp ? IPPROTO_UDP : IPPROTO_TCP, StateBit(udp ? kTcpClose : kTcpListen),
      [&](int family, const inet_diag_msg& diag) {
        SocketEntry entry;
        // The address words as /proc/net prints them: each 32-bit word in host byte order.
        const int words = family == AF_INET ? 1 : 4;
        for (int i = 0; i < words; ++i) {
          absl::StrAppendFormat(&entry.local_address, "%08X", diag.id.idiag_src[i]);
        }
        entry.port = ntohs(diag.id.idiag_sport);
        entry.state = diag.idiag_state;
        listeners.push_back(std::move(entry));
      });
  if (!status.ok()) return status;
  return listeners;
}

}  // namespace postura::agent
