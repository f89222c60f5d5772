#include "agent/checks/rules/rules.h"
#include "agent/checks/rules/test_roots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

using ::testing::HasSubstr;

TEST(MountRuleTest, RequiredOptions) {
  MountRule rule{.mount_point = "/tmp", .options = {"nodev", "nosuid", "noexec"}};
  EXPECT_EQ(EvaluateMount(rule, HardenedRoot()).verdict, Verdict::kPass);
  RuleResult weak = EvaluateMount(rule, WeakRoot());
  EXPECT_EQ(weak.verdict, Verdict::kFail);
  EXPECT_EQ(weak.detail, "/tmp lacks nodev, nosuid, noexec");
  rule.fstab = true;
  EXPECT_EQ(EvaluateMount(rule, HardenedRoot()).verdict, Verdict::kPass);
  EXPECT_EQ(
      EvaluateMount({.mount_point = "/srv/my data", .options = {"nodev"}}, HardenedRoot()).verdict,
      Verdict::kPass);
}

TEST(MountRuleTest, MissingMountPointFollowsIfMissing) {
  MountRule rule{.mount_point = "/var/tmp", .options = {"nodev"}};
  EXPECT_EQ(EvaluateMount(rule, HardenedRoot()).verdict, Verdict::kFail);
  rule.if_missing = IfMissing::kNotApplicable;
  EXPECT_EQ(EvaluateMount(rule, HardenedRoot()).verdict, Verdict::kNotApplicable);
  EXPECT_EQ(EvaluateMount(rule, "/nonexistent-root").verdict, Verdict::kError);
}

TEST(EncryptedDeviceRuleTest, LvmOnLuksPassesPlainPartitionFails) {
  RuleResult root = EvaluateEncryptedDevice({.mount_point = "/"}, HardenedRoot());
  EXPECT_EQ(root.verdict, Verdict::kPass);
  EXPECT_THAT(root.detail, HasSubstr("dm-crypt"));
  EXPECT_EQ(EvaluateEncryptedDevice({.mount_point = "/boot"}, HardenedRoot()).verdict,
            Verdict::kFail);
  EXPECT_EQ(EvaluateEncryptedDevice({.mount_point = "/"}, WeakRoot()).verdict, Verdict::kFail);
  EXPECT_EQ(EvaluateEncryptedDevice({.mount_point = "/tmp"}, HardenedRoot()).verdict,
            Verdict::kNotApplicable);  // tmpfs.
  EXPECT_EQ(EvaluateEncryptedDevice({.mount_point = "/home"}, HardenedRoot()).verdict,
            Verdict::kError);
}

}  // namespace
}  // namespace postura::agent
