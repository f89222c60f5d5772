#include "cli/time_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;

TEST(TimeTextTest, AgeUsesItsLargestWholeUnit) {
  EXPECT_EQ(AgeText(absl::Milliseconds(300)), "0s");
  EXPECT_EQ(AgeText(absl::Seconds(-5)), "0s");
  EXPECT_EQ(AgeText(absl::Seconds(45)), "45s");
  EXPECT_EQ(AgeText(absl::Seconds(125)), "2m");
  EXPECT_EQ(AgeText(absl::Hours(30)), "30h");
  EXPECT_EQ(AgeText(absl::Hours(24 * 9 + 3)), "9d");
}

TEST(TimeTextTest, UnixNanosShowInUtcAndZeroAsADash) {
  EXPECT_EQ(UnixNanosText(1'700'000'000'000'000'000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(UnixNanosText(0), "-");
}

TEST(TimeTextTest, SinceTakesGoDurationsAndDays) {
  EXPECT_EQ(*ParseSince("90m"), absl::Minutes(90));
  EXPECT_EQ(*ParseSince("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseSince("7d"), absl::Hours(168));
  EXPECT_THAT(ParseSince("yesterday").status().message(),
              HasSubstr("write one like 45s, 90m, 1h30m or 7d"));
  EXPECT_THAT(ParseSince("-1h").status().message(), HasSubstr("negative"));
}

TEST(TimeTextTest, Rfc3339TimesParseWithOffsets) {
  EXPECT_EQ(*ParseRfc3339("2023-11-14T22:13:20Z"), absl::FromUnixSeconds(1'700'000'000));
  EXPECT_EQ(*ParseRfc3339("2023-11-15T00:13:20+02:00"), absl::FromUnixSeconds(1'700'000'000));
  EXPECT_THAT(ParseRfc3339("14/11/2023").status().message(), HasSubstr("2024-05-01T12:00:00Z"));
}

}  // namespace
}  // namespace postura::cli
