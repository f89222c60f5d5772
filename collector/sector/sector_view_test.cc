#include "collector/sector/sector_view.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

constexpr size_t kOutcomes = 4;
const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

// Levels as summary bytes: 0 not applicable, 1 DLI_0 ... 4 DLI_100.
v1::SectorAssetSummary Asset(const std::string& organisation, const std::string& ref,
                             uint64_t version, v1::ImplementationGroup group, double value,
                             std::string levels, absl::Time published = kT0) {
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation);
  summary.set_asset_ref(ref);
  summary.set_version(version);
  summary.set_published_at_unix_nanos(absl::ToUnixNanos(published));
  summary.set_implementation_group(group);
  summary.set_value(value);
  summary.set_adjusted_value(value / 2);
  summary.set_coverage(value);
  summary.set_targets_met(value >= 0.5);
  summary.set_outcome_levels(std::move(levels));
  return summary;
}

v1::SectorAssetSummary Removal(const std::string& organisation, const std::string& ref,
                               uint64_t version) {
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation);
  summary.set_asset_ref(ref);
  summary.set_version(version);
  summary.set_published_at_unix_nanos(absl::ToUnixNanos(kT0));
  summary.set_removed(true);
  return summary;
}

std::string Levels(std::initializer_list<int> bytes) {
  std::string levels;
  for (int b : bytes) levels.push_back(static_cast<char>(b));
  return levels;
}

TEST(SectorViewTest, AnOrganisationsIndexWeighsAssetsByImplementationGroup) {
  SectorView view(kOutcomes, {});
  ASSERT_TRUE(view.Apply(Asset("health", "a", 1, v1::IG1, 0.2, Levels({1, 2, 3, 4}))));
  ASSERT_TRUE(view.Apply(Asset("health", "b", 1, v1::IG3, 0.6, Levels({4, 4, 0, 0}))));
  const OrganisationStanding health = view.Organisation("health").value();
  EXPECT_EQ(health.asset_count, 2u);
  EXPECT_THAT(health.index, DoubleNear((1 * 0.2 + 3 * 0.6) / 4, 1e-12));
  EXPECT_THAT(health.adjusted_index, DoubleNear((1 * 0.1 + 3 * 0.3) / 4, 1e-12));
  EXPECT_THAT(health.coverage, DoubleNear(0.4, 1e-12));
  EXPECT_EQ(health.assets_meeting_targets, 1u);
  EXPECT_EQ(health.updated, kT0);
}

TEST(SectorViewTest, TheSectorIndexCountsEachOrganisationOnce) {
  SectorView view(kOutcomes, {});
  view.Apply(Asset("health", "a", 1, v1::IG1, 0.2, Levels({1, 1, 1, 1})));
  view.Apply(Asset("health", "b", 1, v1::IG1, 0.4, Levels({1, 1, 1, 1})));
  view.Apply(Asset("water", "a", 1, v1::IG2, 0.9, Levels({1, 1, 1, 1})));
  EXPECT_THAT(view.Index(), DoubleNear((0.3 + 0.9) / 2, 1e-12));
  EXPECT_EQ(SectorView(kOutcomes, {}).Index(), 0);
}

TEST(SectorViewTest, OnlyANewerVersionReplacesAnAssetsSummary) {
  SectorView view(kOutcomes, {});
  ASSERT_TRUE(view.Apply(Asset("health", "a", 5, v1::IG1, 0.5, Levels({1, 1, 1, 1}))));
  EXPECT_FALSE(view.Apply(Asset("health", "a", 5, v1::IG1, 0.9, Levels({1, 1, 1, 1}))));
  EXPECT_FALSE(view.Apply(Asset("health", "a", 4, v1::IG1, 0.9, Levels({1, 1, 1, 1}))));
  EXPECT_THAT(view.Organisation("health")->index, DoubleNear(0.5, 1e-12));
  ASSERT_TRUE(view.Apply(Asset("health", "a", 6, v1::IG1, 0.7, Levels({1, 1, 1, 1}))));
  EXPECT_THAT(view.Organisation("health")->index, DoubleNear(0.7, 1e-12));
}

TEST(SectorViewTest, ARemovedAssetLeavesTheFiguresAndStaysRemoved) {
  SectorView view(kOutcomes, {});
  view.Apply(Asset("health", "a", 1, v1::IG1, 0.2, Levels({1, 1, 1, 1})));
  view.Apply(Asset("health", "b", 1, v1::IG1, 0.8, Levels({4, 4, 4, 4})));
  ASSERT_TRUE(view.Apply(Removal("health", "a", 2)));
  EXPECT_FALSE(view.Apply(Asset("health", "a", 1, v1::IG1, 0.2, Levels({1, 1, 1, 1}))));
  const OrganisationStanding health = view.Organisation("health").value();
  EXPECT_EQ(health.asset_count, 1u);
  EXPECT_THAT(health.index, DoubleNear(0.8, 1e-12));
  EXPECT_THAT(view.OutcomeSpread(0).mean, DoubleNear(1.0, 1e-12));
}

TEST(SectorViewTest, AnOutcomeSpreadsOverTheOrganisationsMeanLevels) {
  SectorView view(kOutcomes, {});
  // Outcome 0 means: a 0, b 0.33, c 0.67 (two assets at 0.33 and 1.0), d 1.0; e: n/a.
  view.Apply(Asset("a", "x", 1, v1::IG1, 0, Levels({1, 0, 0, 0})));
  view.Apply(Asset("b", "x", 1, v1::IG1, 0, Levels({2, 0, 0, 0})));
  view.Apply(Asset("c", "x", 1, v1::IG1, 0, Levels({2, 0, 0, 0})));
  view.Apply(Asset("c", "y", 1, v1::IG1, 0, Levels({4, 0, 0, 0})));
  view.Apply(Asset("d", "x", 1, v1::IG1, 0, Levels({4, 0, 0, 0})));
  view.Apply(Asset("e", "x", 1, v1::IG1, 0, Levels({0, 4, 0, 0})));
  const Spread spread = view.OutcomeSpread(0);
  EXPECT_EQ(spread.organisations, 4u);
  EXPECT_THAT(spread.min, DoubleNear(0, 1e-12));
  EXPECT_THAT(spread.max, DoubleNear(1, 1e-12));
  EXPECT_THAT(spread.median, DoubleNear((0.33 + 0.665) / 2, 1e-12));
  EXPECT_THAT(spread.p25, DoubleNear(0.2475, 1e-12));
  EXPECT_THAT(spread.mean, DoubleNear((0 + 0.33 + 0.665 + 1) / 4, 1e-12));
  EXPECT_EQ(view.OutcomeSpread(2).organisations, 0u);
  EXPECT_EQ(view.OutcomeSpread(99).organisations, 0u);
}

TEST(SectorViewTest, APositionRanksAnOrganisationAmongAllOfThem) {
  SectorView view(kOutcomes, {});
  view.Apply(Asset("a", "x", 1, v1::IG1, 0.2, Levels({1, 1, 0, 0})));
  view.Apply(Asset("b", "x", 1, v1::IG1, 0.5, Levels({3, 1, 0, 0})));
  view.Apply(Asset("c", "x", 1, v1::IG1, 0.5, Levels({4, 0, 0, 0})));
  view.Apply(Asset("d", "x", 1, v1::IG1, 0.9, Levels({4, 0, 0, 0})));
  const SectorPosition b = view.PositionOf("b").value();
  EXPECT_EQ(b.organisations, 4u);
  EXPECT_THAT(b.index, DoubleNear(0.5, 1e-12));
  EXPECT_THAT(b.index_percentile, DoubleNear(100 * (1 + 0.5 + 0.5) / 4, 1e-9));
  EXPECT_THAT(b.sector_median_index, DoubleNear(0.5, 1e-12));
  ASSERT_EQ(b.outcomes.size(), 2u);
  EXPECT_EQ(b.outcomes[0].outcome, 0);
  EXPECT_THAT(b.outcomes[0].level, DoubleNear(0.67, 1e-12));
  EXPECT_THAT(b.outcomes[0].sector_mean, DoubleNear((0 + 0.67 + 1 + 1) / 4, 1e-12));
  EXPECT_THAT(b.outcomes[0].percentile, DoubleNear(100 * (1 + 0.5) / 4, 1e-9));
  EXPECT_THAT(b.outcomes[1].percentile, DoubleNear(50, 1e-9));  // Tied with a, alone with it.
  EXPECT_FALSE(view.PositionOf("nobody").has_value());
}

TEST(SectorViewTest, AnOutcomeThatFellInEnoughOrganisationsWithinTheWindowIsDegraded) {
  SectorView view(kOutcomes, {.degraded_min_organisations = 2, .degraded_window = absl::Hours(1)});
  for (const char* org : {"a", "b", "c"}) {
    view.Apply(Asset(org, "x", 1, v1::IG1, 0.5, Levels({4, 4, 2, 1})));
  }
  // Outcome 0 falls in a and b; outcome 1 falls in c only; outcome 2 rises in a.
  view.Apply(Asset("a", "x", 2, v1::IG1, 0.5, Levels({3, 4, 3, 1}), kT0 + absl::Minutes(10)));
  view.Apply(Asset("b", "x", 2, v1::IG1, 0.5, Levels({1, 4, 2, 1}), kT0 + absl::Minutes(20)));
  view.Apply(Asset("c", "x", 2, v1::IG1, 0.5, Levels({4, 2, 2, 1}), kT0 + absl::Minutes(30)));
  std::vector<DegradedOutcome> degraded = view.Degraded(kT0 + absl::Minutes(40));
  ASSERT_EQ(degraded.size(), 1u);
  EXPECT_EQ(degraded[0].outcome, 0);
  EXPECT_THAT(degraded[0].organisations, ElementsAre("a", "b"));
  EXPECT_EQ(degraded[0].latest, kT0 + absl::Minutes(20));
  // An hour after a's fall, only b's is within the window.
  EXPECT_TRUE(view.Degraded(kT0 + absl::Minutes(71)).empty());
}

// Applying newest summaries in any order, among older ones and replays, gives exactly
// the figures of a recount from the newest summary of each asset.
TEST(SectorViewPropertyTest, AnyOrderOfSummariesGivesTheRecountsFigures) {
  std::mt19937 random(20261206);
  for (int round = 0; round < 50; ++round) {
    std::vector<v1::SectorAssetSummary> summaries;
    std::map<std::pair<std::string, std::string>, v1::SectorAssetSummary> newest;
    std::uniform_int_distribution<int> level(0, 4), group(1, 3), hundredths(0, 100);
    for (int i = 0; i < 200; ++i) {
      const std::string org = "org" + std::to_string(random() % 4);
      const std::string ref = "asset" + std::to_string(random() % 6);
      const uint64_t version = 1 + random() % 10;
      v1::SectorAssetSummary summary =
          random() % 8 == 0
              ? Removal(org, ref, version)
              : Asset(org, ref, version, static_cast<v1::ImplementationGroup>(group(random)),
                      hundredths(random) / 100.0,
                      Levels({level(random), level(random), level(random), level(random)}));
      summaries.push_back(summary);
      auto& kept = newest[{org, ref}];
      if (summary.version() > kept.version()) kept = summary;
    }
    SectorView view(kOutcomes, {});
    for (const auto& s : summaries) view.Apply(s);
    SectorView recount(kOutcomes, {});
    for (const auto& [key, s] : newest) recount.Apply(s);
    ASSERT_EQ(view.Organisations().size(), recount.Organisations().size());
    for (size_t i = 0; i < view.Organisations().size(); ++i) {
      const OrganisationStanding a = view.Organisations()[i], b = recount.Organisations()[i];
      EXPECT_EQ(a.organisation_id, b.organisation_id);
      EXPECT_EQ(a.asset_count, b.asset_count);
      EXPECT_EQ(a.index, b.index);
      EXPECT_EQ(a.adjusted_index, b.adjusted_index);
      EXPECT_EQ(a.coverage, b.coverage);
      EXPECT_EQ(a.assets_meeting_targets, b.assets_meeting_targets);
    }
    EXPECT_EQ(view.Index(), recount.Index());
    for (int outcome = 0; outcome < static_cast<int>(kOutcomes); ++outcome) {
      EXPECT_EQ(view.OutcomeSpread(outcome).mean, recount.OutcomeSpread(outcome).mean);
      EXPECT_EQ(view.OutcomeSpread(outcome).median, recount.OutcomeSpread(outcome).median);
    }
    // And a recount by hand of one organisation's index.
    int64_t weight = 0;
    double weighted = 0;
    for (const auto& [key, s] : newest) {
      if (key.first != "org0" || s.removed()) continue;
      weight += s.implementation_group();
      weighted += static_cast<int>(s.implementation_group()) * s.value();
    }
    if (weight > 0) {
      EXPECT_THAT(view.Organisation("org0")->index, DoubleNear(weighted / weight, 1e-9));
    }
  }
}

}  // namespace
}  // namespace postura::collector
