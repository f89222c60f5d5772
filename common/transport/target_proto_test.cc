#include "common/transport/target_proto.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

v1::Target WireTarget(v1::TargetScopeKind scope, const std::string& scope_id,
                      v1::TargetOperator op = v1::GREATER_OR_EQUAL, double value = 0.5) {
  v1::Target target;
  target.set_scope(scope);
  target.set_scope_id(scope_id);
  target.set_operator_(op);
  target.set_value(value);
  return target;
}

TEST(TargetProtoTest, EveryScopeKindResolvesToItsCatalogPositionAndBack) {
  const Catalog& catalog = Catalog::Builtin();
  const struct {
    v1::TargetScopeKind scope;
    std::string id;
    ScopeKind kind;
    std::optional<int> index;
  } cases[] = {
      {v1::SCOPE_OUTCOME, "PR_AC_CSC_5_2", ScopeKind::kOutcome,
       catalog.FindOutcome("PR_AC_CSC_5_2")},
      {v1::SCOPE_CATEGORY, "PR.AC", ScopeKind::kCategory, catalog.FindCategory("PR.AC")},
      {v1::SCOPE_FUNCTION, "RC", ScopeKind::kFunction, catalog.FindFunction("RC")},
      {v1::SCOPE_ASSET, "", ScopeKind::kAsset, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    ASSERT_TRUE(c.index.has_value());
    const v1::Target wire = WireTarget(c.scope, c.id, v1::LESS, 0.25);
    absl::StatusOr<Target> target = TargetFromProto(catalog, wire);
    ASSERT_TRUE(target.ok()) << target.status();
    EXPECT_EQ(target->scope.kind, c.kind);
    if (c.kind != ScopeKind::kAsset) {
      EXPECT_EQ(target->scope.index, *c.index);
    }
    EXPECT_EQ(target->op, TargetOperator::kLess);
    EXPECT_EQ(target->threshold, 0.25);
    const v1::Target back = TargetToProto(catalog, *target);
    EXPECT_EQ(back.SerializeAsString(), wire.SerializeAsString());
  }
}

TEST(TargetProtoTest, EveryOperatorRoundTrips) {
  const Catalog& catalog = Catalog::Builtin();
  const std::pair<v1::TargetOperator, TargetOperator> operators[] = {
      {v1::LESS, TargetOperator::kLess},
      {v1::LESS_OR_EQUAL, TargetOperator::kLessOrEqual},
      {v1::EQUAL, TargetOperator::kEqual},
      {v1::GREATER, TargetOperator::kGreater},
      {v1::GREATER_OR_EQUAL, TargetOperator::kGreaterOrEqual}};
  for (const auto& [wire_op, op] : operators) {
    absl::StatusOr<Target> target =
        TargetFromProto(catalog, WireTarget(v1::SCOPE_ASSET, "", wire_op));
    ASSERT_TRUE(target.ok()) << target.status();
    EXPECT_EQ(target->op, op);
    EXPECT_EQ(TargetToProto(catalog, *target).operator_(), wire_op);
  }
}

TEST(TargetProtoTest, UnknownScopeIdsAreRefusedNamingThem) {
  const Catalog& catalog = Catalog::Builtin();
  absl::StatusOr<Target> outcome =
      TargetFromProto(catalog, WireTarget(v1::SCOPE_OUTCOME, "PR_AC_CSC_99"));
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(outcome.status(), HasMessage(HasSubstr("unknown outcome 'PR_AC_CSC_99'")));
  // A category's FLECO name is not its id.
  absl::StatusOr<Target> category =
      TargetFromProto(catalog, WireTarget(v1::SCOPE_CATEGORY, "PR_AC"));
  EXPECT_EQ(category.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(category.status(), HasMessage(HasSubstr("unknown category 'PR_AC'")));
  absl::StatusOr<Target> function =
      TargetFromProto(catalog, WireTarget(v1::SCOPE_FUNCTION, "PROTECT"));
  EXPECT_THAT(function.status(), HasMessage(HasSubstr("unknown function 'PROTECT'")));
  // An outcome id is not a category id.
  EXPECT_FALSE(TargetFromProto(catalog, WireTarget(v1::SCOPE_CATEGORY, "PR_AC_CSC_5_2")).ok());
  absl::StatusOr<Target> asset = TargetFromProto(catalog, WireTarget(v1::SCOPE_ASSET, "web"));
  EXPECT_EQ(asset.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(asset.status(), HasMessage(HasSubstr("asset target takes no scope_id (got 'web')")));
}

TEST(TargetProtoTest, UnspecifiedScopeOrOperatorIsRefused) {
  const Catalog& catalog = Catalog::Builtin();
  absl::StatusOr<Target> scope =
      TargetFromProto(catalog, WireTarget(v1::TARGET_SCOPE_KIND_UNSPECIFIED, "PR"));
  EXPECT_EQ(scope.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(scope.status(), HasMessage(HasSubstr("scope must be")));
  absl::StatusOr<Target> op = TargetFromProto(
      catalog, WireTarget(v1::SCOPE_FUNCTION, "PR", v1::TARGET_OPERATOR_UNSPECIFIED));
  EXPECT_EQ(op.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(op.status(), HasMessage(HasSubstr("target on function PR: operator must be")));
  EXPECT_FALSE(TargetFromProto(catalog, WireTarget(v1::SCOPE_FUNCTION, "PR",
                                                   static_cast<v1::TargetOperator>(42)))
                   .ok());
}

TEST(TargetProtoTest, ValuesOutsideTheUnitIntervalOrNaNAreRefused) {
  const Catalog& catalog = Catalog::Builtin();
  for (double value : {-0.01, 1.01, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(value);
    absl::StatusOr<Target> target =
        TargetFromProto(catalog, WireTarget(v1::SCOPE_CATEGORY, "PR.AC", v1::GREATER, value));
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(target.status(), HasMessage(HasSubstr("is outside [0, 1]")));
    EXPECT_THAT(target.status(), HasMessage(HasSubstr("category PR.AC")));
  }
  for (double value : {0.0, 1.0}) {
    EXPECT_TRUE(TargetFromProto(catalog, WireTarget(v1::SCOPE_ASSET, "", v1::EQUAL, value)).ok());
  }
}

}  // namespace
}  // namespace postura
