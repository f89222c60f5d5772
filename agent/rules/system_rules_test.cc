#include "agent/rules/comparison.h"
#include "agent/rules/rules.h"
#include "agent/rules/test_roots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

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
