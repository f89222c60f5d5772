#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/rules.h"
#include "agent/checks/rules/test_roots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

using ::testing::HasSubstr;
using Kind = AccountsRule::Kind;

TEST(AccountsRuleTest, OnlyRootHasUidZero) {
  AccountsRule rule{.kind = Kind::kUid0OnlyRoot};
  EXPECT_EQ(EvaluateAccounts(rule, HardenedRoot()).verdict, Verdict::kPass);
  RuleResult weak = EvaluateAccounts(rule, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_THAT(weak.detail, HasSubstr("toor"));
}

TEST(AccountsRuleTest, NoEmptyPasswords) {
  AccountsRule rule{.kind = Kind::kNoEmptyPasswords};
  EXPECT_EQ(EvaluateAccounts(rule, HardenedRoot()).verdict, Verdict::kPass);
  RuleResult weak = EvaluateAccounts(rule, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_THAT(weak.detail, HasSubstr("guest"));
}

TEST(AccountsRuleTest, PasswordAgeingOfAccountsWithPasswords) {
  AccountsRule rule{.kind = Kind::kPasswordAgeing,
                    .field = AccountsRule::Field::kMaxDays,
                    .expected = MakeComparison("le", "90").value()};
  EXPECT_EQ(EvaluateAccounts(rule, HardenedRoot()).verdict, Verdict::kPass);  // Locked skipped.
  RuleResult weak = EvaluateAccounts(rule, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_THAT(weak.detail, HasSubstr("bob (unset)"));
}

TEST(AccountsRuleTest, MissingShadowIsAnError) {
  AccountsRule rule{.kind = Kind::kNoEmptyPasswords};
  EXPECT_EQ(EvaluateAccounts(rule, "/nonexistent-root").verdict, Verdict::kError);
}

}  // namespace
}  // namespace postura::agent
