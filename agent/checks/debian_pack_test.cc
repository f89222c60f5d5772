// The built-in Debian/Ubuntu server pack (deploy/packs/debian-server.yaml) against the
// fixture hosts in tests/testdata/agent.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/check_runner.h"
#include "agent/checks/rules/test_roots.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

CheckPack LoadDebianPack() {
  absl::StatusOr<CheckPack> pack = LoadCheckPack(
      absl::StrCat(POSTURA_SOURCE_DIR, "/deploy/packs/debian-server.yaml"), Catalog::Builtin());
  EXPECT_TRUE(pack.ok()) << pack.status();
  return pack.ok() ? *std::move(pack) : CheckPack{};
}

// Git keeps only the executable bit, so a checkout's file modes say nothing. The test
// copies a fixture host and gives the permission-sensitive files the modes such a host
// would have.
using Modes = std::vector<std::pair<std::string, unsigned>>;

const Modes kHardenedModes = {
    {"etc/shadow", 0640},         {"etc/gshadow", 0640},         {"etc/passwd", 0644},
    {"etc/group", 0644},          {"etc/ssh/sshd_config", 0600}, {"etc/sudoers", 0440},
    {"etc/crontab", 0600},        {"etc/cron.d", 0700},          {"etc/cron.daily", 0700},
    {"boot/grub/grub.cfg", 0600},
};
const Modes kWeakModes = {
    {"etc/shadow", 0644},         {"etc/gshadow", 0644},         {"etc/passwd", 0664},
    {"etc/group", 0644},          {"etc/ssh/sshd_config", 0644}, {"etc/sudoers", 0644},
    {"etc/crontab", 0644},        {"etc/cron.d", 0755},          {"etc/cron.daily", 0755},
    {"boot/grub/grub.cfg", 0644},
};

// Files that only this test needs on the hardened host (tests/testdata/agent/overlays).
fs::path HardenedOverlay() {
  return fs::path(POSTURA_SOURCE_DIR) / "tests/testdata/agent/overlays/hardened-debian";
}

fs::path CopyHost(const fs::path& fixture, const test::TempDir& dir, const Modes& modes,
                  const std::optional<fs::path>& overlay = std::nullopt) {
  fs::path root = dir.path() / "host";
  fs::copy(fixture, root, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  if (overlay) {
    fs::copy(*overlay, root, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  for (const auto& [path, mode] : modes) {
    EXPECT_EQ(chmod((root / path).c_str(), mode), 0) << path;
  }
  return root;
}

struct Tally {
  std::map<std::string, CheckResult> by_id;
  int pass = 0, fail = 0, not_applicable = 0, error = 0;
};

Tally RunOn(const CheckPack& pack, const fs::path& root, absl::string_view host) {
  FakeClock clock(kStart);
  CheckRunner runner({.root = root}, clock);
  Tally tally;
  for (CheckResult& result : runner.Run(pack.checks)) {
    switch (result.verdict) {
      case Verdict::kPass:
        ++tally.pass;
        break;
      case Verdict::kFail:
        ++tally.fail;
        break;
      case Verdict::kNotApplicable:
        ++tally.not_applicable;
        break;
      case Verdict::kError:
        ++tally.error;
        break;
    }
    EXPECT_NE(result.verdict, Verdict::kError)
        << host << ": " << result.check_id << ": " << result.detail;
    std::string id = result.check_id;
    tally.by_id.emplace(std::move(id), std::move(result));
  }
  std::cout << host << ": " << tally.pass << " pass, " << tally.fail << " fail, "
            << tally.not_applicable << " not applicable, " << tally.error << " error\n";
  return tally;
}

void ExpectVerdict(const Tally& tally, const std::string& id, Verdict verdict,
                   absl::string_view host) {
  auto it = tally.by_id.find(id);
  ASSERT_NE(it, tally.by_id.end()) << id;
  EXPECT_EQ(it->second.verdict, verdict)
      << host << ": " << id << " is " << VerdictName(it->second.verdict) << ": "
      << it->second.detail;
}

TEST(DebianPackTest, ParsesWithDocumentedChecksAndKnownOutcomes) {
  CheckPack pack = LoadDebianPack();
  EXPECT_EQ(pack.name, "debian-server");
  EXPECT_GE(pack.checks.size(), 40u);
  const Catalog& catalog = Catalog::Builtin();
  int ig1_outcomes = 0, outcomes = 0;
  std::set<std::string> distinct;
  for (const Check& check : pack.checks) {
    EXPECT_FALSE(check.title.empty()) << check.id;
    EXPECT_FALSE(check.rationale.empty()) << check.id;
    EXPECT_FALSE(check.remediation.empty()) << check.id;
    EXPECT_FALSE(check.outcomes.empty()) << check.id;
    for (const std::string& outcome : check.outcomes) {
      std::optional<int> index = catalog.FindOutcome(outcome);
      ASSERT_TRUE(index.has_value()) << check.id << ": " << outcome;
      ++outcomes;
      distinct.insert(outcome);
      if (catalog.outcomes()[*index].min_ig == 1) ++ig1_outcomes;
    }
  }
  // Issue 16: the pack alone covers at least 45 outcomes (docs/checks-debian.md gives,
  // per check and outcome, why the check is evidence for it).
  EXPECT_GE(distinct.size(), 45u);
  std::cout << pack.checks.size() << " checks, " << distinct.size() << " distinct outcomes, "
            << ig1_outcomes << " of " << outcomes << " mappings to IG1 outcomes\n";
  // The pack is meant for IG1 first: most of its mappings are IG1 outcomes.
  EXPECT_GT(ig1_outcomes * 4, outcomes * 3) << ig1_outcomes << " of " << outcomes;
}

// docs/checks-debian.md has a row per check giving, for each outcome, why the check is
// evidence for it; a mapping added to the pack without its reason fails here.
TEST(DebianPackTest, EveryMappingHasItsReasonInTheDocs) {
  CheckPack pack = LoadDebianPack();
  std::ifstream file(absl::StrCat(POSTURA_SOURCE_DIR, "/docs/checks-debian.md"));
  ASSERT_TRUE(file.good());
  std::map<std::string, std::string> rows;  // Check id -> its table row.
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    size_t end = line.find('`', 3);
    if (end != std::string::npos) rows[line.substr(3, end - 3)] = line;
  }
  EXPECT_EQ(rows.size(), pack.checks.size());
  for (const Check& check : pack.checks) {
    auto row = rows.find(check.id);
    ASSERT_NE(row, rows.end()) << check.id << " has no row in docs/checks-debian.md";
    for (const std::string& outcome : check.outcomes) {
      // "OUTCOME (IGn) title: *reason*"
      size_t at = row->second.find(outcome + " (IG");
      ASSERT_NE(at, std::string::npos) << check.id << ": " << outcome << " is not documented";
      size_t reason = row->second.find(": *", at);
      EXPECT_NE(reason, std::string::npos) << check.id << ": " << outcome << " has no reason";
    }
  }
}

TEST(DebianPackTest, HardenedHostPassesAndWeakHostFails) {
  CheckPack pack = LoadDebianPack();
  ASSERT_FALSE(pack.checks.empty());
  test::TempDir hardened_dir, weak_dir;
  Tally hardened = RunOn(
      pack, CopyHost(HardenedRoot(), hardened_dir, kHardenedModes, HardenedOverlay()), "hardened");
  Tally weak = RunOn(pack, CopyHost(WeakRoot(), weak_dir, kWeakModes), "weak");

  EXPECT_EQ(hardened.error, 0);
  EXPECT_EQ(weak.error, 0);
  int hardened_applicable = hardened.pass + hardened.fail;
  int weak_applicable = weak.pass + weak.fail;
  ASSERT_GT(hardened_applicable, 0);
  ASSERT_GT(weak_applicable, 0);
  EXPECT_GE(hardened.pass * 10, hardened_applicable * 9)
      << hardened.pass << " of " << hardened_applicable << " pass on the hardened host";
  EXPECT_GE(weak.fail * 10, weak_applicable * 7)
      << weak.fail << " of " << weak_applicable << " fail on the weak host";
  for (const auto& [id, result] : hardened.by_id) {
    if (result.verdict == Verdict::kFail) std::cout << "hardened fails " << id << "\n";
  }
  for (const auto& [id, result] : weak.by_id) {
    if (result.verdict == Verdict::kPass) std::cout << "weak passes " << id << "\n";
    if (result.verdict == Verdict::kNotApplicable) {
      std::cout << "weak: not applicable " << id << ": " << result.detail << "\n";
    }
  }

  for (const char* id :
       {"ssh-no-root-login", "ssh-no-password-auth", "only-root-uid0", "shadow-permissions",
        "auditd-enabled", "firewall-enabled", "unattended-upgrades-enabled", "root-encrypted",
        "tmp-mount-options", "antivirus-signatures-updated", "backup-schedule-enabled"}) {
    ExpectVerdict(hardened, id, Verdict::kPass, "hardened");
  }
  for (const char* id :
       {"ssh-no-root-login", "ssh-no-password-auth", "only-root-uid0", "no-empty-passwords",
        "shadow-permissions", "auditd-enabled", "firewall-enabled", "no-telnet-server",
        "no-ftp-server", "tmp-mount-options", "antivirus-signatures-updated",
        "backup-tool-installed", "backup-schedule-enabled", "root-encrypted"}) {
    ExpectVerdict(weak, id, Verdict::kFail, "weak");
  }
  // An honest pass on the weak host: its login.defs and shadow do warn 7 days ahead.
  ExpectVerdict(weak, "password-expiry-warning", Verdict::kPass, "weak");

  // Levels: a backup schedule shows presence, not proof, so it never reaches DLI_100.
  EXPECT_EQ(hardened.by_id.at("backup-schedule-enabled").level, Level::kDli67);
  EXPECT_EQ(hardened.by_id.at("ssh-no-root-login").level, Level::kDli100);
  // password-max-age fails both in login.defs and in the accounts: no partial credit.
  EXPECT_EQ(weak.by_id.at("password-max-age").level, Level::kDli0);
  EXPECT_FALSE(weak.by_id.at("password-max-age").partial);
}

TEST(DebianPackTest, PermissionChecksFollowTheFileModes) {
  CheckPack pack = LoadDebianPack();
  ASSERT_FALSE(pack.checks.empty());
  test::TempDir dir;
  fs::path root = CopyHost(HardenedRoot(), dir, kHardenedModes, HardenedOverlay());
  ASSERT_EQ(chmod((root / "etc/shadow").c_str(), 0644), 0);
  ASSERT_EQ(chmod((root / "etc/cron.d").c_str(), 0755), 0);
  Tally tally = RunOn(pack, root, "hardened, loosened");
  ExpectVerdict(tally, "shadow-permissions", Verdict::kFail, "loosened");
  ExpectVerdict(tally, "cron-permissions", Verdict::kFail, "loosened");
  EXPECT_TRUE(tally.by_id.at("cron-permissions").partial);
  EXPECT_EQ(tally.by_id.at("cron-permissions").level, Level::kDli33);
  ExpectVerdict(tally, "passwd-permissions", Verdict::kPass, "loosened");
}

// Debian 12's sshd_config starts with "Include /etc/ssh/sshd_config.d/*.conf" and sshd
// keeps the first value it reads, so a drop-in decides over the main file.
TEST(DebianPackTest, SshdDropInFlipsTheVerdictBothWays) {
  CheckPack pack = LoadDebianPack();
  ASSERT_FALSE(pack.checks.empty());
  test::TempDir hardened_dir, weak_dir;
  fs::path hardened = CopyHost(HardenedRoot(), hardened_dir, kHardenedModes, HardenedOverlay());
  fs::path weak = CopyHost(WeakRoot(), weak_dir, kWeakModes);
  // A cloud image's drop-in allows root logins although sshd_config says no.
  hardened_dir.WriteFile("host/etc/ssh/sshd_config.d/00-cloud-image.conf",
                         "PermitRootLogin yes\nPasswordAuthentication yes\n");
  // The weak host's admin fixed it in a drop-in and left the old main file alone.
  weak_dir.WriteFile("host/etc/ssh/sshd_config.d/01-hardening.conf",
                     "PermitRootLogin no\nPasswordAuthentication no\n");
  Tally flipped_hardened = RunOn(pack, hardened, "hardened + bad drop-in");
  Tally flipped_weak = RunOn(pack, weak, "weak + good drop-in");
  for (const char* id : {"ssh-no-root-login", "ssh-no-password-auth"}) {
    ExpectVerdict(flipped_hardened, id, Verdict::kFail, "hardened + bad drop-in");
    EXPECT_THAT(flipped_hardened.by_id.at(id).detail, ::testing::HasSubstr("00-cloud-image.conf"));
    ExpectVerdict(flipped_weak, id, Verdict::kPass, "weak + good drop-in");
  }
}

TEST(DebianPackTest, SysctlDropInDecidesWhatTheNextBootKeeps) {
  CheckPack pack = LoadDebianPack();
  ASSERT_FALSE(pack.checks.empty());
  test::TempDir dir;
  fs::path root = CopyHost(HardenedRoot(), dir, kHardenedModes, HardenedOverlay());
  // The live kernel is fine, but a later sysctl.d file undoes the hardening at boot.
  dir.WriteFile("host/etc/sysctl.d/90-debugging.conf", "kernel.kptr_restrict = 0\n");
  Tally tally = RunOn(pack, root, "hardened + debugging sysctl");
  ExpectVerdict(tally, "kernel-info-restricted", Verdict::kFail, "debugging sysctl");
  EXPECT_THAT(tally.by_id.at("kernel-info-restricted").detail,
              ::testing::HasSubstr("/etc/sysctl.d/90-debugging.conf sets kernel.kptr_restrict"));
}

TEST(DebianPackTest, AbsentSshdIsNotApplicableAndUnreadableConfigIsAnError) {
  CheckPack pack = LoadDebianPack();
  ASSERT_FALSE(pack.checks.empty());
  const std::vector<std::string> sshd_checks = {
      "ssh-no-root-login",      "ssh-no-password-auth",  "ssh-no-empty-passwords",
      "ssh-max-auth-tries",     "ssh-idle-timeout",      "ssh-no-x11-forwarding",
      "ssh-no-host-trust",      "ssh-access-restricted", "ssh-strong-crypto",
      "sshd-config-permissions"};
  test::TempDir absent_dir, unreadable_dir;
  fs::path absent = CopyHost(HardenedRoot(), absent_dir, kHardenedModes, HardenedOverlay());
  fs::remove_all(absent / "etc/ssh");  // No sshd installed.
  Tally no_sshd = RunOn(pack, absent, "no sshd");
  for (const std::string& id : sshd_checks) {
    ExpectVerdict(no_sshd, id, Verdict::kNotApplicable, "no sshd");
  }
  // "apt remove" (not purge) keeps sshd_config: the package decides that sshd is gone.
  test::TempDir removed_dir;
  fs::path removed = CopyHost(WeakRoot(), removed_dir, kWeakModes);
  std::ifstream status_file(removed / "var/lib/dpkg/status");
  std::string status((std::istreambuf_iterator<char>(status_file)), {});
  size_t at = status.find("install ok installed");  // openssh-server's stanza comes first.
  ASSERT_EQ(status.rfind("Package: openssh-server", at), 0u);
  status.replace(at, 20, "deinstall ok config-files");
  removed_dir.WriteFile("host/var/lib/dpkg/status", status);
  Tally removed_sshd = RunOn(pack, removed, "sshd removed");
  for (const std::string& id : sshd_checks) {
    ExpectVerdict(removed_sshd, id, Verdict::kNotApplicable, "sshd removed");
  }
  EXPECT_EQ(removed_sshd.by_id.at("ssh-no-root-login").detail,
            "does not apply: openssh-server is not installed");

  fs::path unreadable = CopyHost(HardenedRoot(), unreadable_dir, kHardenedModes, HardenedOverlay());
  // A drop-in the agent cannot read (a directory in its place: the test runs as root, so
  // modes would not stop the read): sshd's settings cannot be known.
  fs::create_directories(unreadable / "etc/ssh/sshd_config.d/20-site.conf");
  FakeClock clock(kStart);
  CheckRunner runner({.root = unreadable}, clock);
  std::map<std::string, Verdict> verdicts;
  for (const CheckResult& result : runner.Run(pack.checks)) {
    verdicts[result.check_id] = result.verdict;
  }
  for (const std::string& id : sshd_checks) {
    if (id == "sshd-config-permissions") continue;  // Reads only the main file's mode.
    EXPECT_EQ(verdicts[id], Verdict::kError) << id;
  }
}

}  // namespace
}  // namespace postura::agent
