#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/rules.h"
#include "agent/checks/rules/test_roots.h"
#include "common/base/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::testing::HasSubstr;

KeyValueRule SshKey(std::string key, std::string op, std::string value) {
  KeyValueRule rule;
  rule.path = "/etc/ssh/sshd_config";
  rule.key = std::move(key);
  rule.first_wins = true;
  rule.expected = MakeComparison(op, value).value();
  return rule;
}

TEST(KeyValueRuleTest, PassesAndFailsWithTheObservedValue) {
  KeyValueRule rule = SshKey("PermitRootLogin", "eq", "no");
  EXPECT_EQ(EvaluateKeyValue(rule, HardenedRoot()).verdict, Verdict::kPass);
  RuleResult weak = EvaluateKeyValue(rule, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_EQ(weak.detail, "PermitRootLogin is 'yes', expected 'no'");
}

TEST(KeyValueRuleTest, ComparesNumbers) {
  KeyValueRule rule = SshKey("MaxAuthTries", "le", "4");
  EXPECT_EQ(EvaluateKeyValue(rule, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluateKeyValue(rule, WeakRoot()).verdict, Verdict::kFail);
  KeyValueRule defs;
  defs.path = "/etc/login.defs";
  defs.key = "PASS_MAX_DAYS";
  defs.expected = MakeComparison("le", "365").value();
  EXPECT_EQ(EvaluateKeyValue(defs, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluateKeyValue(defs, WeakRoot()).detail, "PASS_MAX_DAYS is '99999', expected <= 365");
  KeyValueRule pam;
  pam.path = "/etc/security/pwquality.conf";
  pam.key = "minlen";
  pam.separator = '=';
  pam.expected = MakeComparison("ge", "14").value();
  EXPECT_EQ(EvaluateKeyValue(pam, HardenedRoot()).verdict, Verdict::kPass);
}

TEST(KeyValueRuleTest, MissingKeyUsesDefaultOrFails) {
  KeyValueRule rule = SshKey("X11Forwarding", "eq", "no");
  RuleResult result = EvaluateKeyValue(rule, WeakRoot());
  EXPECT_EQ(result.verdict, Verdict::kFail);
  EXPECT_THAT(result.detail, HasSubstr("is not set"));
  rule.default_value = "no";
  EXPECT_EQ(EvaluateKeyValue(rule, WeakRoot()).verdict, Verdict::kPass);
}

TEST(KeyValueRuleTest, MissingFileIsFailOrNotApplicableAsConfigured) {
  KeyValueRule rule = SshKey("PermitRootLogin", "eq", "no");
  rule.path = "/etc/absent.conf";
  EXPECT_EQ(EvaluateKeyValue(rule, HardenedRoot()).verdict, Verdict::kFail);
  rule.if_missing = IfMissing::kNotApplicable;
  EXPECT_EQ(EvaluateKeyValue(rule, HardenedRoot()).verdict, Verdict::kNotApplicable);
}

TEST(KeyValueRuleTest, UnreadableFileIsAnErrorNotAFail) {
  KeyValueRule rule = SshKey("PermitRootLogin", "eq", "no");
  rule.path = "/etc/ssh";  // A directory: reading it fails.
  EXPECT_EQ(EvaluateKeyValue(rule, HardenedRoot()).verdict, Verdict::kError);
}

TEST(FileContentRuleTest, MatchesLinesAndAbsence) {
  FileContentRule rule;
  rule.path = "/etc/fstab";
  rule.pattern = "^tmpfs\\s+/tmp\\s";
  rule.regex = std::regex(rule.pattern);
  EXPECT_EQ(EvaluateFileContent(rule, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluateFileContent(rule, WeakRoot()).verdict, Verdict::kFail);
  rule.absent = true;
  EXPECT_EQ(EvaluateFileContent(rule, WeakRoot()).verdict, Verdict::kPass);
  rule.path = "/etc/nothing";
  rule.if_missing = IfMissing::kNotApplicable;
  EXPECT_EQ(EvaluateFileContent(rule, WeakRoot()).verdict, Verdict::kNotApplicable);
}

// An sshd_config line ending in a Latin-1 byte, and a line whose 2-byte character straddles
// the cut at kMaxExcerptBytes: details must stay valid UTF-8, cut between characters.
TEST(FileContentRuleTest, DetailsAreValidUtf8CutBetweenCharacters) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "etc/ssh");
  std::string straddling = std::string(kMaxExcerptBytes - 1, 'a') + "\xC3\xA9tail";
  dir.WriteFile("etc/ssh/sshd_config", "PermitRootLogin no\xE9\n" + straddling + "\n");
  FileContentRule rule{.path = "/etc/ssh/sshd_config", .pattern = "^PermitRootLogin"};
  rule.regex = std::regex(rule.pattern);
  RuleResult latin1 = EvaluateFileContent(rule, dir.path());
  EXPECT_EQ(latin1.verdict, Verdict::kPass);
  EXPECT_TRUE(IsValidUtf8(latin1.detail)) << latin1.detail;
  EXPECT_EQ(latin1.detail, "/etc/ssh/sshd_config has 'PermitRootLogin no\xEF\xBF\xBD'");

  rule.pattern = "^a+";
  rule.regex = std::regex(rule.pattern);
  RuleResult cut = EvaluateFileContent(rule, dir.path());
  EXPECT_TRUE(IsValidUtf8(cut.detail)) << cut.detail;
  EXPECT_EQ(cut.detail, absl::StrCat("/etc/ssh/sshd_config has '",
                                     std::string(kMaxExcerptBytes - 1, 'a'), "'"));

  KeyValueRule key = SshKey("PermitRootLogin", "eq", "no");
  RuleResult value = EvaluateKeyValue(key, dir.path());
  EXPECT_EQ(value.verdict, Verdict::kFail);
  EXPECT_TRUE(IsValidUtf8(value.detail)) << value.detail;
  EXPECT_THAT(value.detail, HasSubstr("PermitRootLogin is 'no\xEF\xBF\xBD'"));
}

TEST(FileRuleTest, ChecksExistenceModeAndOwnership) {
  test::TempDir dir;
  dir.WriteFile("secret", "x");
  std::filesystem::path root = dir.path();
  ASSERT_EQ(chmod((root / "secret").c_str(), 0644), 0);
  std::filesystem::create_directories(root / "etc");
  dir.WriteFile("etc/passwd", absl::StrCat("me:x:", getuid(), ":", getgid(), "::/:/bin/sh\n"));
  dir.WriteFile("etc/group", absl::StrCat("mine:x:", getgid(), ":\n"));
  FileRule rule;
  rule.path = "/secret";
  rule.mode_max = 0600;
  RuleResult loose = EvaluateFile(rule, root);
  EXPECT_EQ(loose.verdict, Verdict::kFail);
  EXPECT_THAT(loose.detail, HasSubstr("mode is 0644, expected at most 0600"));
  ASSERT_EQ(chmod((root / "secret").c_str(), 0600), 0);
  rule.owner = "me";
  rule.group = "mine";
  EXPECT_EQ(EvaluateFile(rule, root).verdict, Verdict::kPass);
  rule.owner = absl::StrCat(getuid() + 1);
  EXPECT_EQ(EvaluateFile(rule, root).verdict, Verdict::kFail);
  rule.owner = "nobody-here";
  EXPECT_EQ(EvaluateFile(rule, root).verdict, Verdict::kError);
}

TEST(FileRuleTest, AbsenceAndIfMissing) {
  FileRule rule;
  rule.path = "/etc/hosts.equiv";
  EXPECT_EQ(EvaluateFile(rule, HardenedRoot()).verdict, Verdict::kFail);
  rule.if_missing = IfMissing::kNotApplicable;
  EXPECT_EQ(EvaluateFile(rule, HardenedRoot()).verdict, Verdict::kNotApplicable);
  rule.absent = true;
  EXPECT_EQ(EvaluateFile(rule, HardenedRoot()).verdict, Verdict::kPass);
  rule.path = "/etc/passwd";
  EXPECT_EQ(EvaluateFile(rule, HardenedRoot()).verdict, Verdict::kFail);
}

}  // namespace
}  // namespace postura::agent
