#include "agent/checks/rules/parsers.h"

#include "agent/checks/rules/host_root.h"
#include "agent/checks/rules/test_roots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

using ::testing::ElementsAre;

TEST(ParsersTest, FindKeyValueHonoursSeparatorCommentsCaseAndOccurrence) {
  const char* text = "# PermitRootLogin yes\nPermitRootLogin no\npermitrootlogin yes\n";
  EXPECT_EQ(FindKeyValue(text, "PermitRootLogin", 0, /*first_wins=*/true), "no");
  EXPECT_EQ(FindKeyValue(text, "PermitRootLogin", 0, /*first_wins=*/false), "yes");
  EXPECT_EQ(FindKeyValue("minlen = 14 # comment\n", "minlen", '=', false), "14");
  EXPECT_EQ(FindKeyValue("A=\"quoted value\"\n", "A", '=', false), "quoted value");
  EXPECT_EQ(FindKeyValue("Other 1\n", "Missing", 0, false), std::nullopt);
}

TEST(ParsersTest, PasswdShadowAndGroupSkipMalformedLines) {
  std::vector<PasswdEntry> users = ParsePasswd("root:x:0:0::/root:/bin/sh\nbroken\nu:x:a:1::/:\n");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "root");
  std::vector<ShadowEntry> shadow = ParseShadow("a:$6$x:19700:1:90:7:::\nb::19700:::::\n");
  ASSERT_EQ(shadow.size(), 2u);
  EXPECT_EQ(shadow[0].max_days, 90);
  EXPECT_EQ(shadow[1].max_days, std::nullopt);
  EXPECT_TRUE(IsUsablePasswordHash("$6$x"));
  EXPECT_FALSE(IsUsablePasswordHash("!$6$x"));
  EXPECT_FALSE(IsUsablePasswordHash("*"));
  EXPECT_EQ(ParseGroup("shadow:x:42:\n")[0].gid, 42);
}

TEST(ParsersTest, DpkgStatusKnowsWhatIsInstalled) {
  std::vector<DpkgPackage> packages =
      ParseDpkgStatus(HostRoot(HardenedRoot()).ReadFile("/var/lib/dpkg/status").value());
  ASSERT_EQ(packages.size(), 4u);
  EXPECT_EQ(packages[0].name, "openssh-server");
  EXPECT_EQ(packages[0].version, "1:9.2p1-2+deb12u3");
  EXPECT_TRUE(packages[0].installed);
  EXPECT_FALSE(packages[2].installed);  // telnetd: config files only.
}

TEST(ParsersTest, DebianVersionsOrderAsDpkgDoes) {
  EXPECT_LT(CompareDebianVersions("1.0~rc1", "1.0"), 0);
  EXPECT_LT(CompareDebianVersions("1.0-1", "1.0-2"), 0);
  EXPECT_GT(CompareDebianVersions("1:2.0", "10.0"), 0);
  EXPECT_GT(CompareDebianVersions("1:9.2p1-2+deb12u3", "1:9.2p1-2"), 0);
  EXPECT_LT(CompareDebianVersions("1:8.4p1-5+deb11u1", "1:9.2p1-2"), 0);
  EXPECT_EQ(CompareDebianVersions("2.36-9", "2.36-9"), 0);
  EXPECT_GT(CompareDebianVersions("1.10", "1.9"), 0);
  EXPECT_LT(CompareDebianVersions("1.0a", "1.0+"), 0);  // Letters sort before symbols.
}

TEST(ParsersTest, ProcNetGivesPortsStatesAndLoopback) {
  std::vector<SocketEntry> sockets =
      ParseProcNet(HostRoot(HardenedRoot()).ReadFile("/proc/net/tcp").value());
  ASSERT_EQ(sockets.size(), 3u);
  EXPECT_EQ(sockets[0].port, 22);
  EXPECT_EQ(sockets[0].state, 0x0A);
  EXPECT_FALSE(IsLoopbackAddress(sockets[0].local_address));
  EXPECT_TRUE(IsLoopbackAddress(sockets[1].local_address));
  EXPECT_TRUE(IsLoopbackAddress("00000000000000000000000001000000"));
  EXPECT_FALSE(IsLoopbackAddress("00000000000000000000000000000000"));
}

TEST(ParsersTest, MountsDecodeEscapesAndSplitOptions) {
  std::vector<MountEntry> mounts =
      ParseMounts("# comment\n/dev/a /srv/my\\040data ext4 rw,nodev 0 0\n\nshort line\n");
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mount_point, "/srv/my data");
  EXPECT_THAT(mounts[0].options, ElementsAre("rw", "nodev"));
}

TEST(ParsersTest, ReadFileSaysNotFoundForMissingFiles) {
  EXPECT_TRUE(absl::IsNotFound(HostRoot(HardenedRoot()).ReadFile("/no/such/file").status()));
}

TEST(ParsersTest, StatusGivesTheRealUid) {
  EXPECT_EQ(ParseStatusRealUid("Name:\tsu\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n"), 1000);
  EXPECT_EQ(ParseStatusRealUid(HostRoot(HardenedRoot()).ReadFile("/proc/530/status").value()), 0);
  EXPECT_EQ(ParseStatusRealUid("Name:\tx\n"), std::nullopt);
  EXPECT_EQ(ParseStatusRealUid("Uid:\tzero\n"), std::nullopt);
}

}  // namespace
}  // namespace postura::agent
