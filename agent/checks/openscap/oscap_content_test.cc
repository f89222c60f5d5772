// Real content: oscap-chroot (openscap-utils) evaluates ssg-debian's Debian 11 datastream
// on a fixture root that claims Debian 11, here, each run; then its XCCDF results and its
// ARF report are parsed, mapped and levelled. Also: a 50 MB ARF parses in bounded memory.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/padded_arf.h"
#include "tests/testing/process_stats.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent::openscap {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kDatastream[] = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";
constexpr char kProfile[] = "xccdf_org.ssgproject.content_profile_standard";
// Reads only files (its OVAL uses the file probe), so it works on a fixture root; CSF
// references PR.AC-4 and PR.DS-5.
constexpr char kPasswdRule[] = "xccdf_org.ssgproject.content_rule_file_permissions_etc_passwd";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Occurrences(absl::string_view text, absl::string_view needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// A root that claims Debian 11, with an /etc/passwd that anyone may write or not.
void WriteDebian11Root(const test::TempDir& dir, bool writable_passwd) {
  dir.WriteFile("root/etc/debian_version", "11.7\n");
  dir.WriteFile("root/etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\n"
                "VERSION_ID=\"11\"\nVERSION=\"11 (bullseye)\"\nID=debian\n");
  const std::string passwd = dir.WriteFile("root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  std::filesystem::permissions(
      passwd, writable_passwd ? std::filesystem::perms(0666) : std::filesystem::perms(0644));
}

// Runs oscap-chroot on dir/root; writes dir/results.xml and dir/arf.xml.
void Evaluate(const test::TempDir& dir) {
  absl::StatusOr<test::ProcessResult> run =
      test::RunProcess({"/usr/bin/oscap-chroot", (dir.path() / "root").string(), "xccdf", "eval",
                        "--profile", kProfile, "--results", (dir.path() / "results.xml").string(),
                        "--results-arf", (dir.path() / "arf.xml").string(), kDatastream});
  ASSERT_TRUE(run.ok()) << run.status() << " (deploy/install-deps.sh installs openscap-utils)";
  // 0: all passed, 2: some rule failed; anything else is oscap's own error.
  ASSERT_TRUE(run->exit_code == 0 || run->exit_code == 2) << run->exit_code << run->err;
}

RuleOutcome ResultOf(const XccdfResults& results, absl::string_view rule) {
  for (const XccdfRuleResult& result : results.rule_results) {
    if (result.rule_id == rule) return result.outcome;
  }
  ADD_FAILURE() << rule << " has no result";
  return RuleOutcome::kUnknown;
}

TEST(OscapContentTest, ReadsWhatOscapWroteForADebian11Root) {
  test::TempDir dir;
  WriteDebian11Root(dir, /*writable_passwd=*/false);
  ASSERT_NO_FATAL_FAILURE(Evaluate(dir));
  const std::string results_path = (dir.path() / "results.xml").string();
  absl::StatusOr<XccdfResults> results = ReadXccdfResultsFile(results_path);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->profile_id, kProfile);
  // What it keeps of the whole Debian 11 benchmark, far below the default limit.
  std::cout << "kept of " << results_path << ": " << results->kept_bytes << " bytes\n";
  EXPECT_LT(results->kept_bytes, XccdfParseOptions().max_kept_bytes / 4);
  // Every rule-result of the file, counted by another means.
  const std::string text = ReadAll(results_path);
  EXPECT_EQ(static_cast<int>(results->rule_results.size()), Occurrences(text, "<rule-result "));
  int failed = 0;
  for (const XccdfRuleResult& result : results->rule_results) {
    failed += result.outcome == RuleOutcome::kFail;
  }
  EXPECT_EQ(failed, Occurrences(text, "<result>fail</result>"));
  EXPECT_GT(failed, 0);
  EXPECT_EQ(ResultOf(*results, kPasswdRule), RuleOutcome::kPass);
  EXPECT_EQ(results->rules.at(kPasswdRule).title, "Verify Permissions on passwd File");
  EXPECT_EQ(results->rules.at(kPasswdRule).severity, "medium");

  // The ARF report of the same evaluation says the same.
  absl::StatusOr<XccdfResults> arf = ReadXccdfResultsFile((dir.path() / "arf.xml").string());
  ASSERT_TRUE(arf.ok()) << arf.status();
  ASSERT_EQ(arf->rule_results.size(), results->rule_results.size());
  for (size_t i = 0; i < arf->rule_results.size(); ++i) {
    EXPECT_EQ(arf->rule_results[i].rule_id, results->rule_results[i].rule_id);
    EXPECT_EQ(arf->rule_results[i].outcome, results->rule_results[i].outcome);
  }
  EXPECT_EQ(arf->rules.size(), results->rules.size());

  // Mapped and levelled: the passwd rule carries PR.AC-4 among its CSF references.
  XccdfEvidence evidence = EvidenceFromXccdf(*results, *RuleMapping::Builtin(Catalog::Builtin()));
  EXPECT_FALSE(evidence.all_not_applicable);
  EXPECT_EQ(evidence.source, absl::StrCat("openscap:", kProfile));
  int levelled = 0;
  for (const OutcomeEvidence& outcome : evidence.outcomes) {
    EXPECT_EQ(outcome.passed + outcome.failed + outcome.unresolved,
              static_cast<int>(outcome.rules.size()));
    levelled += outcome.level.has_value();
    if (outcome.outcome == "PR_AC_PR_AC_4") {
      EXPECT_THAT(outcome.rules, Contains(kPasswdRule));
    }
  }
  EXPECT_GT(levelled, 10) << "outcomes levelled from a Debian 11 evaluation";
}

TEST(OscapContentTest, ASettingFlipsTheRuleAndItsOutcomes) {
  test::TempDir dir;
  WriteDebian11Root(dir, /*writable_passwd=*/true);
  ASSERT_NO_FATAL_FAILURE(Evaluate(dir));
  absl::StatusOr<XccdfResults> results =
      ReadXccdfResultsFile((dir.path() / "results.xml").string());
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(ResultOf(*results, kPasswdRule), RuleOutcome::kFail);
  XccdfEvidence evidence = EvidenceFromXccdf(*results, *RuleMapping::Builtin(Catalog::Builtin()));
  bool found = false;
  for (const OutcomeEvidence& outcome : evidence.outcomes) {
    if (outcome.outcome != "PR_AC_PR_AC_4") continue;
    found = true;
    EXPECT_NE(outcome.level, Level::kDli100);
    EXPECT_THAT(outcome.detail, HasSubstr(absl::StrCat(
                                    kPasswdRule, " (Verify Permissions on passwd File, medium)")));
  }
  EXPECT_TRUE(found);
}

TEST(OscapContentTest, TheDebian11ContentIsNotApplicableToAnotherSystem) {
  test::TempDir dir;
  WriteDebian11Root(dir, false);
  dir.WriteFile("root/etc/debian_version", "12.8\n");
  dir.WriteFile("root/etc/os-release", "VERSION_ID=\"12\"\nID=debian\n");
  ASSERT_NO_FATAL_FAILURE(Evaluate(dir));
  absl::StatusOr<XccdfResults> results =
      ReadXccdfResultsFile((dir.path() / "results.xml").string());
  ASSERT_TRUE(results.ok()) << results.status();
  XccdfEvidence evidence = EvidenceFromXccdf(*results, *RuleMapping::Builtin(Catalog::Builtin()));
  EXPECT_TRUE(evidence.all_not_applicable);
  EXPECT_THAT(evidence.notice, HasSubstr("every selected rule ended notapplicable"));
  EXPECT_TRUE(evidence.outcomes.empty());
}

TEST(OscapContentTest, AFiftyMegabyteArfParsesInBoundedMemory) {
  test::TempDir dir;
  WriteDebian11Root(dir, false);
  ASSERT_NO_FATAL_FAILURE(Evaluate(dir));
  const std::string big = (dir.path() / "big-arf.xml").string();
  ASSERT_TRUE(
      test::WritePaddedArf(ReadAll((dir.path() / "arf.xml").string()), big, 50u << 20).ok());
  // Reset the peak RSS (VmHWM) to the current RSS, then parse and read the new peak.
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const double before = test::ProcessMemoryMib(getpid(), "VmHWM");
  absl::StatusOr<XccdfResults> results = ReadXccdfResultsFile(big);
  const double growth = test::ProcessMemoryMib(getpid(), "VmHWM") - before;
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_GT(results->rule_results.size(), 40u);
  std::cout << "peak RSS growth parsing a 50 MiB ARF: " << growth << " MiB\n";
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(growth, 16.0) << "the parser should stream, not hold the document";
#endif
}

}  // namespace
}  // namespace postura::agent::openscap
