// Token buckets per credential, on explicit times.

#include "collector/api/credential_rate.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

TEST(CredentialRateLimiterTest, RefillsAtItsRateUpToTheBurst) {
  CredentialRateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("a", t0), absl::Milliseconds(500));
  EXPECT_EQ(limiter.Take("b", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("a", t0 + absl::Milliseconds(500)), absl::ZeroDuration());
  EXPECT_GT(limiter.Take("a", t0 + absl::Milliseconds(500)), absl::ZeroDuration());
  // An hour idle refills to the burst, no more.
  const absl::Time later = t0 + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("a", later), absl::ZeroDuration());
  EXPECT_GT(limiter.Take("a", later), absl::ZeroDuration());
}

TEST(CredentialRateLimiterTest, TracksBoundedCredentialsDroppingRefilledOnes) {
  CredentialRateLimiter limiter(/*per_second=*/1, /*burst=*/1, /*max_tracked=*/4);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 4; ++i) limiter.Take(absl::StrCat("old-", i), t0);
  limiter.Take("busy", t0 + absl::Seconds(10));  // The old ones have refilled: dropped.
  EXPECT_EQ(limiter.tracked(), 1u);
  EXPECT_GT(limiter.Take("busy", t0 + absl::Seconds(10)), absl::ZeroDuration());
  for (int i = 0; i < 5; ++i) limiter.Take(absl::StrCat("new-", i), t0 + absl::Seconds(10));
  EXPECT_LE(limiter.tracked(), 4u);
}

}  // namespace
}  // namespace postura::collector
