// Where a check of the built-in pack and a rule of the SCAP Security Guide look at the same
// setting, they must agree on the same host. Both run here on fixture roots that claim
// Debian 11 (so ssg-debian's content applies): the hardened host, the weak host, and the
// hardened host with world-writable passwd and shadow files.
//
// Asserted: the pairs whose SSG rule reads only files of the evaluated tree. Printed, not
// asserted: every pair, with the disagreements docs/checks-debian.md explains (SSG's
// package probe reads the machine's dpkg database, not the tree's, and a few rules ask for
// something else than the check).

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/check_runner.h"
#include "agent/checks/openscap/oscap_process.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "common/model/catalog.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

constexpr char kRulePrefix[] = "xccdf_org.ssgproject.content_rule_";

struct Pair {
  const char* check;
  const char* rule;
  bool files_only;  // The SSG rule reads only files of the evaluated tree.
};

constexpr Pair kPairs[] = {
    {"passwd-permissions", "file_permissions_etc_passwd", true},
    {"shadow-permissions", "file_permissions_etc_shadow", true},
    {"ssh-no-root-login", "sshd_disable_root_login", false},
    {"ssh-no-empty-passwords", "sshd_disable_empty_passwords", false},
    {"ssh-idle-timeout", "sshd_set_idle_timeout", false},
    {"no-telnet-server", "package_telnetd_removed", false},
    {"apt-signature-verification", "apt_conf_disallow_unauthenticated", false},
    {"aslr-enabled", "sysctl_kernel_randomize_va_space", false},
    {"core-dumps-restricted", "sysctl_fs_suid_dumpable", false},
    {"protected-links", "sysctl_fs_protected_hardlinks", false},
    {"var-log-partition", "partition_for_var_log", false},
};

// "pass" or "fail" (or another verdict or result name) per check id and per rule.
using Verdicts = std::map<std::string, std::string>;

std::string MakeRoot(const test::TempDir& dir, const std::string& name, const char* fixture,
                     bool strict_modes) {
  const fs::path fixtures = fs::path(POSTURA_SOURCE_DIR) / "tests/testdata/agent";
  const fs::path root = dir.path() / name;
  const auto copy = fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                    fs::copy_options::overwrite_existing;
  fs::copy(fixtures / fixture, root, copy);
  if (strict_modes) fs::copy(fixtures / "overlays/hardened-debian", root, copy);
  dir.WriteFile(name + "/etc/debian_version", "11.11\n");
  dir.WriteFile(name + "/etc/os-release", "VERSION_ID=\"11\"\nID=debian\n");
  // Git keeps no modes: give the files the modes such a host has (as the quickstart does).
  const fs::perms shadow = strict_modes ? fs::perms(0640) : fs::perms(0644);
  fs::permissions(root / "etc/shadow", shadow);
  fs::permissions(root / "etc/gshadow", shadow);
  fs::permissions(root / "etc/passwd", fs::perms(0644));
  return root.string();
}

Verdicts PackVerdicts(const std::string& root) {
  const std::string path = std::string(POSTURA_SOURCE_DIR) + "/deploy/packs/debian-server.yaml";
  CheckPack pack = LoadCheckPack(path, Catalog::Builtin()).value();
  CheckRunner runner({.root = root}, Clock::GetRealClock());
  Verdicts verdicts;
  for (const CheckResult& result : runner.Run(pack.checks)) {
    verdicts[result.check_id] = std::string(VerdictName(result.verdict));
  }
  return verdicts;
}

Verdicts SsgVerdicts(const test::TempDir& dir, const std::string& root) {
  openscap::OscapCommand command;
  command.datastream = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";
  command.profile = "xccdf_org.ssgproject.content_profile_anssi_np_nt28_high";
  command.root = root;
  command.results = (dir.path() / "results.xml").string();
  absl::StatusOr<openscap::OscapRun> run = openscap::RunOscap(command);
  EXPECT_TRUE(run.ok()) << run.status() << " (deploy/install-deps.sh installs ssg-debian)";
  Verdicts verdicts;
  if (!run.ok()) return verdicts;
  absl::StatusOr<openscap::XccdfResults> results = openscap::ReadXccdfResultsFile(command.results);
  EXPECT_TRUE(results.ok()) << results.status();
  if (!results.ok()) return verdicts;
  for (const openscap::XccdfRuleResult& result : results->rule_results) {
    verdicts[result.rule_id.substr(sizeof kRulePrefix - 1)] =
        std::string(openscap::RuleOutcomeName(result.outcome));
  }
  return verdicts;
}

TEST(OpenscapAgreementTest, PackChecksAndSsgRulesOnTheSameSettingAgree) {
  test::TempDir dir;
  std::map<std::string, std::string> roots = {
      {"hardened", MakeRoot(dir, "hardened", "hardened", true)},
      {"weak", MakeRoot(dir, "weak", "weak", false)},
      {"loosened", MakeRoot(dir, "loosened", "hardened", true)},
  };
  fs::permissions(fs::path(roots["loosened"]) / "etc/passwd", fs::perms(0666));
  fs::permissions(fs::path(roots["loosened"]) / "etc/shadow", fs::perms(0666));
  int compared = 0, agreed = 0, asserted = 0;
  for (const auto& [name, root] : roots) {
    const Verdicts pack = PackVerdicts(root);
    const Verdicts ssg = SsgVerdicts(dir, root);
    for (const Pair& pair : kPairs) {
      const std::string check = pack.count(pair.check) ? pack.at(pair.check) : "missing";
      const std::string rule = ssg.count(pair.rule) ? ssg.at(pair.rule) : "missing";
      ++compared;
      agreed += check == rule;
      std::printf("%-9s %-28s %-8s %-36s %s%s\n", name.c_str(), pair.check, check.c_str(),
                  pair.rule, rule.c_str(), check == rule ? "" : "   <- differs");
      if (pair.files_only) {
        ++asserted;
        EXPECT_EQ(check, rule) << name << ": " << pair.check << " vs " << pair.rule;
        EXPECT_TRUE(check == "pass" || check == "fail") << name << ": " << pair.check;
      }
    }
  }
  std::printf("agreement: %d of %d comparisons (%zu pairs on %zu roots); %d asserted\n", agreed,
              compared, std::size(kPairs), roots.size(), asserted);
}

}  // namespace
}  // namespace postura::agent
