#include "absl/time/clock.h"
#include "agent/rules/rules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

using ::testing::HasSubstr;

CommandRule Command(std::vector<std::string> argv, std::string pattern = "") {
  CommandRule rule;
  rule.argv = std::move(argv);
  rule.pattern = pattern;
  if (!pattern.empty()) rule.regex = std::regex(pattern);
  return rule;
}

TEST(CommandRuleTest, MatchesOutputLinesWithoutAShell) {
  CommandRule rule = Command({"/bin/echo", "enforcing; $HOME"}, "^enforcing; \\$HOME$");
  RuleResult result = EvaluateCommand(rule, absl::Seconds(10));
  EXPECT_EQ(result.verdict, Verdict::kPass) << result.detail;  // No shell expanded $HOME.
  rule.absent = true;
  EXPECT_EQ(EvaluateCommand(rule, absl::Seconds(10)).verdict, Verdict::kFail);
  EXPECT_EQ(EvaluateCommand(Command({"/bin/echo", "x"}, "^y$"), absl::Seconds(10)).verdict,
            Verdict::kFail);
}

TEST(CommandRuleTest, ExitCodeIsCheckedOrElseAnErrorWhenNonZero) {
  EXPECT_EQ(EvaluateCommand(Command({"/bin/false"}), absl::Seconds(10)).verdict, Verdict::kError);
  CommandRule rule = Command({"/bin/false"});
  rule.exit_code = 1;
  EXPECT_EQ(EvaluateCommand(rule, absl::Seconds(10)).verdict, Verdict::kPass);
  rule.argv = {"/bin/true"};
  EXPECT_EQ(EvaluateCommand(rule, absl::Seconds(10)).verdict, Verdict::kFail);
}

TEST(CommandRuleTest, MissingProgramIsAnError) {
  RuleResult result = EvaluateCommand(Command({"/nonexistent/program"}), absl::Seconds(10));
  EXPECT_EQ(result.verdict, Verdict::kError);
  EXPECT_THAT(result.detail, HasSubstr("cannot run /nonexistent/program"));
}

TEST(CommandRuleTest, TimeoutKillsTheProgramAndIsAnErrorNotAFail) {
  absl::Time start = absl::Now();
  RuleResult result = EvaluateCommand(Command({"/bin/sleep", "30"}), absl::Milliseconds(200));
  EXPECT_EQ(result.verdict, Verdict::kError);
  EXPECT_THAT(result.detail, HasSubstr("timed out after 200ms"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace postura::agent
