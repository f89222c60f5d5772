#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/checks/rules/rules.h"
#include "common/base/utf8.h"
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

TEST(CommandRuleTest, OutputInDetailsIsValidUtf8CutBetweenCharacters) {
  RuleResult latin1 =
      EvaluateCommand(Command({"/bin/echo", "enforcing\xE9"}, "^enforcing"), absl::Seconds(10));
  EXPECT_EQ(latin1.verdict, Verdict::kPass);
  EXPECT_TRUE(IsValidUtf8(latin1.detail)) << latin1.detail;
  EXPECT_EQ(latin1.detail, "/bin/echo printed 'enforcing\xEF\xBF\xBD'");

  std::string straddling = std::string(kMaxExcerptBytes - 1, 'a') + "\xE2\x82\xAC";  // A euro sign.
  RuleResult cut = EvaluateCommand(Command({"/bin/echo", straddling}, "^a"), absl::Seconds(10));
  EXPECT_TRUE(IsValidUtf8(cut.detail)) << cut.detail;
  EXPECT_EQ(cut.detail,
            absl::StrCat("/bin/echo printed '", std::string(kMaxExcerptBytes - 1, 'a'), "'"));
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
