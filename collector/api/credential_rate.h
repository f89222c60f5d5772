#ifndef POSTURA_COLLECTOR_API_CREDENTIAL_RATE_H_
#define POSTURA_COLLECTOR_API_CREDENTIAL_RATE_H_

// Request rates per credential on the HTTPS API: a token bucket per credential, so that
// one API token or dashboard session (or a script gone wrong) cannot take the collector
// from everyone else. HttpServer asks it for every request that carries a credential,
// before the request's body is read; over the rate the request is answered 429 with the
// wait in Retry-After. Credentials are keyed by a hash of the text presented, valid or
// not, and never stored (failed ones are also refused per peer address by the access
// room's backoff).
//
// Memory is bounded: past `max_tracked` credentials, the buckets that have refilled (which
// behave as new ones) are dropped, and if that is not enough, all of them.
//
// Thread-safe.

#include <cstddef>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace postura::collector {

class CredentialRateLimiter {
 public:
  // REQUIRES: per_second > 0, burst >= 1, max_tracked >= 1.
  CredentialRateLimiter(double per_second, int burst, size_t max_tracked = 100'000);

  // Takes one request of `credential` at `now`: zero if it may proceed, else how long
  // until it could.
  absl::Duration Take(absl::string_view credential, absl::Time now);

  // Credentials with a bucket now (for tests).
  size_t tracked() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  void Refill(Bucket& bucket, absl::Time now) const;
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double per_second_;
  const double burst_;
  const size_t max_tracked_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_CREDENTIAL_RATE_H_
