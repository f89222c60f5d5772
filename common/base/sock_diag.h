#ifndef POSTURA_COMMON_BASE_SOCK_DIAG_H_
#define POSTURA_COMMON_BASE_SOCK_DIAG_H_

// The host's TCP or UDP sockets of IPv4 and IPv6 in chosen states, asked of the kernel
// through sock_diag netlink (the kernel filters by state, so asking for listeners does
// not walk every connection as reading /proc/net/tcp does). Used by the agent's listener
// checks and by the collector to count its own gRPC connections. Linux only; any thread.

#include <linux/inet_diag.h>

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace postura {

// TCP states as the kernel numbers them (include/net/tcp_states.h), for state masks.
enum TcpState : uint8_t {
  kTcpEstablished = 1,
  kTcpCloseWait = 8,
  kTcpListen = 10,
  kTcpClose = 7,  // For UDP: an unconnected socket.
};

constexpr uint32_t StateBit(TcpState state) { return 1u << state; }

// Calls `visit` for every socket of `protocol` (IPPROTO_TCP or IPPROTO_UDP) whose state is
// in `state_mask`, IPv4 first. Unavailable if netlink cannot be used.
absl::Status ForEachInetSocket(int protocol, uint32_t state_mask,
                               absl::FunctionRef<void(int family, const inet_diag_msg&)> visit);

}  // namespace postura

#endif  // POSTURA_COMMON_BASE_SOCK_DIAG_H_
