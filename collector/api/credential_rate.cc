#include "collector/api/credential_rate.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "glog/logging.h"

namespace postura::collector {

CredentialRateLimiter::CredentialRateLimiter(double per_second, int burst, size_t max_tracked)
    : per_second_(per_second), burst_(burst), max_tracked_(max_tracked) {
  CHECK_GT(per_second, 0);
  CHECK_GE(burst, 1);
  CHECK_GE(max_tracked, 1u);
}

void CredentialRateLimiter::Refill(Bucket& bucket, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.updated = std::max(bucket.updated, now);
}

absl::Duration CredentialRateLimiter::Take(absl::string_view credential, absl::Time now) {
  // absl::Hash is seeded per process, so a client cannot aim at another's bucket.
  const uint64_t key = absl::Hash<absl::string_view>()(credential);
  absl::MutexLock lock(&mu_);
  auto [at, added] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = at->second;
  if (!added) Refill(bucket, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    if (added && buckets_.size() > max_tracked_) Prune(now);
    return absl::ZeroDuration();
  }
  return absl::Seconds((1 - bucket.tokens) / per_second_);
}

void CredentialRateLimiter::Prune(absl::Time now) {
  absl::erase_if(buckets_, [&](const auto& entry) {
    Bucket refilled = entry.second;
    Refill(refilled, now);
    return refilled.tokens >= burst_;
  });
  if (buckets_.size() > max_tracked_) {
    LOG(WARNING) << "HTTP rate limits: " << buckets_.size() << " credentials busy at once, over "
                 << max_tracked_ << "; starting afresh";
    buckets_.clear();
  }
}

size_t CredentialRateLimiter::tracked() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace postura::collector
