#ifndef POSTURA_COLLECTOR_ACCESS_AUTH_THROTTLE_H_
#define POSTURA_COLLECTOR_ACCESS_AUTH_THROTTLE_H_

// Backoff against guessing credentials: counts failed authentications per peer address
// (the IP, not the port) and, once an address has failed max_failures times within
// `window`, refuses it for a while without checking any credential it sends. The first
// refusal lasts first_block; each further one in a row doubles, up to max_block; an
// address that fails no more for max_block after its last failure or refusal starts
// again from first_block.
//
// The Gatekeeper asks it for every call that carries a credential (gRPC and HTTPS);
// /metrics reads Stats. Threading: thread-safe; every method takes one short lock.

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/base/clock.h"

namespace postura::collector {

struct AuthThrottleOptions {
  uint32_t max_failures = 10;
  absl::Duration window = absl::Minutes(1);
  absl::Duration first_block = absl::Seconds(1);
  absl::Duration max_block = absl::Minutes(5);
  // Addresses tracked at once; past it, a new address is not counted until old ones are
  // forgotten (an address is forgotten once it is neither refused nor failed recently).
  uint32_t max_addresses = 100000;
};

// Figures since start, for /metrics.
struct AuthThrottleStats {
  uint64_t failures = 0;           // Failed authentications counted.
  uint64_t refusals = 0;           // Calls refused because their address was blocked.
  uint64_t blocks = 0;             // Times an address began to be refused.
  uint64_t blocked_addresses = 0;  // Addresses refused now.
};

class AuthThrottle {
 public:
  // `clock` is borrowed and must outlive the throttle.
  AuthThrottle(Clock& clock, const AuthThrottleOptions& options)
      : clock_(clock), options_(options) {}

  // OK if calls from `address` may be checked; ResourceExhausted saying when to retry
  // while it is refused (the refusal is counted).
  absl::Status Check(absl::string_view address);
  // Counts a failed authentication from `address`; the failure that reaches max_failures
  // within the window starts a refusal.
  void RecordFailure(absl::string_view address);

  AuthThrottleStats Stats() const;

 private:
  struct Peer {
    uint32_t failures = 0;  // Within the window that began at window_start.
    absl::Time window_start;
    absl::Time last_failure;
    absl::Time blocked_until = absl::InfinitePast();  // Refused until then.
    absl::Duration last_block;                        // Zero before a refusal in a row.
  };
  // Drops the addresses that are neither refused nor within max_block of a failure.
  void Forget(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  const AuthThrottleOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Peer> peers_ ABSL_GUARDED_BY(mu_);
  AuthThrottleStats stats_ ABSL_GUARDED_BY(mu_);
};

// The address part of a peer: the IP of gRPC's peer text ("ipv4:10.0.0.1:5000" ->
// "10.0.0.1", "ipv6:[::1]:5000" -> "::1") or of "host:port" / "[v6]:port"; the text as it
// is when it has no port.
std::string PeerAddress(absl::string_view peer);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_AUTH_THROTTLE_H_
