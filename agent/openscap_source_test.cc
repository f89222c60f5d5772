// The agent's OpenSCAP source: the real oscap on ssg-debian's Debian 11 content over a
// fixture root (scheduled, remembered across a restart, all-notapplicable on a root that
// claims Debian 12), and the drop directory with good, fresh, bad and future files.

#include "agent/openscap_source.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kDatastream[] = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";
constexpr char kProfile[] = "xccdf_org.ssgproject.content_profile_standard";

// A results file as a central scanner would drop it: one rule referencing CSF PR.AC-4.
std::string DroppedResults(absl::string_view end_time, absl::string_view result) {
  return absl::StrCat(R"(<?xml version="1.0"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_org.example_benchmark_b">
  <Rule id="xccdf_org.example_rule_passwd" severity="medium"><title>passwd mode</title>
    <reference href="https://nvlpubs.nist.gov/nistpubs/CSWP/NIST.CSWP.04162018.pdf">PR.AC-4</reference>
  </Rule>
  <TestResult id="xccdf_org.open-scap_testresult_p" end-time=")",
                      end_time, R"(">
    <profile idref="xccdf_org.example_profile_central"/>
    <rule-result idref="xccdf_org.example_rule_passwd"><result>)",
                      result, R"(</result></rule-result>
  </TestResult>
</Benchmark>
)");
}

class OpenscapSourceTest : public ::testing::Test {
 protected:
  OpenscapSourceTest() : clock_(absl::Now()) {
    options_.agent_id = "host";
    options_.assets = {"web", "db"};
    options_.root = (dir_.path() / "root").string();
    options_.spool_directory = (dir_.path() / "spool").string();
    spool_ = *Spool::Open({.directory = options_.spool_directory,
                           .max_bytes = SpoolOptions().max_bytes,
                           .segment_bytes = SpoolOptions().segment_bytes,
                           .ingest_limits = {}});
  }

  void WriteRoot(absl::string_view version_id, absl::string_view debian_version) {
    dir_.WriteFile("root/etc/debian_version", debian_version);
    dir_.WriteFile("root/etc/os-release", absl::StrCat("NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"",
                                                       version_id, "\"\nID=debian\n"));
    dir_.WriteFile("root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  }

  void AddScheduledSource() {
    OpenscapSourceOptions source;
    source.datastream = kDatastream;
    source.profile = kProfile;
    source.interval = absl::Hours(6);
    options_.openscap_sources.push_back(source);
  }

  std::string AddDropDirectory() {
    const std::string directory = (dir_.path() / "drop").string();
    fs::create_directories(directory);
    options_.xccdf_drops.push_back(
        {.directory = directory, .assets = {"db"}, .valid_for = absl::Hours(48)});
    return directory;
  }

  // Drops a file whose last change is `age` ago.
  std::string Drop(absl::string_view name, absl::string_view text, absl::Duration age) {
    const std::string path = dir_.WriteFile(absl::StrCat("drop/", name), text);
    const timespec times[2] = {absl::ToTimespec(absl::Now() - age),
                               absl::ToTimespec(absl::Now() - age)};
    utimensat(AT_FDCWD, path.c_str(), times, 0);
    return path;
  }

  std::unique_ptr<OpenscapSource> Create() {
    absl::StatusOr<std::unique_ptr<OpenscapSource>> source = OpenscapSource::Create(
        options_, Catalog::Builtin(), *spool_, clock_, [this] { ++notified_; });
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? *std::move(source) : nullptr;
  }

  std::vector<v1::Evidence> Spooled() {
    std::vector<v1::Evidence> items;
    absl::StatusOr<std::vector<v1::Batch>> batches = spool_->Read(0, 1000);
    if (!batches.ok()) {
      ADD_FAILURE() << batches.status();
      return items;
    }
    for (const v1::Batch& batch : *batches) {
      items.insert(items.end(), batch.items().begin(), batch.items().end());
    }
    return items;
  }

  test::TempDir dir_;
  FakeClock clock_;
  AgentOptions options_;
  std::unique_ptr<Spool> spool_;
  int notified_ = 0;
};

TEST_F(OpenscapSourceTest, RunsOscapOnScheduleAndRemembersTheLastRunAcrossARestart) {
  WriteRoot("11", "11.7\n");
  AddScheduledSource();
  std::unique_ptr<OpenscapSource> source = Create();
  OpenscapPass pass = source->RunDue();
  ASSERT_EQ(pass.evaluations, 1) << "failed: " << pass.failed_evaluations;
  EXPECT_EQ(pass.all_not_applicable, 0);
  EXPECT_GT(pass.spooled_items, 20);
  EXPECT_EQ(notified_, 1);
  const std::vector<v1::Evidence> items = Spooled();
  ASSERT_EQ(static_cast<int>(items.size()), pass.spooled_items);
  std::vector<std::string> outcomes;
  for (const v1::Evidence& item : items) {
    EXPECT_EQ(item.check_id(), absl::StrCat("openscap:", kProfile));
    EXPECT_EQ(item.kind(), v1::OBSERVED);
    EXPECT_EQ(item.expires_at_unix_nanos() - item.observed_at_unix_nanos(),
              absl::ToInt64Nanoseconds(absl::Hours(6) * 3));
    outcomes.push_back(item.outcome_id());
  }
  EXPECT_THAT(outcomes, Contains("PR_AC_PR_AC_4"));

  EXPECT_EQ(source->RunDue().evaluations, 0) << "not due again yet";
  source.reset();
  source = Create();  // A restart: the last counted run is recent.
  EXPECT_EQ(source->RunDue().evaluations, 0);
  clock_.Advance(absl::Hours(6) + absl::Minutes(1));  // Past the last run's end.
  EXPECT_EQ(source->RunDue().evaluations, 1);
}

TEST_F(OpenscapSourceTest, SaysSoWhenContentDoesNotFitTheHost) {
  WriteRoot("12", "12.8\n");  // Debian 11 content on a Debian 12 host: every rule notapplicable.
  AddScheduledSource();
  OpenscapPass pass = Create()->RunDue();
  EXPECT_EQ(pass.evaluations, 1);
  EXPECT_EQ(pass.all_not_applicable, 1);
  EXPECT_EQ(pass.spooled_items, 0);
  EXPECT_TRUE(Spooled().empty());
}

TEST_F(OpenscapSourceTest, CountsAFailedEvaluationAndKeepsGoing) {
  WriteRoot("11", "11.7\n");
  AddScheduledSource();
  options_.openscap_sources[0].oscap = (dir_.path() / "missing-oscap").string();
  OpenscapPass pass = Create()->RunDue();
  EXPECT_EQ(pass.failed_evaluations, 1);
  EXPECT_EQ(pass.spooled_items, 0);
}

TEST_F(OpenscapSourceTest, ImportsDroppedResultsForTheDirectorysAssetsAtTheirScanTime) {
  const std::string drop = AddDropDirectory();
  const std::string file =
      Drop("host1.xml", DroppedResults("2026-12-01T10:00:00Z", "fail"), absl::Minutes(1));
  OpenscapPass pass = Create()->RunDue();
  EXPECT_EQ(pass.imported_files, 1);
  EXPECT_FALSE(fs::exists(file)) << "imported files are deleted";
  const std::vector<v1::Evidence> items = Spooled();
  ASSERT_FALSE(items.empty());
  const absl::Time end =
      absl::FromCivil(absl::CivilSecond(2026, 12, 1, 10, 0, 0), absl::UTCTimeZone());
  for (const v1::Evidence& item : items) {
    EXPECT_EQ(item.asset_id(), "db");
    EXPECT_EQ(item.check_id(), "openscap:xccdf_org.example_profile_central");
    EXPECT_EQ(item.observed_at_unix_nanos(), absl::ToUnixNanos(end));
    EXPECT_EQ(item.expires_at_unix_nanos(), absl::ToUnixNanos(end + absl::Hours(48)));
    EXPECT_EQ(item.level(), v1::DLI_0);
    EXPECT_THAT(item.detail(), HasSubstr("xccdf_org.example_rule_passwd (passwd mode, medium)"));
  }
}

TEST_F(OpenscapSourceTest, LeavesAFileThatIsStillBeingWritten) {
  AddDropDirectory();
  const std::string file =
      Drop("fresh.xml", DroppedResults("2026-12-01T10:00:00Z", "pass"), absl::ZeroDuration());
  std::unique_ptr<OpenscapSource> source = Create();
  EXPECT_EQ(source->RunDue().imported_files, 0);
  EXPECT_TRUE(fs::exists(file));
  clock_.Advance(kDropQuietPeriod + absl::Seconds(1));
  EXPECT_EQ(source->RunDue().imported_files, 1);
}

TEST_F(OpenscapSourceTest, RejectsBadFilesSayingWhyAndImportsTheOthers) {
  const std::string drop = AddDropDirectory();
  Drop("a-truncated.xml", DroppedResults("2026-12-01T10:00:00Z", "pass").substr(0, 300),
       absl::Minutes(1));
  Drop("b-future.xml", DroppedResults("2099-01-01T00:00:00Z", "pass"), absl::Minutes(1));
  Drop("c-badtime.xml", DroppedResults("last tuesday", "pass"), absl::Minutes(1));
  Drop("d-good.xml", DroppedResults("2026-12-01T10:00:00Z", "pass"), absl::Minutes(1));
  Drop("notes.txt", "not results", absl::Minutes(1));
  OpenscapPass pass = Create()->RunDue();
  EXPECT_EQ(pass.rejected_files, 3);
  EXPECT_EQ(pass.imported_files, 1);
  EXPECT_EQ(Spooled().size(), 1u) << "only the good file's one outcome, for db";
  EXPECT_TRUE(fs::exists(fs::path(drop) / "notes.txt")) << "other files are not ours";
  const auto reason = [&](absl::string_view name) {
    std::ifstream in(fs::path(drop) / "rejected" / absl::StrCat(name, ".error"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_TRUE(fs::exists(fs::path(drop) / "rejected" / "a-truncated.xml"));
  EXPECT_THAT(reason("a-truncated.xml"), HasSubstr("a-truncated.xml"));
  EXPECT_THAT(reason("b-future.xml"), HasSubstr("the scan ended in the future"));
  EXPECT_THAT(reason("c-badtime.xml"), HasSubstr("is not an xsd:dateTime"));
}

TEST_F(OpenscapSourceTest, RefusesABadOperatorMappingFile) {
  options_.openscap_mappings = {dir_.WriteFile("bad.tsv", "uleo_id\tsource_id\nNOPE\tAC-1\n")};
  AddDropDirectory();
  absl::StatusOr<std::unique_ptr<OpenscapSource>> source =
      OpenscapSource::Create(options_, Catalog::Builtin(), *spool_, clock_, [] {});
  EXPECT_FALSE(source.ok());
  EXPECT_THAT(source.status().message(), HasSubstr("openscap_mappings: "));
}

}  // namespace
}  // namespace postura::agent
