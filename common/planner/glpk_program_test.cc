#include "common/planner/glpk_program.h"

#include <cmath>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace postura::planner_internal {
namespace {

absl::Time Soon() { return absl::Now() + absl::Seconds(30); }

TEST(GlpkProgramTest, FindsTheExactOptimumOfASmallKnapsack) {
  int runs = 0;
  GlpkProgram program(&runs);
  // Weights 2, 3, 1 and values 5, 4, 3 under a capacity of 5: the first two, worth 9.
  const int a = program.AddColumn(ColumnKind::kBinary, 0, 1);
  const int b = program.AddColumn(ColumnKind::kBinary, 0, 1);
  const int c = program.AddColumn(ColumnKind::kBinary, 0, 1);
  LinearExpr weight;
  weight.Add(a, 2);
  weight.Add(b, 3);
  weight.Add(c, 1);
  program.Constrain(weight, -HUGE_VAL, 5);
  LinearExpr value;
  value.Add(a, 5);
  value.Add(b, 4);
  value.Add(c, 3);

  absl::StatusOr<std::optional<double>> best =
      program.Optimize(value, Direction::kMaximize, Soon());
  ASSERT_TRUE(best.ok()) << best.status();
  ASSERT_TRUE(best->has_value());
  EXPECT_DOUBLE_EQ(**best, 9);
  EXPECT_DOUBLE_EQ(program.Value(a), 1);
  EXPECT_DOUBLE_EQ(program.Value(b), 1);
  EXPECT_DOUBLE_EQ(program.Value(c), 0);
  EXPECT_EQ(runs, 1);

  // The same rows minimised: nothing taken.
  best = program.Optimize(value, Direction::kMinimize, Soon());
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_DOUBLE_EQ(best->value(), 0);
  EXPECT_EQ(runs, 2);
}

TEST(GlpkProgramTest, IntegerAndContinuousColumnsKeepTheirBoundsAndFixedColumnsTheirValue) {
  int runs = 0;
  GlpkProgram program(&runs);
  const int n = program.AddColumn(ColumnKind::kInteger, 0, 2);
  const int x = program.AddColumn(ColumnKind::kContinuous, 0, 1.5);
  const int fixed = program.AddColumn(ColumnKind::kInteger, 0, 9);
  program.FixColumn(fixed, 3);
  LinearExpr sum;
  sum.Add(n, 1);
  sum.Add(x, 1);
  sum.Add(fixed, 1);
  absl::StatusOr<std::optional<double>> best = program.Optimize(sum, Direction::kMaximize, Soon());
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_DOUBLE_EQ(best->value(), 2 + 1.5 + 3);
  EXPECT_DOUBLE_EQ(program.Value(fixed), 3);
}

TEST(GlpkProgramTest, InfeasibleRowsGiveNoSolution) {
  int runs = 0;
  GlpkProgram program(&runs);
  const int n = program.AddColumn(ColumnKind::kInteger, 0, 3);
  LinearExpr just_n;
  just_n.Add(n, 1);
  program.Constrain(just_n, 5, HUGE_VAL);
  absl::StatusOr<std::optional<double>> best =
      program.Optimize(just_n, Direction::kMinimize, Soon());
  ASSERT_TRUE(best.ok()) << best.status();
  EXPECT_FALSE(best->has_value());
  EXPECT_EQ(runs, 1);
}

TEST(GlpkProgramTest, APastDeadlineOrNoColumnSkipsTheSolver) {
  int runs = 0;
  GlpkProgram empty(&runs);
  absl::StatusOr<std::optional<double>> nothing =
      empty.Optimize(LinearExpr(), Direction::kMinimize, absl::Now() - absl::Seconds(1));
  ASSERT_TRUE(nothing.ok()) << nothing.status();
  EXPECT_DOUBLE_EQ(nothing->value(), 0);

  GlpkProgram program(&runs);
  LinearExpr one;
  one.Add(program.AddColumn(ColumnKind::kBinary, 0, 1), 1);
  EXPECT_EQ(
      program.Optimize(one, Direction::kMaximize, absl::Now() - absl::Seconds(1)).status().code(),
      absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace postura::planner_internal
