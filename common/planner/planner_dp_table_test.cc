#include "common/planner/planner_dp_table.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::planner_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// A table from (sum, cost) pairs, in order; left and right are not examined here.
Table MakeTable(const std::vector<std::pair<int64_t, int64_t>>& entries) {
  Table table;
  for (const auto& [sum, cost] : entries) table.push_back({sum, cost, -1, -1});
  return table;
}

std::vector<std::pair<int64_t, int64_t>> SumsAndCosts(const Table& table) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const Entry& e : table) out.emplace_back(e.sum, e.cost);
  return out;
}

TEST(PlannerDpTableTest, PruneKeepsWhatTheEnclosingBoundsCanPrefer) {
  const Table table = MakeTable({{0, 3}, {1, 5}, {2, 1}, {3, 4}, {4, 2}});
  Table none = table;
  Prune(Need{}, none);
  EXPECT_THAT(SumsAndCosts(none), ElementsAre(Pair(2, 1)));
  // Only lower bounds above: a larger sum at no more cost dominates.
  Table large = table;
  Prune(Need{.large = true}, large);
  EXPECT_THAT(SumsAndCosts(large), ElementsAre(Pair(2, 1), Pair(4, 2)));
  // Only upper bounds above: a smaller sum at no more cost dominates.
  Table small = table;
  Prune(Need{.small = true}, small);
  EXPECT_THAT(SumsAndCosts(small), ElementsAre(Pair(0, 3), Pair(2, 1)));
  Table both = table;
  Prune(Need{.large = true, .small = true}, both);
  EXPECT_EQ(SumsAndCosts(both), SumsAndCosts(table));
}

TEST(PlannerDpTableTest, CombineKeepsTheCheapestWayToEachSumWithinTheLimit) {
  TableCombiner combiner(1'000);
  const Table acc = MakeTable({{0, 0}, {1, 1}});
  const Table child = MakeTable({{0, 0}, {2, 1}});
  const Need both{.large = true, .small = true};
  Table out;
  ASSERT_TRUE(combiner.Combine(acc, child, 1, 1, both, kNoCost, out));
  EXPECT_THAT(SumsAndCosts(out), ElementsAre(Pair(0, 0), Pair(1, 1), Pair(2, 1), Pair(3, 2)));
  EXPECT_EQ(out[3].left, 1);   // acc's sum 1 ...
  EXPECT_EQ(out[3].right, 1);  // ... with child's sum 2.
  ASSERT_TRUE(combiner.Combine(acc, child, 1, 1, both, 1, out));
  EXPECT_THAT(SumsAndCosts(out), ElementsAre(Pair(0, 0), Pair(1, 1), Pair(2, 1)));
  EXPECT_EQ(combiner.work(), 8);
  // The child's sums in the accumulator's units: 3 * 2 / 3 = 2; 1 * 2 / 3 is not whole.
  ASSERT_TRUE(combiner.Combine(acc, MakeTable({{3, 0}}), 2, 3, both, kNoCost, out));
  EXPECT_THAT(SumsAndCosts(out), ElementsAre(Pair(2, 0), Pair(3, 1)));
  EXPECT_FALSE(combiner.Combine(acc, MakeTable({{1, 0}}), 2, 3, both, kNoCost, out));
}

TEST(PlannerDpTableTest, SparseSumsCombineLikeDenseOnes) {
  TableCombiner combiner(1'000);
  const Table acc = MakeTable({{0, 0}, {1'000'000, 4}});
  const Table child = MakeTable({{0, 0}, {1, 1}});
  Table out;
  ASSERT_TRUE(combiner.Combine(acc, child, 1, 1, Need{.large = true, .small = true}, kNoCost, out));
  EXPECT_THAT(SumsAndCosts(out),
              ElementsAre(Pair(0, 0), Pair(1, 1), Pair(1'000'000, 4), Pair(1'000'001, 5)));
}

TEST(PlannerDpTableTest, CombineGivesUpPastTheWorkLimit) {
  TableCombiner combiner(3);
  const Table two = MakeTable({{0, 0}, {1, 1}});
  Table out;
  EXPECT_FALSE(combiner.Combine(two, two, 1, 1, Need{.large = true}, kNoCost, out));
  // Without a need only the cheapest pair counts, and no work is charged.
  TableCombiner cheap(0);
  ASSERT_TRUE(cheap.Combine(two, two, 1, 1, Need{}, kNoCost, out));
  EXPECT_THAT(SumsAndCosts(out), ElementsAre(Pair(0, 0)));
  EXPECT_EQ(cheap.work(), 0);
}

TEST(PlannerDpTableTest, CheapestPairInRangeFindsTheCheapestCompletion) {
  const Table a = MakeTable({{0, 5}, {2, 1}, {4, 0}});
  const Table b = MakeTable({{0, 0}, {1, 2}, {3, 1}});
  PairPick pick = CheapestPairInRange(a, b, SumRange{3, 4});
  EXPECT_EQ(pick.cost, 0);  // 4 + 0.
  EXPECT_EQ(pick.a, 2);
  EXPECT_EQ(pick.b, 0);
  pick = CheapestPairInRange(a, b, SumRange{5, 6});
  EXPECT_EQ(pick.cost, 2);  // 4 + 1 and 2 + 3 both cost 2.
  pick = CheapestPairInRange(a, b, SumRange{100, 200});
  EXPECT_EQ(pick.cost, kNoCost);
  EXPECT_EQ(pick.a, -1);
}

}  // namespace
}  // namespace postura::planner_internal
