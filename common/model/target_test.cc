#include "common/model/target.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/model/asset_score.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

struct OperatorCase {
  TargetOperator op;
  double threshold;
  double value;
  bool met;
  double credit;
};

void PrintTo(const OperatorCase& c, std::ostream* os) {
  *os << TargetOperatorName(c.op) << " " << c.threshold << " with value " << c.value;
}

class EvaluateTargetTest : public testing::TestWithParam<OperatorCase> {};

TEST_P(EvaluateTargetTest, MetOrPartialCreditAsFleco) {
  const OperatorCase& c = GetParam();
  TargetResult result = EvaluateTarget(c.op, c.threshold, c.value);
  EXPECT_EQ(result.met, c.met);
  EXPECT_NEAR(result.credit, c.credit, 1e-12);
  EXPECT_EQ(result.value, c.value);
}

using Op = TargetOperator;
INSTANTIATE_TEST_SUITE_P(
    Operators, EvaluateTargetTest,
    testing::Values(
        // LESS: 0.99 * (1 - v) / (1 - t) when v >= t.
        OperatorCase{Op::kLess, 0.5, 0.4, true, 1}, OperatorCase{Op::kLess, 0.5, 0.5, false, 0.99},
        OperatorCase{Op::kLess, 0.5, 0.75, false, 0.495},
        OperatorCase{Op::kLess, 1.0, 1.0, false, 0.99},  // FLECO's special case.
        OperatorCase{Op::kLess, 0.0, 0.0, false, 0.99},
        // LESS_OR_EQUAL: (1 - v) / (1 - t) when v > t.
        OperatorCase{Op::kLessOrEqual, 0.5, 0.5, true, 1},
        OperatorCase{Op::kLessOrEqual, 0.5, 0.75, false, 0.5},
        OperatorCase{Op::kLessOrEqual, 0.0, 1.0, false, 0},
        // EQUAL: (1 - v) / (1 - t) above, v / t below.
        OperatorCase{Op::kEqual, 0.67, 0.67, true, 1},
        OperatorCase{Op::kEqual, 0.5, 0.75, false, 0.5},
        OperatorCase{Op::kEqual, 0.5, 0.25, false, 0.5},
        OperatorCase{Op::kEqual, 0.0, 0.33, false, 0.67},
        OperatorCase{Op::kEqual, 1.0, 0.33, false, 0.33},
        // GREATER: 0.99 * v / t when v <= t.
        OperatorCase{Op::kGreater, 0.5, 0.6, true, 1},
        OperatorCase{Op::kGreater, 0.5, 0.5, false, 0.99},
        OperatorCase{Op::kGreater, 0.5, 0.25, false, 0.495},
        OperatorCase{Op::kGreater, 0.0, 0.0, false, 0.99},  // FLECO's special case.
        OperatorCase{Op::kGreater, 1.0, 1.0, false, 0.99},
        // GREATER_OR_EQUAL: v / t when v < t.
        OperatorCase{Op::kGreaterOrEqual, 0.5, 0.5, true, 1},
        OperatorCase{Op::kGreaterOrEqual, 0.8, 0.2, false, 0.25},
        OperatorCase{Op::kGreaterOrEqual, 0.0, 0.0, true, 1}),
    [](const testing::TestParamInfo<OperatorCase>& info) {
      return absl::StrCat(TargetOperatorName(info.param.op), "_", info.index);
    });

TEST(TargetTest, OperatorNamesRoundTrip) {
  for (Op op : {Op::kLess, Op::kLessOrEqual, Op::kEqual, Op::kGreater, Op::kGreaterOrEqual}) {
    EXPECT_EQ(ParseTargetOperator(TargetOperatorName(op)), op);
  }
  EXPECT_EQ(ParseTargetOperator("GREATER_THAN"), std::nullopt);
}

TEST(TargetTest, EqualHoldsForExactDecimalValues) {
  // Exact accumulation makes a category whose outcomes all sit at DLI_67 exactly 0.67.
  const Catalog& catalog = Catalog::Builtin();
  const ScoringModel& model = catalog.model(ImplementationGroup::kIG2);
  std::vector<Level> levels(model.outcome_count(), Level::kDli67);
  AssetScore score(model, levels);
  const int category = catalog.FindCategory("PR.IP").value();
  Target target{{ScopeKind::kCategory, category}, Op::kEqual, 0.67};
  TargetsReport report = EvaluateTargets({target}, score.Values(), score.levels());
  EXPECT_TRUE(report.all_met);
}

TEST(TargetTest, CoverageIsTheMeanCreditAndOneWithoutTargets) {
  const Catalog& catalog = Catalog::Builtin();
  const ScoringModel& model = catalog.model(ImplementationGroup::kIG1);
  AssetScore score(model);  // Everything at 0.
  const int outcome = catalog.FindOutcome("PR_AC_CSC_5_2").value();
  std::vector<Target> targets = {
      {{ScopeKind::kAsset, 0}, Op::kGreaterOrEqual, 0.5},        // unmet, credit 0
      {{ScopeKind::kOutcome, outcome}, Op::kLessOrEqual, 0.33},  // met, credit 1
  };
  TargetsReport report = EvaluateTargets(targets, score.Values(), score.levels());
  EXPECT_FALSE(report.all_met);
  EXPECT_DOUBLE_EQ(report.coverage, 0.5);
  ASSERT_EQ(report.results.size(), 2u);
  EXPECT_FALSE(report.results[0].met);
  EXPECT_TRUE(report.results[1].met);

  TargetsReport none = EvaluateTargets({}, score.Values(), score.levels());
  EXPECT_TRUE(none.all_met);
  EXPECT_EQ(none.coverage, 1.0);
}

TEST(TargetTest, ScopeThatDoesNotApplyToTheGroupIsRejectedWithReason) {
  const Catalog& catalog = Catalog::Builtin();
  const int recover = catalog.FindFunction("RC").value();
  const int business = catalog.FindCategory("ID.BE").value();
  const int ig2_outcome = catalog.FindOutcome("ID_AM_CSC_12_4").value();
  const ImplementationGroup ig1 = ImplementationGroup::kIG1;
  EXPECT_THAT(ValidateTarget(catalog, ig1, {{ScopeKind::kFunction, recover}, Op::kLess, 0.5}),
              HasMessage(HasSubstr("function RC does not apply to IG1")));
  EXPECT_THAT(ValidateTarget(catalog, ig1, {{ScopeKind::kCategory, business}, Op::kLess, 0.5}),
              HasMessage(HasSubstr("category ID.BE does not apply to IG1")));
  EXPECT_THAT(ValidateTarget(catalog, ig1, {{ScopeKind::kOutcome, ig2_outcome}, Op::kLess, 0.5}),
              HasMessage(HasSubstr("outcome ID_AM_CSC_12_4 does not apply to IG1")));
  EXPECT_TRUE(ValidateTarget(catalog, ImplementationGroup::kIG3,
                             {{ScopeKind::kFunction, recover}, Op::kLess, 0.5})
                  .ok());
}

TEST(TargetTest, ThresholdOutsideZeroOneAndDuplicateScopesAreRejected) {
  const Catalog& catalog = Catalog::Builtin();
  const ImplementationGroup ig3 = ImplementationGroup::kIG3;
  EXPECT_THAT(ValidateTarget(catalog, ig3, {{ScopeKind::kAsset, 0}, Op::kLess, 1.5}),
              HasMessage(HasSubstr("outside [0, 1]")));
  EXPECT_THAT(ValidateTarget(catalog, ig3, {{ScopeKind::kAsset, 0}, Op::kLess, std::nan("")}),
              HasMessage(HasSubstr("outside [0, 1]")));
  std::vector<Target> twice = {{{ScopeKind::kAsset, 0}, Op::kGreater, 0.5},
                               {{ScopeKind::kAsset, 0}, Op::kLess, 0.9}};
  EXPECT_THAT(
      ValidateTargets(catalog, ig3, twice),
      HasMessage(HasSubstr("target 1: a second target for asset ASSET (first is target 0)")));
}

}  // namespace
}  // namespace postura
