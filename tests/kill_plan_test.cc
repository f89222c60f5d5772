// The chaos tests' kill plan: replayable from its seed, both kinds of victim, and never a
// kill of a process the plan still has down.

#include "tests/testing/kill_plan.h"

#include <map>

#include "gtest/gtest.h"

namespace postura::test {
namespace {

KillPlanOptions Options(uint64_t seed, int kills) {
  return {.seed = seed,
          .kills = kills,
          .agents = 20,
          .mean_gap = absl::Seconds(2),
          .max_collector_down = absl::Seconds(2),
          .collector_share = 1.0 / 3};
}

bool SamePlan(const std::vector<PlannedKill>& a, const std::vector<PlannedKill>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].at != b[i].at || a[i].victim != b[i].victim || a[i].down != b[i].down) return false;
  }
  return true;
}

TEST(KillPlanTest, TheSameSeedGivesTheSamePlanAndAnotherSeedAnother) {
  EXPECT_TRUE(SamePlan(MakeKillPlan(Options(7, 50)), MakeKillPlan(Options(7, 50))));
  EXPECT_FALSE(SamePlan(MakeKillPlan(Options(7, 50)), MakeKillPlan(Options(8, 50))));
}

TEST(KillPlanTest, KillsBothKindsInTheirShareWithGapsAroundTheMean) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const std::vector<PlannedKill> two = MakeKillPlan(Options(seed, 2));
    ASSERT_EQ(two.size(), 2u);
    EXPECT_NE(two[0].victim == kCollectorVictim, two[1].victim == kCollectorVictim) << seed;

    const std::vector<PlannedKill> plan = MakeKillPlan(Options(seed, 30));
    ASSERT_EQ(plan.size(), 30u);
    int collector = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      if (plan[i].victim == kCollectorVictim) ++collector;
      EXPECT_GE(plan[i].victim, kCollectorVictim);
      EXPECT_LT(plan[i].victim, 20);
      const absl::Duration gap = plan[i].at - (i == 0 ? absl::ZeroDuration() : plan[i - 1].at);
      EXPECT_GE(gap, absl::Milliseconds(500)) << seed << " kill " << i;
      EXPECT_LE(plan[i].down, absl::Seconds(4));
    }
    EXPECT_EQ(collector, 10) << seed;
  }
}

TEST(KillPlanTest, NeverKillsAProcessThePlanHasDownAndRestartsEveryVictim) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    std::map<int, bool> down;
    absl::Duration last;
    for (const ChaosStep& step : PlanSteps(MakeKillPlan(Options(seed, 40)))) {
      EXPECT_GE(step.at, last);
      last = step.at;
      EXPECT_EQ(down[step.victim], step.restart) << "seed " << seed << " victim " << step.victim;
      down[step.victim] = !step.restart;
    }
    for (const auto& [victim, is_down] : down) EXPECT_FALSE(is_down) << victim;
  }
}

}  // namespace
}  // namespace postura::test
