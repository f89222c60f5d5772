#include "common/model/fraction.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

TEST(FractionTest, ParsesAndReducesToLowestTerms) {
  absl::StatusOr<Fraction> f = Fraction::Parse("6/20");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->numerator(), 3);
  EXPECT_EQ(f->denominator(), 10);
  EXPECT_EQ(f->ToString(), "3/10");
  EXPECT_DOUBLE_EQ(f->ToDouble(), 0.3);
}

TEST(FractionTest, ParsesIntegersAndZero) {
  EXPECT_EQ(Fraction::Parse("1").value(), Fraction::Of(1, 1));
  EXPECT_EQ(Fraction::Parse("0").value(), Fraction());
  EXPECT_EQ(Fraction::Parse("0/7").value(), Fraction());
  EXPECT_TRUE(Fraction::Parse("0/7")->is_zero());
}

TEST(FractionTest, RejectsAnythingButPlainNonNegativeFractions) {
  for (const char* bad : {"", "/", "1/", "/2", "1/0", "-1/2", "+1/2", " 1/2", "1/2/3", "0.5", "a/b",
                          "1/10000000000"}) {
    absl::StatusOr<Fraction> f = Fraction::Parse(bad);
    EXPECT_FALSE(f.ok()) << "accepted '" << bad << "'";
    if (!f.ok()) {
      EXPECT_THAT(f.status(), HasMessage(HasSubstr("is not a fraction")));
    }
  }
}

TEST(FractionTest, AddsAndMultipliesExactly) {
  Fraction sum;
  for (int i = 0; i < 11; ++i) sum = Fraction::Add(sum, Fraction::Of(1, 11)).value();
  EXPECT_EQ(sum, Fraction::Of(1, 1));
  EXPECT_EQ(Fraction::Multiply(Fraction::Of(6, 23), Fraction::Of(11, 40)).value(),
            Fraction::Of(33, 460));
}

TEST(FractionTest, ReportsOverflowInsteadOfWrapping) {
  // Denominators that share no factor grow their product past 64 bits.
  Fraction sum;
  absl::Status overflow;
  for (int64_t p : {999999937, 999999929, 999999893}) {
    absl::StatusOr<Fraction> next = Fraction::Add(sum, Fraction::Of(1, p));
    if (!next.ok()) {
      overflow = next.status();
      break;
    }
    sum = *next;
  }
  EXPECT_EQ(overflow.code(), absl::StatusCode::kOutOfRange);
}

TEST(FractionTest, LeastCommonMultipleRespectsItsLimit) {
  EXPECT_EQ(LeastCommonMultiple(12, 18, 100).value(), 36);
  EXPECT_EQ(LeastCommonMultiple(12, 18, 35).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace postura
