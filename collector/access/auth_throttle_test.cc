// The failed-authentication backoff on a fake clock: when an address is refused, for how
// long, how the refusal grows and resets, and that other addresses are not affected.

#include "collector/access/auth_throttle.h"

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

class AuthThrottleTest : public testing::Test {
 protected:
  void Fail(int times, absl::string_view address = "10.0.0.1") {
    for (int i = 0; i < times; ++i) throttle_.RecordFailure(address);
  }
  bool Refused(absl::string_view address = "10.0.0.1") {
    return throttle_.Check(address).code() == absl::StatusCode::kResourceExhausted;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'763'900'000)};
  AuthThrottle throttle_{clock_, AuthThrottleOptions{}};
};

TEST_F(AuthThrottleTest, TenFailuresWithinAMinuteRefuseTheAddressForASecond) {
  Fail(9);
  EXPECT_FALSE(Refused());
  throttle_.RecordFailure("10.0.0.1");
  absl::Status refused = throttle_.Check("10.0.0.1");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("10.0.0.1"), std::string::npos) << refused;
  EXPECT_FALSE(Refused("10.0.0.2")) << "another address is not refused";
  clock_.Advance(absl::Milliseconds(999));
  EXPECT_TRUE(Refused());
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_FALSE(Refused());
  const AuthThrottleStats stats = throttle_.Stats();
  EXPECT_EQ(stats.failures, 10u);
  EXPECT_EQ(stats.refusals, 2u);
  EXPECT_EQ(stats.blocks, 1u);
  EXPECT_EQ(stats.blocked_addresses, 0u);
}

TEST_F(AuthThrottleTest, FailuresSpreadOverMoreThanTheWindowAreNotRefused) {
  for (int i = 0; i < 30; ++i) {
    throttle_.RecordFailure("10.0.0.1");
    clock_.Advance(absl::Seconds(7));  // 9 failures per 63 s at most.
    EXPECT_FALSE(Refused()) << "failure " << i;
  }
}

TEST_F(AuthThrottleTest, EachRefusalInARowDoublesUpToTheMaximumThenQuietResets) {
  absl::Duration expected = absl::Seconds(1);
  for (int block = 0; block < 12; ++block) {
    Fail(10);
    EXPECT_EQ(throttle_.Stats().blocked_addresses, 1u);
    clock_.Advance(expected - absl::Milliseconds(1));
    EXPECT_TRUE(Refused()) << "block " << block;
    clock_.Advance(absl::Milliseconds(1));
    EXPECT_FALSE(Refused()) << "block " << block;
    expected = std::min(expected * 2, absl::Minutes(5));
  }
  EXPECT_EQ(expected, absl::Minutes(5));
  // Five quiet minutes: the next refusal is short again.
  clock_.Advance(absl::Minutes(5));
  Fail(10);
  clock_.Advance(absl::Seconds(1));
  EXPECT_FALSE(Refused());
}

TEST_F(AuthThrottleTest, FailuresWhileRefusedDoNotExtendTheRefusal) {
  Fail(10);
  Fail(50);
  clock_.Advance(absl::Seconds(1));
  EXPECT_FALSE(Refused());
}

TEST(AuthThrottleLimitsTest, NewAddressesPastTheLimitAreNotTrackedUntilOldOnesAreForgotten) {
  FakeClock clock(absl::FromUnixSeconds(1'763'900'000));
  AuthThrottle throttle(clock, {.max_failures = 1, .max_addresses = 2});
  throttle.RecordFailure("a");
  throttle.RecordFailure("b");
  throttle.RecordFailure("c");
  EXPECT_FALSE(throttle.Check("a").ok());
  EXPECT_TRUE(throttle.Check("c").ok());
  clock.Advance(absl::Minutes(6));
  throttle.RecordFailure("c");
  EXPECT_FALSE(throttle.Check("c").ok());
}

TEST(PeerAddressTest, KeepsTheIpOfEveryShape) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:51234"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:51234"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[fe80::1%eth0]:9"), "fe80::1%eth0");
  EXPECT_EQ(PeerAddress("10.1.2.3:443"), "10.1.2.3");
  EXPECT_EQ(PeerAddress("[2001:db8::7]:443"), "2001:db8::7");
  EXPECT_EQ(PeerAddress("2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(PeerAddress("unix:/run/x.sock"), "unix");
  EXPECT_EQ(PeerAddress(""), "");
}

}  // namespace
}  // namespace postura::collector
