#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/rules.h"
#include "agent/checks/rules/test_roots.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::testing::HasSubstr;

SysctlRule Sysctl(std::string name, std::string op, std::string value) {
  return {.name = std::move(name), .expected = MakeComparison(op, value).value()};
}

TEST(SysctlRuleTest, ReadsLiveValuesUnderProcSys) {
  SysctlRule rule = Sysctl("net.ipv4.ip_forward", "eq", "0");
  EXPECT_EQ(EvaluateSysctl(rule, HardenedRoot()).verdict, Verdict::kPass);
  RuleResult weak = EvaluateSysctl(rule, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_EQ(weak.detail, "net.ipv4.ip_forward is '1', expected '0'");
  EXPECT_EQ(EvaluateSysctl(Sysctl("kernel.printk", "eq", "4 4 1 7"), HardenedRoot()).verdict,
            Verdict::kPass);
  EXPECT_EQ(EvaluateSysctl(Sysctl("kernel.randomize_va_space", "ge", "2"), WeakRoot()).verdict,
            Verdict::kFail);
}

TEST(SysctlRuleTest, UnknownParameterIsNotApplicable) {
  EXPECT_EQ(EvaluateSysctl(Sysctl("net.ipv6.conf.all.forwarding", "eq", "0"), WeakRoot()).verdict,
            Verdict::kNotApplicable);
}

TEST(ProcessRuleTest, FindsProcessesByCommandName) {
  EXPECT_EQ(EvaluateProcess({.name = "auditd"}, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluateProcess({.name = "auditd"}, WeakRoot()).verdict, Verdict::kFail);
  EXPECT_EQ(EvaluateProcess({.name = "telnetd", .absent = true}, HardenedRoot()).verdict,
            Verdict::kPass);
  EXPECT_EQ(EvaluateProcess({.name = "telnetd", .absent = true}, WeakRoot()).verdict,
            Verdict::kFail);
  EXPECT_EQ(EvaluateProcess({.name = "x"}, "/nonexistent-root").verdict, Verdict::kError);
}

// The fixture's exe links point at /usr/sbin/... of a host that is not this one: their text
// is compared, never the file they name.
TEST(ProcessRuleTest, MatchesTheExecutableAndOwnerOfTheFixtureDaemons) {
  ProcessRule auditd{.name = "auditd", .executable = "/usr/sbin/auditd", .owner = "root"};
  RuleResult hardened = EvaluateProcess(auditd, HardenedRoot());
  EXPECT_EQ(hardened.verdict, Verdict::kPass) << hardened.detail;
  EXPECT_EQ(hardened.detail, "process auditd (/usr/sbin/auditd, owner root) is running");
  EXPECT_EQ(EvaluateProcess(auditd, WeakRoot()).verdict, Verdict::kFail);
  ProcessRule chronyd{.executable = "/usr/sbin/chronyd", .owner = "_chrony"};
  EXPECT_EQ(EvaluateProcess(chronyd, HardenedRoot()).verdict, Verdict::kPass);
  // No such user on the weak host: nothing can run as it.
  RuleResult weak = EvaluateProcess(chronyd, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_THAT(weak.detail, HasSubstr("user '_chrony' is not in /etc/passwd"));
}

// A host where a local user (uid 1000) runs their own program named auditd, and runs a
// setuid-root program through a link named auditd.
class ProcessSpoofTest : public ::testing::Test {
 protected:
  ProcessSpoofTest() {
    std::filesystem::create_directories(dir_.path() / "etc");
    dir_.WriteFile("etc/passwd", "root:x:0:0::/root:/bin/sh\nmallory:x:1000:1000::/home:/bin/sh\n");
    AddProcess(900, "auditd", "/home/mallory/auditd", 1000);
  }
  void AddProcess(int pid, const std::string& comm, const std::string& exe, int uid) {
    std::string dir = absl::StrCat("proc/", pid);
    std::filesystem::create_directories(dir_.path() / dir);
    dir_.WriteFile(dir + "/comm", comm + "\n");
    dir_.WriteFile(dir + "/status", absl::StrCat("Name:\t", comm, "\nUid:\t", uid, "\t0\t0\t0\n"));
    std::filesystem::create_symlink(exe, dir_.path() / dir / "exe");
  }
  std::filesystem::path root() const { return dir_.path(); }

  test::TempDir dir_;
  const ProcessRule auditd_{.name = "auditd", .executable = "/usr/sbin/auditd", .owner = "root"};
};

TEST_F(ProcessSpoofTest, AUserProgramNamedLikeTheDaemonDoesNotPass) {
  // The name alone is fooled; that is why the built-in pack names the program and owner.
  EXPECT_EQ(EvaluateProcess({.name = "auditd"}, root()).verdict, Verdict::kPass);
  RuleResult result = EvaluateProcess(auditd_, root());
  EXPECT_EQ(result.verdict, Verdict::kFail);
  EXPECT_EQ(result.detail,
            "process auditd (/usr/sbin/auditd, owner root) is not running; "
            "/proc/900 runs /home/mallory/auditd");
}

TEST_F(ProcessSpoofTest, TheRealProgramRunByAUserDoesNotPass) {
  // Through a link named auditd, or the real binary started by the user (real uid 1000).
  std::filesystem::remove_all(dir_.path() / "proc/900");
  AddProcess(901, "auditd", "/usr/sbin/auditd", 1000);
  RuleResult result = EvaluateProcess(auditd_, root());
  EXPECT_EQ(result.verdict, Verdict::kFail);
  EXPECT_THAT(result.detail, HasSubstr("runs /usr/sbin/auditd as uid 1000"));
  EXPECT_EQ(EvaluateProcess({.executable = "/usr/sbin/auditd"}, root()).verdict, Verdict::kPass);
}

TEST_F(ProcessSpoofTest, TheDaemonPassesAndAnUpgradedBinaryStillCounts) {
  AddProcess(530, "auditd", "/usr/sbin/auditd (deleted)", 0);
  EXPECT_EQ(EvaluateProcess(auditd_, root()).verdict, Verdict::kPass);
  ProcessRule absent = auditd_;
  absent.absent = true;
  EXPECT_EQ(EvaluateProcess(absent, root()).verdict, Verdict::kFail);
}

TEST_F(ProcessSpoofTest, UnreadableOwnerIsAnErrorNotAFail) {
  AddProcess(531, "auditd", "/usr/sbin/auditd", 0);
  dir_.WriteFile("proc/531/status", "Name:\tauditd\n");
  RuleResult result = EvaluateProcess(auditd_, root());
  EXPECT_EQ(result.verdict, Verdict::kError);
  EXPECT_THAT(result.detail, HasSubstr("/proc/531/status has no Uid line"));
}

TEST(ProcessRuleTest, PackNamesTheExecutableAndOwner) {
  auto parse = [](const std::string& rule) {
    return ParseCheckPack(
        absl::StrCat("name: p\nchecks:\n  - id: c\n    title: t\n",
                     "    outcomes: [PR_AC_CSC_5_2]\n    rules:\n      - ", rule, "\n"),
        "pack.yaml", Catalog::Builtin());
  };
  absl::StatusOr<CheckPack> pack =
      parse("process: {name: auditd, executable: /usr/sbin/auditd, owner: root}");
  ASSERT_TRUE(pack.ok()) << pack.status();
  const auto& rule = std::get<ProcessRule>(pack->checks[0].rules[0]);
  EXPECT_EQ(rule.name, "auditd");
  EXPECT_EQ(rule.executable, "/usr/sbin/auditd");
  EXPECT_EQ(rule.owner, "root");
  EXPECT_TRUE(parse("process: {executable: /usr/sbin/auditd}").ok());
  EXPECT_THAT(parse("process: {executable: auditd}").status().message(),
              HasSubstr("rules[0].process.executable: 'auditd' is not an absolute path"));
  EXPECT_THAT(parse("process: {owner: root}").status().message(),
              HasSubstr("rules[0].process.name: required (or executable)"));
}

TEST(SystemdUnitRuleTest, EnabledDisabledAndMasked) {
  EXPECT_EQ(EvaluateSystemdUnit({.unit = "auditd.service"}, HardenedRoot()).verdict,
            Verdict::kPass);
  EXPECT_EQ(EvaluateSystemdUnit({.unit = "auditd.service"}, WeakRoot()).verdict, Verdict::kFail);
  RuleResult masked = EvaluateSystemdUnit({.unit = "telnet.socket"}, HardenedRoot());
  EXPECT_EQ(masked.verdict, Verdict::kFail);  // Linked in sockets.target.wants, but masked.
  EXPECT_THAT(masked.detail, HasSubstr("masked"));
  EXPECT_EQ(EvaluateSystemdUnit({.unit = "telnet.service", .disabled = true}, WeakRoot()).verdict,
            Verdict::kFail);
}

TEST(PackageRuleTest, InstalledAbsentAndMinimumVersion) {
  EXPECT_EQ(EvaluatePackage({.name = "auditd"}, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluatePackage({.name = "auditd"}, WeakRoot()).verdict, Verdict::kFail);
  EXPECT_EQ(EvaluatePackage({.name = "telnetd", .absent = true}, HardenedRoot()).verdict,
            Verdict::kPass);  // Only its config files remain.
  EXPECT_EQ(EvaluatePackage({.name = "telnetd", .absent = true}, WeakRoot()).verdict,
            Verdict::kFail);
  PackageRule ssh{.name = "openssh-server", .min_version = "1:9.2p1-2"};
  EXPECT_EQ(EvaluatePackage(ssh, HardenedRoot()).verdict, Verdict::kPass);
  RuleResult old = EvaluatePackage(ssh, WeakRoot());
  EXPECT_EQ(old.verdict, Verdict::kFail);
  EXPECT_THAT(old.detail, HasSubstr("expected at least 1:9.2p1-2"));
  EXPECT_EQ(EvaluatePackage(ssh, "/nonexistent-root").verdict, Verdict::kNotApplicable);
}

TEST(ListeningRuleTest, PortsAbsenceAndLoopback) {
  EXPECT_EQ(EvaluateListening({.port = 22}, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluateListening({.port = 23, .absent = true}, HardenedRoot()).verdict,
            Verdict::kPass);
  EXPECT_EQ(EvaluateListening({.port = 23, .absent = true}, WeakRoot()).verdict, Verdict::kFail);
  EXPECT_EQ(EvaluateListening({.port = 25, .loopback_only = true}, HardenedRoot()).verdict,
            Verdict::kPass);  // 127.0.0.1 and ::1.
  EXPECT_EQ(EvaluateListening({.port = 25, .loopback_only = true}, WeakRoot()).verdict,
            Verdict::kFail);  // 0.0.0.0.
  EXPECT_EQ(EvaluateListening({.port = 53, .udp = true}, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(EvaluateListening({.port = 22}, "/nonexistent-root").verdict, Verdict::kError);
}

}  // namespace
}  // namespace postura::agent
