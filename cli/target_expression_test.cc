#include "cli/target_expression.h"

#include "absl/status/status.h"
#include "common/transport/target_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Catalog& Uleo() { return Catalog::Builtin(); }

Target Make(ScopeKind kind, int index, TargetOperator op, double threshold) {
  return Target{{kind, index}, op, threshold};
}

std::string ErrorOf(absl::string_view text) {
  absl::StatusOr<std::vector<Target>> targets = ParseTargetExpressions(Uleo(), text);
  EXPECT_FALSE(targets.ok()) << text;
  EXPECT_EQ(targets.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(targets.status().message());
}

TEST(TargetExpressionTest, ParsesEveryScopeKindAndOperator) {
  const Catalog& c = Uleo();
  absl::StatusOr<std::vector<Target>> targets =
      ParseTargetExpressions(c, "asset>=0.7 PR<=0.8 PR.AC>0.5 PR_AC_CSC_5_2=1 DE<0.25");
  ASSERT_TRUE(targets.ok()) << targets.status();
  EXPECT_THAT(
      *targets,
      ElementsAre(
          Make(ScopeKind::kAsset, 0, TargetOperator::kGreaterOrEqual, 0.7),
          Make(ScopeKind::kFunction, *c.FindFunction("PR"), TargetOperator::kLessOrEqual, 0.8),
          Make(ScopeKind::kCategory, *c.FindCategory("PR.AC"), TargetOperator::kGreater, 0.5),
          Make(ScopeKind::kOutcome, *c.FindOutcome("PR_AC_CSC_5_2"), TargetOperator::kEqual, 1),
          Make(ScopeKind::kFunction, *c.FindFunction("DE"), TargetOperator::kLess, 0.25)));
}

TEST(TargetExpressionTest, AcceptsSpacesCommasFlecoNamesAndAnyCaseForAsset) {
  const Catalog& c = Uleo();
  absl::StatusOr<std::vector<Target>> targets =
      ParseTargetExpressions(c, "  ASSET >= 0.6 , PROTECT >= 0.7,DE_CM > 0.5 ");
  ASSERT_TRUE(targets.ok()) << targets.status();
  EXPECT_THAT(
      *targets,
      ElementsAre(
          Make(ScopeKind::kAsset, 0, TargetOperator::kGreaterOrEqual, 0.6),
          Make(ScopeKind::kFunction, *c.FindFunction("PR"), TargetOperator::kGreaterOrEqual, 0.7),
          Make(ScopeKind::kCategory, *c.FindCategory("DE.CM"), TargetOperator::kGreater, 0.5)));
}

TEST(TargetExpressionTest, ShownTextParsesBackToTheSameTarget) {
  const Catalog& c = Uleo();
  for (absl::string_view text : {"asset>=0.7", "PR.AC>0.5", "PR_AC_CSC_5_2=1", "RS<0.125"}) {
    absl::StatusOr<std::vector<Target>> parsed = ParseTargetExpressions(c, text);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    const std::string shown = TargetExpressionText(TargetToProto(c, parsed->front()));
    absl::StatusOr<std::vector<Target>> again = ParseTargetExpressions(c, shown);
    ASSERT_TRUE(again.ok()) << shown << ": " << again.status();
    EXPECT_EQ(*again, *parsed) << shown;
  }
  EXPECT_EQ(
      TargetExpressionText(TargetToProto(
          c, Make(ScopeKind::kCategory, *c.FindCategory("PR.AC"), TargetOperator::kGreater, 0.5))),
      "PR.AC > 0.5");
}

TEST(TargetExpressionTest, RejectsMissingOperatorSayingHowToWriteOne) {
  EXPECT_THAT(ErrorOf("PR 0.8"),
              AllOf(HasSubstr("target 'PR'"), HasSubstr("no comparison operator"),
                    HasSubstr("SCOPE OP VALUE"), HasSubstr("'PR>=0.8'")));
}

TEST(TargetExpressionTest, RejectsUnknownOperators) {
  EXPECT_THAT(ErrorOf("PR==0.8"),
              AllOf(HasSubstr("target 'PR==0.8'"), HasSubstr("unknown operator '=='"),
                    HasSubstr(">=, <=, >, < or =")));
  EXPECT_THAT(ErrorOf("PR=>0.8"), HasSubstr("unknown operator '=>'"));
  EXPECT_THAT(ErrorOf("PR!=0.8"), HasSubstr("unknown operator '!='"));
}

TEST(TargetExpressionTest, RejectsMissingBadAndOutOfRangeValues) {
  EXPECT_THAT(ErrorOf("PR>="),
              AllOf(HasSubstr("no value after '>='"), HasSubstr("a number in [0, 1]")));
  EXPECT_THAT(ErrorOf("PR>=high"), HasSubstr("'high' is not a number"));
  EXPECT_THAT(ErrorOf("PR>=nan"), HasSubstr("'nan' is not a number"));
  EXPECT_THAT(ErrorOf("PR>=1.5"), HasSubstr("value 1.5 is outside [0, 1]"));
  EXPECT_THAT(ErrorOf("PR>=-0.1"), HasSubstr("value -0.1 is outside [0, 1]"));
  EXPECT_THAT(ErrorOf("PR>=80%"), HasSubstr("'80%' is not a number"));
}

TEST(TargetExpressionTest, RejectsUnknownOrMissingScopeNamingTheCatalog) {
  EXPECT_THAT(ErrorOf("XX.YY>=0.5"), AllOf(HasSubstr("unknown scope 'XX.YY'"),
                                           HasSubstr("catalog ULEO v1"), HasSubstr("PR.AC")));
  EXPECT_THAT(ErrorOf(">=0.5"), HasSubstr("no scope before '>='"));
}

TEST(TargetExpressionTest, RejectsTwoTargetsOnOneScopeAndNoTargetAtAll) {
  EXPECT_THAT(ErrorOf("PR>=0.5 PROTECT<=0.9"), AllOf(HasSubstr("target 'PROTECT<=0.9'"),
                                                     HasSubstr("a second target on function PR")));
  EXPECT_THAT(ErrorOf("  "), HasSubstr("no target given"));
}

TEST(TargetExpressionTest, ReportsTheFirstBadExpressionAmongGoodOnes) {
  EXPECT_THAT(ErrorOf("asset>=0.7 PR>0.5 DE>>0.1"), HasSubstr("target 'DE>>0.1'"));
}

}  // namespace
}  // namespace postura::cli
