#ifndef POSTURA_AGENT_CHECKS_RULES_SOCK_DIAG_H_
#define POSTURA_AGENT_CHECKS_RULES_SOCK_DIAG_H_

#include <vector>

#include "absl/status/statusor.h"
#include "agent/checks/rules/parsers.h"

namespace postura::agent {

// The live host's listening sockets (TCP in LISTEN, or unconnected UDP) of IPv4 and IPv6,
// asked of the kernel through sock_diag netlink, in the same form as ParseProcNet gives.
// Unlike reading /proc/net/tcp, which makes the kernel walk every established connection,
// the kernel returns only the listeners. Unavailable if netlink cannot be used.
absl::StatusOr<std::vector<SocketEntry>> LiveListeners(bool udp);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_SOCK_DIAG_H_
