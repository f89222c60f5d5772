#include "agent/checks/check_pack.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura::agent {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

constexpr char kPack[] = R"(name: test-pack
default_timeout: 5s
checks:
  - id: ssh-no-root
    title: SSH forbids root login
    outcomes: [PR_AC_CSC_5_2]
    levels: {pass: DLI_100, partial: DLI_67, fail: DLI_0}
    interval: 30m
    rules:
      - key_value: {path: /etc/ssh/sshd_config, key: PermitRootLogin, occurrence: first, value: "no"}
      - file: {path: /etc/ssh/sshd_config, mode_max: 0644, owner: root}
  - id: forwarding-off
    title: IP forwarding is off
    outcomes: [PR_AC_CSC_5_2]
    condition: any
    rules:
      - sysctl: {name: net.ipv4.ip_forward, value: 0}
      - command: {argv: [/bin/true], exit_code: 0, timeout: 2s}
)";

absl::StatusOr<CheckPack> Parse(const std::string& yaml) {
  return ParseCheckPack(yaml, "pack.yaml", Catalog::Builtin());
}

// kPack's first check with `replace` substituted for `find`.
std::string Edited(const std::string& find, const std::string& replace) {
  std::string yaml = kPack;
  size_t at = yaml.find(find);
  EXPECT_NE(at, std::string::npos) << find;
  if (at != std::string::npos) yaml.replace(at, find.size(), replace);
  return yaml;
}

TEST(CheckPackTest, ParsesEveryCheckField) {
  CheckPack pack = Parse(kPack).value();
  ASSERT_EQ(pack.checks.size(), 2u);
  const Check& ssh = pack.checks[0];
  EXPECT_EQ(ssh.id, "ssh-no-root");
  EXPECT_EQ(ssh.interval, absl::Minutes(30));
  EXPECT_EQ(ssh.timeout, absl::Seconds(5));
  EXPECT_EQ(ssh.levels.partial, Level::kDli67);
  ASSERT_EQ(ssh.rules.size(), 2u);
  const auto& kv = std::get<KeyValueRule>(ssh.rules[0]);
  EXPECT_TRUE(kv.first_wins);
  EXPECT_EQ(kv.expected.value, "no");
  EXPECT_EQ(std::get<FileRule>(ssh.rules[1]).mode_max, 0644u);
  const Check& fwd = pack.checks[1];
  EXPECT_EQ(fwd.condition, Check::Condition::kAny);
  EXPECT_EQ(fwd.interval, absl::Hours(1));
  EXPECT_EQ(std::get<SysctlRule>(fwd.rules[0]).expected.value, "0");
  EXPECT_EQ(std::get<CommandRule>(fwd.rules[1]).timeout, absl::Seconds(2));
}

TEST(CheckPackTest, ParsesPreconditions) {
  std::string yaml = Edited("    rules:\n      - key_value",
                            "    preconditions:\n      - package: {name: openssh-server}\n"
                            "    rules:\n      - key_value");
  CheckPack pack = Parse(yaml).value();
  ASSERT_EQ(pack.checks[0].preconditions.size(), 1u);
  EXPECT_EQ(std::get<PackageRule>(pack.checks[0].preconditions[0]).name, "openssh-server");
  EXPECT_TRUE(pack.checks[1].preconditions.empty());
  EXPECT_THAT(
      Parse(Edited("    rules:\n      - key_value",
                   "    preconditions:\n      - package: {}\n    rules:\n      - key_value"))
          .status(),
      HasMessage(HasSubstr("check 'ssh-no-root': preconditions[0].package.name: required")));
}

TEST(CheckPackTest, ParsesEffectiveConfigurationKeys) {
  std::string yaml = Edited("occurrence: first,", "syntax: sshd,");
  yaml.replace(yaml.find("value: 0}"), 9, "value: 0, source: both}");
  CheckPack pack = Parse(yaml).value();
  const auto& kv = std::get<KeyValueRule>(pack.checks[0].rules[0]);
  EXPECT_EQ(kv.syntax, ConfigSyntax::kSshd);
  EXPECT_EQ(std::get<SysctlRule>(pack.checks[1].rules[0]).source, SysctlSource::kBoth);
  EXPECT_EQ(std::get<SysctlRule>(Parse(kPack)->checks[1].rules[0]).source, SysctlSource::kLive);
}

TEST(CheckPackTest, EveryValidationErrorNamesTheCheckAndTheKey) {
  struct Case {
    std::string find, replace, message;
  };
  for (const Case& c : std::vector<Case>{
           {"PR_AC_CSC_5_2]\n    levels", "NOPE_1]\n    levels",
            "check 'ssh-no-root': outcomes[0]: 'NOPE_1' is not an outcome"},
           {"partial: DLI_67", "partial: DLI_50",
            "check 'ssh-no-root': levels.partial: 'DLI_50' is not"},
           {"interval: 30m", "interval: often", "check 'ssh-no-root': interval: 'often'"},
           {"key: PermitRootLogin,", "key: PermitRootLogin, op: is,",
            "check 'ssh-no-root': rules[0].key_value.op: 'is' is not one of"},
           {"value: \"no\"", "value: \"no\", op: lt",
            "check 'ssh-no-root': rules[0].key_value.op: 'no' is not a number"},
           {"mode_max: 0644", "mode_max: 0999",
            "check 'ssh-no-root': rules[1].file.mode_max: '999' is not an octal mode"},
           {"- file: {path: /etc/ssh/sshd_config, mode_max: 0644, owner: root}",
            "- file_content: {path: /etc/ssh/sshd_config, match: \"([\"}",
            "check 'ssh-no-root': rules[1].file_content.match: '([' is not a regular"},
           {"- file: {path: /etc/ssh/sshd_config, ",
            "- sysctl: {name: a}\n        file: {path: /x, ",
            "check 'ssh-no-root': rules[1]: several rule types (file, sysctl)"},
           {"    title: SSH forbids root login\n", "", "check 'ssh-no-root': title: required"},
           {"id: forwarding-off", "id: ssh-no-root", "check 'ssh-no-root': id: duplicate"},
           {"occurrence: first", "occurence: first", "check 'ssh-no-root': "},
           {"condition: any", "condition: most", "check 'forwarding-off': condition: 'most'"},
           {"occurrence: first,", "syntax: nginx,",
            "check 'ssh-no-root': rules[0].key_value.syntax: 'nginx' is not one of sshd, systemd"},
           {"occurrence: first,", "occurrence: last, syntax: sshd,",
            "rules[0].key_value.occurrence: sshd keeps the first value"},
           {"ip_forward, value: 0}", "ip_forward, value: 0, source: disk}",
            "check 'forwarding-off': rules[0].sysctl.source: 'disk' is not one of live, config"},
           {"argv: [/bin/true]", "argv: [bin/true]",
            "check 'forwarding-off': rules[1].command.argv: 'bin/true' is not an absolute path"},
       }) {
    absl::StatusOr<CheckPack> pack = Parse(Edited(c.find, c.replace));
    EXPECT_THAT(pack.status(), HasMessage(HasSubstr(c.message))) << c.replace;
    EXPECT_THAT(pack.status(), HasMessage(HasSubstr("pack.yaml"))) << c.replace;
  }
}

TEST(CheckPackTest, UnknownKeyIsNamedWithItsCheck) {
  absl::StatusOr<CheckPack> pack = Parse(Edited("occurrence: first", "occurence: first"));
  EXPECT_THAT(pack.status(), HasMessage(HasSubstr("check 'ssh-no-root'")));
  EXPECT_THAT(pack.status(), HasMessage(HasSubstr("occurence")));
}

TEST(CheckPackTest, PackLevelErrors) {
  EXPECT_THAT(Parse("checks: []\n").status(), HasMessage(HasSubstr("name: required")));
  EXPECT_THAT(Parse("name: p\n").status(), HasMessage(HasSubstr("checks: required")));
  EXPECT_THAT(LoadCheckPack("/nonexistent/pack.yaml", Catalog::Builtin()).status(),
              HasMessage(HasSubstr("cannot read check pack")));
}

TEST(CheckPackTest, ExamplePackParses) {
  CheckPack pack = LoadCheckPack(absl::StrCat(POSTURA_SOURCE_DIR, "/deploy/packs/example.yaml"),
                                 Catalog::Builtin())
                       .value();
  EXPECT_EQ(pack.checks.size(), 9u);
}

// A fuzzer found that a number beyond int64 crashed the conversion to text.
TEST(CheckPackTest, HugeNumbersAreTakenAsText) {
  absl::StatusOr<CheckPack> pack = Parse(
      Edited("{name: net.ipv4.ip_forward, value: 0}", "{name: net.ipv4.ip_forward, value: 1e300}"));
  EXPECT_TRUE(pack.ok()) << pack.status();
}

}  // namespace
}  // namespace postura::agent
