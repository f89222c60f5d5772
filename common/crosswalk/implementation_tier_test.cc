#include "common/crosswalk/implementation_tier.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::crosswalk {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A scope that meets every condition: 100 pairs, 90 live at 0.67, 2 stale, all assets
// targeted, gaps closed within 10 days, the index rising.
TierFacts Adaptive() {
  return TierFacts{.applicable = 100,
                   .live = 90,
                   .stale = 2,
                   .level_hundredths = 90 * 67,
                   .assets = 4,
                   .assets_with_targets = 4,
                   .gaps_closed = 12,
                   .p90_days = 10,
                   .oldest_open_days = 3,
                   .index_then = 0.5,
                   .index_now = 0.6};
}

TEST(ImplementationTierTest, EveryConditionMetIsAdaptive) {
  const TierDecision decision = DecideTier(Adaptive());
  EXPECT_EQ(decision.tier, Tier::kAdaptive);
  EXPECT_EQ(TierName(decision.tier), "Adaptive");
  EXPECT_EQ(decision.facts.size(), 7u);
  EXPECT_THAT(decision.facts[0], HasSubstr("evidence coverage 90% (90 of 100) >= 50%: yes"));
  EXPECT_THAT(decision.facts.back(), HasSubstr("index 0.60 now >= 0.50 then: yes"));
}

TEST(ImplementationTierTest, LowCoverageOrLevelsArePartial) {
  TierFacts facts = Adaptive();
  facts.live = 40;
  facts.level_hundredths = 40 * 100;
  TierDecision decision = DecideTier(facts);
  EXPECT_EQ(decision.tier, Tier::kPartial);
  EXPECT_THAT(decision.facts[0], HasSubstr(": no"));
  facts = Adaptive();
  facts.level_hundredths = 90 * 33;  // Mean 0.297 over the 100 applicable pairs.
  EXPECT_EQ(DecideTier(facts).tier, Tier::kPartial);
  EXPECT_EQ(DecideTier(TierFacts()).tier, Tier::kPartial);  // Nothing known.
}

TEST(ImplementationTierTest, WithoutTargetsNotRiskInformed) {
  TierFacts facts = Adaptive();
  facts.assets_with_targets = 1;  // 1 of 4.
  const TierDecision decision = DecideTier(facts);
  EXPECT_EQ(decision.tier, Tier::kPartial);
  EXPECT_THAT(decision.facts[2], HasSubstr("assets with targets 1 of 4 >= 50%: no"));
}

TEST(ImplementationTierTest, StaleEvidenceOrPartCoverageStopsAtRiskInformed) {
  TierFacts facts = Adaptive();
  facts.stale = 10;  // 10 of 100 reported.
  EXPECT_EQ(DecideTier(facts).tier, Tier::kRiskInformed);
  facts = Adaptive();
  facts.live = 70;
  facts.level_hundredths = 70 * 67;
  EXPECT_EQ(DecideTier(facts).tier, Tier::kRiskInformed);
}

TEST(ImplementationTierTest, SlowRemediationFallingTrendOrNoHistoryStopAtRepeatable) {
  TierFacts facts = Adaptive();
  facts.p90_days = 45;
  EXPECT_EQ(DecideTier(facts).tier, Tier::kRepeatable);
  facts = Adaptive();
  facts.oldest_open_days = 60;
  EXPECT_EQ(DecideTier(facts).tier, Tier::kRepeatable);
  facts = Adaptive();
  facts.gaps_closed = 0;
  EXPECT_EQ(DecideTier(facts).tier, Tier::kRepeatable);
  facts = Adaptive();
  facts.index_now = 0.4;
  EXPECT_EQ(DecideTier(facts).tier, Tier::kRepeatable);
  facts = Adaptive();
  facts.index_then.reset();
  const TierDecision decision = DecideTier(facts);
  EXPECT_EQ(decision.tier, Tier::kRepeatable);
  EXPECT_THAT(decision.facts.back(), HasSubstr("no history that far back: no"));
  facts = Adaptive();
  facts.p90_days.reset();
  EXPECT_THAT(DecideTier(facts).facts, testing::Contains(HasSubstr("no remediation history")));
}

TEST(ImplementationTierTest, Names) {
  EXPECT_EQ(TierName(Tier::kPartial), "Partial");
  EXPECT_EQ(TierName(Tier::kRiskInformed), "Risk Informed");
  EXPECT_EQ(TierName(Tier::kRepeatable), "Repeatable");
  EXPECT_THAT(
      std::vector<int>({static_cast<int>(Tier::kPartial), static_cast<int>(Tier::kAdaptive)}),
      ElementsAre(1, 4));
}

}  // namespace
}  // namespace postura::crosswalk
