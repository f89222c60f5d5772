#include "agent/checks/rules/effective_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/rules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class EffectiveConfigTest : public ::testing::Test {
 protected:
  fs::path root() const { return dir_.path(); }
  void Write(absl::string_view path, absl::string_view text) { dir_.WriteFile(path, text); }

  // The effective value of an sshd keyword, "unset" if none.
  std::string Sshd(absl::string_view key) {
    HostRoot host(root());
    absl::StatusOr<std::vector<ConfigLine>> lines =
        ReadEffectiveConfig(host, "/etc/ssh/sshd_config", ConfigSyntax::kSshd);
    if (!lines.ok()) return std::string(lines.status().message());
    std::optional<ConfigValue> value = FindConfigValue(*lines, key, 0, ConfigSyntax::kSshd, true);
    return value ? absl::StrCat(value->value, " @", value->file) : "unset";
  }

  RuleResult SshdRule(absl::string_view key, absl::string_view expected) {
    KeyValueRule rule;
    rule.path = "/etc/ssh/sshd_config";
    rule.key = std::string(key);
    rule.syntax = ConfigSyntax::kSshd;
    rule.expected = MakeComparison("eq", expected).value();
    rule.if_missing = IfMissing::kNotApplicable;
    return EvaluateKeyValue(rule, root());
  }

  test::TempDir dir_;
};

constexpr absl::string_view kDebianMain =
    "Include /etc/ssh/sshd_config.d/*.conf\n"
    "PermitRootLogin no\n"
    "PasswordAuthentication no\n";

TEST_F(EffectiveConfigTest, SshdDropInReadFirstDecidesTheVerdict) {
  Write("etc/ssh/sshd_config", kDebianMain);
  EXPECT_EQ(SshdRule("PermitRootLogin", "no").verdict, Verdict::kPass);
  // A drop-in with the bad value comes first (Debian 12's Include is the first line).
  Write("etc/ssh/sshd_config.d/50-cloud-init.conf", "PermitRootLogin yes\n");
  RuleResult bad = SshdRule("PermitRootLogin", "no");
  EXPECT_EQ(bad.verdict, Verdict::kFail);
  EXPECT_THAT(bad.detail, HasSubstr("/etc/ssh/sshd_config.d/50-cloud-init.conf"));
  // And the other way: the main file is weak, a drop-in fixes it.
  Write("etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n");
  Write("etc/ssh/sshd_config.d/10-hardening.conf", "PasswordAuthentication no\n");
  EXPECT_EQ(SshdRule("PasswordAuthentication", "no").verdict, Verdict::kPass);
}

TEST_F(EffectiveConfigTest, SshdIncludesSortRelativeNestedAndFirstValueWins) {
  Write(
      "etc/ssh/sshd_config",
      "Include conf.d/*.conf extra.conf missing.conf\nInclude=/etc/ssh/eq.conf\nMaxAuthTries 9\n");
  Write("etc/ssh/eq.conf", "PermitRootLogin = no\n");
  Write("etc/ssh/conf.d/20-b.conf", "MaxAuthTries 5\nInclude nested/*.conf\n");
  Write("etc/ssh/conf.d/10-a.conf", "ClientAliveInterval 300\n");
  Write("etc/ssh/conf.d/.hidden.conf", "X11Forwarding yes\n");  // Globs skip dot files.
  Write("etc/ssh/nested/x.conf", "MaxAuthTries 2\nX11Forwarding no\n");
  Write("etc/ssh/extra.conf", "ClientAliveInterval 100\nAllowGroups admins\n");
  EXPECT_EQ(Sshd("MaxAuthTries"), "5 @/etc/ssh/conf.d/20-b.conf");
  EXPECT_EQ(Sshd("ClientAliveInterval"), "300 @/etc/ssh/conf.d/10-a.conf");
  EXPECT_EQ(Sshd("X11Forwarding"), "no @/etc/ssh/nested/x.conf");
  EXPECT_EQ(Sshd("AllowGroups"), "admins @/etc/ssh/extra.conf");
  EXPECT_EQ(Sshd("PermitRootLogin"), "no @/etc/ssh/eq.conf");  // A missing file is skipped.
}

TEST_F(EffectiveConfigTest, SshdMatchBlocksAreNotGlobal) {
  Write("etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\n"
        "Match User backup\n"
        "  PasswordAuthentication yes\n"
        "  Include /etc/ssh/in-match.conf\n"
        "Match all\n"
        "PasswordAuthentication no\n"
        "PermitRootLogin=no\n");
  // A Match block ends at the end of the file that opened it.
  Write("etc/ssh/sshd_config.d/a.conf", "Match Address 10.0.0.0/8\nX11Forwarding yes\n");
  Write("etc/ssh/in-match.conf", "MaxAuthTries 1\n");
  EXPECT_EQ(Sshd("PasswordAuthentication"), "no @/etc/ssh/sshd_config");
  EXPECT_EQ(Sshd("PermitRootLogin"), "no @/etc/ssh/sshd_config");
  EXPECT_EQ(Sshd("X11Forwarding"), "unset");
  EXPECT_EQ(Sshd("MaxAuthTries"), "unset");
}

TEST_F(EffectiveConfigTest, SshdIncludeLoopAndHugeFilesAreErrorsNotCrashes) {
  Write("etc/ssh/sshd_config", "Include /etc/ssh/sshd_config\n");
  RuleResult loop = SshdRule("PermitRootLogin", "no");
  EXPECT_EQ(loop.verdict, Verdict::kError);
  EXPECT_THAT(loop.detail, HasSubstr("include loop"));

  Write("etc/ssh/sshd_config", "Include /etc/ssh/big/*.conf\n");
  std::string chunk(5 << 20, 'x');
  for (int i = 0; i < 4; ++i) Write(absl::StrCat("etc/ssh/big/", i, ".conf"), chunk);
  RuleResult huge = SshdRule("PermitRootLogin", "no");
  EXPECT_EQ(huge.verdict, Verdict::kError);
  EXPECT_THAT(huge.detail, HasSubstr("MiB in total"));

  std::string includes;
  for (int i = 0; i < 2000; ++i) includes += "Include /etc/ssh/none-*.conf\n";
  Write("etc/ssh/sshd_config", includes);
  RuleResult many = SshdRule("PermitRootLogin", "no");
  EXPECT_EQ(many.verdict, Verdict::kError);
  EXPECT_THAT(many.detail, HasSubstr("Include patterns"));

  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131) & 0xff));
  Write("etc/ssh/sshd_config", junk + "\nPermitRootLogin no\n");
  EXPECT_EQ(SshdRule("PermitRootLogin", "no").verdict, Verdict::kPass);
}

TEST_F(EffectiveConfigTest, AbsentSubjectIsNotApplicableUnreadableIsError) {
  RuleResult absent = SshdRule("PermitRootLogin", "no");
  EXPECT_EQ(absent.verdict, Verdict::kNotApplicable) << absent.detail;
  // A configuration the agent cannot read (here a directory where the file belongs; as
  // root, modes would not stop the read) is an error, never a fail.
  fs::create_directories(root() / "etc/ssh/sshd_config");
  EXPECT_EQ(SshdRule("PermitRootLogin", "no").verdict, Verdict::kError);
  fs::remove(root() / "etc/ssh/sshd_config");
  Write("etc/ssh/sshd_config", kDebianMain);
  fs::create_directories(root() / "etc/ssh/sshd_config.d/broken.conf");
  RuleResult included = SshdRule("PermitRootLogin", "no");
  EXPECT_EQ(included.verdict, Verdict::kError);
  EXPECT_THAT(included.detail, HasSubstr("broken.conf"));
  if (geteuid() != 0) {
    fs::remove(root() / "etc/ssh/sshd_config.d/broken.conf");
    Write("etc/ssh/sshd_config.d/secret.conf", "PermitRootLogin yes\n");
    ASSERT_EQ(chmod((root() / "etc/ssh/sshd_config.d/secret.conf").c_str(), 0), 0);
    EXPECT_EQ(SshdRule("PermitRootLogin", "no").verdict, Verdict::kError);
  }
}

TEST_F(EffectiveConfigTest, PamFollowsIncludeAndSubstackByType) {
  Write("etc/pam.d/passwd", "# The passwd service\n@include common-password\n");
  Write("etc/pam.d/common-password",
        "password requisite pam_pwquality.so retry=3 # strength\n"
        "password [success=1 default=ignore] pam_unix.so obscure yescrypt\n");
  Write("etc/pam.d/su",
        "auth sufficient pam_rootok.so\n"
        "auth include common-auth\n"
        "session substack common-session\n");
  Write("etc/pam.d/common-auth", "auth required pam_faillock.so\nsession optional pam_x.so\n");
  Write("etc/pam.d/common-session", "session required pam_limits.so\n");
  FileContentRule rule;
  rule.path = "/etc/pam.d/passwd";
  rule.syntax = ConfigSyntax::kPam;
  rule.pattern = "^password\\s+requisite\\s+pam_pwquality\\.so";
  rule.regex = std::regex(rule.pattern);
  RuleResult pwquality = EvaluateFileContent(rule, root());
  EXPECT_EQ(pwquality.verdict, Verdict::kPass);
  EXPECT_THAT(pwquality.detail, HasSubstr("/etc/pam.d/common-password"));

  HostRoot host(root());
  absl::StatusOr<std::vector<ConfigLine>> su =
      ReadEffectiveConfig(host, "/etc/pam.d/su", ConfigSyntax::kPam);
  ASSERT_TRUE(su.ok()) << su.status();
  std::vector<std::string> texts;
  for (const ConfigLine& line : *su) texts.push_back(line.text);
  // "auth include" takes only the auth lines of common-auth.
  EXPECT_THAT(texts, ::testing::ElementsAre("auth sufficient pam_rootok.so",
                                            "auth required pam_faillock.so",
                                            "session required pam_limits.so"));
  // A stack that includes a missing file is broken: an error, not an absent subject.
  Write("etc/pam.d/passwd", "@include common-missing\n");
  RuleResult broken = EvaluateFileContent(rule, root());
  EXPECT_EQ(broken.verdict, Verdict::kError);
  EXPECT_THAT(broken.detail, HasSubstr("common-missing"));
  // A commented-out module is not in the stack.
  Write("etc/pam.d/passwd", "# password requisite pam_pwquality.so\n");
  EXPECT_EQ(EvaluateFileContent(rule, root()).verdict, Verdict::kFail);
}

TEST_F(EffectiveConfigTest, SystemdDropInsOverrideByNameAndEmptyResets) {
  KeyValueRule rule;
  rule.path = "/etc/systemd/journald.conf";
  rule.key = "Storage";
  rule.syntax = ConfigSyntax::kSystemd;
  rule.expected = MakeComparison("eq", "persistent").value();
  rule.default_value = "auto";
  Write("etc/systemd/journald.conf", "[Journal]\nStorage=persistent\n");
  EXPECT_EQ(EvaluateKeyValue(rule, root()).verdict, Verdict::kPass);
  Write("usr/lib/systemd/journald.conf.d/50-vendor.conf", "[Journal]\nStorage=volatile\n");
  RuleResult vendor = EvaluateKeyValue(rule, root());
  EXPECT_EQ(vendor.verdict, Verdict::kFail);
  EXPECT_THAT(vendor.detail, HasSubstr("50-vendor.conf"));
  // The same name under /etc hides the vendor's file.
  Write("etc/systemd/journald.conf.d/50-vendor.conf", "[Journal]\nStorage=persistent\n");
  EXPECT_EQ(EvaluateKeyValue(rule, root()).verdict, Verdict::kPass);
  // A later file's empty assignment resets to the default.
  Write("run/systemd/journald.conf.d/90-reset.conf", "[Journal]\nStorage=\n");
  EXPECT_EQ(EvaluateKeyValue(rule, root()).detail,
            "Storage is 'auto' (default), expected 'persistent'");

  // A unit's drop-ins: /etc/systemd/system/NAME.d overrides the vendor unit.
  KeyValueRule unit;
  unit.path = "/lib/systemd/system/ssh.service";
  unit.key = "ProtectSystem";
  unit.syntax = ConfigSyntax::kSystemd;
  unit.expected = MakeComparison("eq", "strict").value();
  unit.if_missing = IfMissing::kNotApplicable;
  EXPECT_EQ(EvaluateKeyValue(unit, root()).verdict, Verdict::kNotApplicable);
  Write("lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
  EXPECT_EQ(EvaluateKeyValue(unit, root()).verdict, Verdict::kFail);
  Write("etc/systemd/system/ssh.service.d/override.conf", "[Service]\nProtectSystem=strict\n");
  EXPECT_EQ(EvaluateKeyValue(unit, root()).verdict, Verdict::kPass);
}

TEST_F(EffectiveConfigTest, SysctlFollowsTheSysctlDOrder) {
  HostRoot host(root());
  auto configured = [&](absl::string_view name) -> std::string {
    absl::StatusOr<std::optional<ConfigValue>> value = ConfiguredSysctl(host, name);
    if (!value.ok()) return std::string(value.status().message());
    return *value ? absl::StrCat((*value)->value, " @", (*value)->file) : "unset";
  };
  EXPECT_EQ(configured("net.ipv4.ip_forward"), "unset");
  Write("usr/lib/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 1\nkernel.kptr_restrict=0\n");
  Write("lib/sysctl.d/10-old.conf", "net/ipv4/tcp_syncookies = 1\n");
  EXPECT_EQ(configured("net.ipv4.ip_forward"), "1 @/usr/lib/sysctl.d/50-default.conf");
  EXPECT_EQ(configured("net.ipv4.tcp_syncookies"), "1 @/lib/sysctl.d/10-old.conf");
  // Lexical order across directories: 60-local.conf comes after 50-default.conf.
  Write("run/sysctl.d/60-local.conf", "-net.ipv4.ip_forward = 0\n; a comment\n");
  EXPECT_EQ(configured("net.ipv4.ip_forward"), "0 @/run/sysctl.d/60-local.conf");
  // The same name in /etc/sysctl.d hides the vendor file; a /dev/null link masks it.
  fs::create_directories(root() / "etc/sysctl.d");
  fs::create_symlink("/dev/null", root() / "etc/sysctl.d/50-default.conf");
  EXPECT_EQ(configured("kernel.kptr_restrict"), "unset");
  // /etc/sysctl.conf comes last and wins.
  Write("etc/sysctl.conf", "net.ipv4.ip_forward=1\n");
  EXPECT_EQ(configured("net.ipv4.ip_forward"), "1 @/etc/sysctl.conf");

  SysctlRule rule;
  rule.name = "net.ipv4.ip_forward";
  rule.expected = MakeComparison("eq", "0").value();
  Write("proc/sys/net/ipv4/ip_forward", "0\n");
  EXPECT_EQ(EvaluateSysctl(rule, root()).verdict, Verdict::kPass);
  rule.source = SysctlSource::kBoth;  // Live is 0, but the next boot sets 1.
  RuleResult both = EvaluateSysctl(rule, root());
  EXPECT_EQ(both.verdict, Verdict::kFail);
  EXPECT_THAT(both.detail, HasSubstr("/etc/sysctl.conf sets net.ipv4.ip_forward = '1'"));
  rule.source = SysctlSource::kConfig;
  rule.name = "kernel.kptr_restrict";
  rule.expected = MakeComparison("ge", "1").value();
  EXPECT_EQ(EvaluateSysctl(rule, root()).verdict, Verdict::kFail);  // Unset.
}

TEST_F(EffectiveConfigTest, FileContentPathGlobsSearchEveryMatchingFile) {
  FileContentRule rule;
  rule.path = "/etc/modprobe.d/*.conf";
  rule.pattern = "^\\s*install\\s+usb-storage\\s+/bin/false";
  rule.regex = std::regex(rule.pattern);
  rule.if_missing = IfMissing::kNotApplicable;
  EXPECT_EQ(EvaluateFileContent(rule, root()).verdict, Verdict::kNotApplicable);
  Write("etc/modprobe.d/alsa.conf", "options snd-hda-intel model=auto\n");
  EXPECT_EQ(EvaluateFileContent(rule, root()).verdict, Verdict::kFail);
  Write("etc/modprobe.d/zz-local.conf", "install usb-storage /bin/false\n");
  RuleResult found = EvaluateFileContent(rule, root());
  EXPECT_EQ(found.verdict, Verdict::kPass);
  EXPECT_THAT(found.detail, HasSubstr("/etc/modprobe.d/zz-local.conf"));
  rule.absent = true;  // Forbidden in every file.
  EXPECT_EQ(EvaluateFileContent(rule, root()).verdict, Verdict::kFail);
}

}  // namespace
}  // namespace postura::agent
