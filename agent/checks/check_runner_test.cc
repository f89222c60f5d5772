#include "agent/checks/check_runner.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "agent/checks/rules/test_roots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

Check CommandCheck(std::string id, std::vector<std::string> argv, absl::Duration timeout) {
  Check check;
  check.id = std::move(id);
  check.outcomes = {"PR_AC_CSC_5_2"};
  check.timeout = timeout;
  CommandRule rule;
  rule.argv = std::move(argv);
  check.rules.push_back(rule);
  return check;
}

TEST(CheckRunnerTest, UnmetPreconditionMakesTheCheckNotApplicableWithoutRunningItsRules) {
  // The rule would fail (/bin/false), but the check does not apply: no such package.
  Check check = CommandCheck("needs-telnetd", {"/bin/false"}, absl::Seconds(5));
  check.preconditions.push_back(PackageRule{.name = "no-such-package"});
  CheckEvaluation evaluation = EvaluateCheck(check, HardenedRoot());
  EXPECT_EQ(evaluation.verdict, Verdict::kNotApplicable);
  EXPECT_EQ(evaluation.detail, "does not apply: no-such-package is not installed");
  // A met precondition lets the rules decide.
  check.preconditions = {PackageRule{.name = "openssh-server"}};
  EXPECT_EQ(EvaluateCheck(check, HardenedRoot()).verdict, Verdict::kError);  // exit 1
  check.rules = {CommandRule{.argv = {"/bin/true"}}};
  EXPECT_EQ(EvaluateCheck(check, HardenedRoot()).verdict, Verdict::kPass);
  // A precondition that cannot be evaluated is an error, not "does not apply".
  check.preconditions = {FileContentRule{.path = "/etc", .pattern = "x", .regex = std::regex("x")}};
  CheckEvaluation unreadable = EvaluateCheck(check, HardenedRoot());
  EXPECT_EQ(unreadable.verdict, Verdict::kError);
  EXPECT_THAT(unreadable.detail, HasSubstr("precondition: "));
}

TEST(CheckRunnerTest, SlowCommandTimesOutWithoutDelayingTheOthers) {
  FakeClock clock(kStart);
  CheckRunner runner({.root = HardenedRoot(), .workers = 2}, clock);
  std::vector<Check> checks = {CommandCheck("slow", {"/bin/sleep", "30"}, absl::Milliseconds(300))};
  for (int i = 0; i < 4; ++i) {
    checks.push_back(CommandCheck(absl::StrCat("fast", i), {"/bin/true"}, absl::Seconds(20)));
  }
  absl::Time began = absl::Now();
  std::vector<CheckResult> results = runner.Run(checks);
  EXPECT_LT(absl::Now() - began, absl::Seconds(5));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].verdict, Verdict::kError);
  EXPECT_THAT(results[0].detail, HasSubstr("timed out after"));
  EXPECT_EQ(results[0].level, std::nullopt);  // An error is never a fail.
  for (int i = 1; i < 5; ++i) {
    EXPECT_EQ(results[i].verdict, Verdict::kPass) << results[i].detail;
    EXPECT_EQ(results[i].level, Level::kDli100);
    EXPECT_EQ(results[i].observed_at, kStart);
  }
}

TEST(CheckRunnerTest, StuckCheckIsReportedAndTheRestStillRun) {
  FakeClock clock(kStart);
  absl::Notification release;
  CheckRunner runner({.root = HardenedRoot(), .workers = 1}, clock,
                     [&](const Check& check, const std::filesystem::path&) {
                       if (check.id == "stuck") release.WaitForNotification();
                       return CheckEvaluation{.verdict = Verdict::kFail, .detail = "bad"};
                     });
  Check stuck = CommandCheck("stuck", {"/bin/true"}, absl::Milliseconds(100));
  Check other = CommandCheck("other", {"/bin/true"}, absl::Seconds(20));
  std::vector<CheckResult> results = runner.Run({stuck, other});
  release.Notify();
  EXPECT_EQ(results[0].verdict, Verdict::kError);
  EXPECT_EQ(results[1].verdict, Verdict::kFail);  // Ran on the replacement worker.
  EXPECT_EQ(results[1].level, Level::kDli0);
}

TEST(CheckRunnerTest, LevelsFollowTheMappingAndNotApplicableHasNone) {
  Check check;
  check.levels = {.pass = Level::kDli100, .partial = Level::kDli67, .fail = Level::kDli33};
  EXPECT_EQ(LevelFor(check, {.verdict = Verdict::kPass}), Level::kDli100);
  EXPECT_EQ(LevelFor(check, {.verdict = Verdict::kFail, .partial = true}), Level::kDli67);
  EXPECT_EQ(LevelFor(check, {.verdict = Verdict::kFail}), Level::kDli33);
  EXPECT_EQ(LevelFor(check, {.verdict = Verdict::kNotApplicable}), std::nullopt);
  EXPECT_EQ(LevelFor(check, {.verdict = Verdict::kError}), std::nullopt);
}

TEST(CheckRunnerTest, ExamplePackAgainstFixtureHosts) {
  CheckPack pack = LoadCheckPack(absl::StrCat(POSTURA_SOURCE_DIR, "/deploy/packs/example.yaml"),
                                 Catalog::Builtin())
                       .value();
  FakeClock clock(kStart);
  CheckRunner hardened({.root = HardenedRoot()}, clock);
  for (const CheckResult& result : hardened.Run(pack.checks)) {
    // shadow-permissions depends on the checkout's file modes; the rest is fixed.
    if (result.check_id == "shadow-permissions") continue;
    EXPECT_EQ(result.verdict, Verdict::kPass) << result.check_id << ": " << result.detail;
  }
  CheckRunner weak({.root = WeakRoot()}, clock);
  for (const CheckResult& result : weak.Run(pack.checks)) {
    if (result.check_id == "shadow-permissions") continue;
    EXPECT_EQ(result.verdict, Verdict::kFail) << result.check_id << ": " << result.detail;
    if (result.check_id == "password-max-age") {
      EXPECT_EQ(result.level, Level::kDli33);
    }
  }
}

TEST(CheckRunnerTest, AllConditionCombinesPartialAndErrors) {
  Check check;
  check.timeout = absl::Seconds(5);
  check.rules.push_back(ProcessRule{.name = "auditd"});
  check.rules.push_back(ProcessRule{.name = "telnetd"});
  CheckEvaluation partial = EvaluateCheck(check, HardenedRoot());
  EXPECT_EQ(partial.verdict, Verdict::kFail);
  EXPECT_TRUE(partial.partial);
  check.rules.push_back(AccountsRule{.kind = AccountsRule::Kind::kNoEmptyPasswords});
  EXPECT_EQ(EvaluateCheck(check, "/nonexistent-root").verdict, Verdict::kError);
  check.condition = Check::Condition::kAny;
  EXPECT_EQ(EvaluateCheck(check, HardenedRoot()).verdict, Verdict::kPass);
}

}  // namespace
}  // namespace postura::agent
