#include "common/crosswalk/crosswalk.h"

#include <cstdio>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::crosswalk {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Catalog& Uleo() { return Catalog::Builtin(); }
int OutcomeAt(absl::string_view id) { return *Uleo().FindOutcome(id); }

// A mapping file: the header, then `rows`.
std::string Tsv(const std::vector<std::string>& rows) {
  std::string text = absl::StrCat(kMappingHeader, "\n");
  for (const std::string& row : rows) absl::StrAppend(&text, row, "\n");
  return text;
}

std::string Row(absl::string_view uleo, absl::string_view control, absl::string_view title = "") {
  return absl::StrCat(uleo, "\tX-1\t", control, "\t", title, "\tmine\tinformative_reference\tme");
}

TEST(FrameworkTest, NamesParseBackAndUnknownOnesAreNamed) {
  for (Framework framework : kAllFrameworks) {
    EXPECT_EQ(*ParseFramework(FrameworkName(framework)), framework);
  }
  EXPECT_EQ(*ParseFramework("CSF2.0"), Framework::kCsf20);
  absl::StatusOr<Framework> unknown = ParseFramework("pci-dss");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status().message(),
            "unknown framework 'pci-dss': expected one of csf2.0, sp800-53r5, iso27001-2013, "
            "iso27001-2022");
}

// The shipped files, against the counts of ../shared/reference/crosswalks/README.md.
TEST(CrosswalkTest, ShippedFilesLoadWithTheirControlsAndOutcomes) {
  struct Expected {
    Framework framework;
    size_t controls;
    size_t outcomes;
  };
  for (const Expected& expected :
       {Expected{Framework::kCsf20, 84, 93}, Expected{Framework::kSp80053r5, 189, 93},
        Expected{Framework::kIso27001v2013, 113, 90},
        Expected{Framework::kIso27001v2022, 88, 90}}) {
    absl::StatusOr<Crosswalk> crosswalk = Crosswalk::Builtin(expected.framework, Uleo());
    ASSERT_TRUE(crosswalk.ok()) << crosswalk.status();
    EXPECT_EQ(crosswalk->controls().size(), expected.controls) << FrameworkName(expected.framework);
    std::set<int> outcomes;
    for (const Control& control : crosswalk->controls()) {
      EXPECT_FALSE(control.outcomes.empty()) << control.id;  // No file lists unmapped ones.
      outcomes.insert(control.outcomes.begin(), control.outcomes.end());
    }
    EXPECT_EQ(outcomes.size(), expected.outcomes) << FrameworkName(expected.framework);
  }
}

TEST(CrosswalkTest, ControlsKnowTheirOutcomesAndTitles) {
  absl::StatusOr<Crosswalk> csf = Crosswalk::Builtin(Framework::kCsf20, Uleo());
  ASSERT_TRUE(csf.ok());
  const Control* ra08 = csf->FindControl("ID.RA-08");
  ASSERT_NE(ra08, nullptr);
  EXPECT_THAT(ra08->outcomes, testing::Contains(OutcomeAt("RS_AN_RS_AN_5")));
  EXPECT_EQ(ra08->title,
            "Processes for receiving, analyzing, and responding to vulnerability disclosures "
            "are established");
  absl::StatusOr<Crosswalk> iso = Crosswalk::Builtin(Framework::kIso27001v2022, Uleo());
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(iso->FindControl("A.5.9")->title, "");  // ISO's titles are not shipped.
  EXPECT_EQ(iso->FindControl("A.9.9.9"), nullptr);
  // CIS-safeguard outcomes have no shipped mapping.
  EXPECT_TRUE(iso->ControlsOf(OutcomeAt("PR_AC_CSC_5_2")).empty());
}

TEST(CrosswalkTest, ControlsAreInNaturalOrder) {
  EXPECT_TRUE(NaturalLess("AC-2", "AC-10"));
  EXPECT_FALSE(NaturalLess("AC-10", "AC-2"));
  EXPECT_TRUE(NaturalLess("A.5.9", "A.5.10"));
  EXPECT_TRUE(NaturalLess("A.5.37", "A.6.1"));
  EXPECT_TRUE(NaturalLess("AC-2", "AC-2(1)"));
  EXPECT_TRUE(NaturalLess("Clause 6.1.2", "Clause 10"));
  EXPECT_FALSE(NaturalLess("AC-2", "AC-2"));
  absl::StatusOr<Crosswalk> sp = Crosswalk::Builtin(Framework::kSp80053r5, Uleo());
  ASSERT_TRUE(sp.ok());
  std::vector<std::string> first;
  for (size_t i = 0; i < 4; ++i) first.push_back(sp->controls()[i].id);
  EXPECT_THAT(first, ElementsAre("AC-1", "AC-2", "AC-3", "AC-4"));
}

TEST(CrosswalkTest, OperatorRowsAddOutcomesAndKnownControls) {
  Crosswalk crosswalk(Framework::kIso27001v2022, Uleo());
  ASSERT_TRUE(crosswalk
                  .AddTsv(Tsv({Row("PR_AC_CSC_5_2", "A.5.17", "Authentication information"),
                               Row("PR_AC_CSC_5_2", "A.5.17"), Row("", "A.5.23")}),
                          "ops.tsv")
                  .ok());
  const Control* passwords = crosswalk.FindControl("A.5.17");
  ASSERT_NE(passwords, nullptr);
  EXPECT_THAT(passwords->outcomes, ElementsAre(OutcomeAt("PR_AC_CSC_5_2")));  // Once.
  EXPECT_EQ(passwords->title, "Authentication information");
  EXPECT_THAT(passwords->relationships, ElementsAre("informative_reference"));
  const Control* cloud = crosswalk.FindControl("A.5.23");
  ASSERT_NE(cloud, nullptr);
  EXPECT_TRUE(cloud->outcomes.empty());  // Known, nothing maps to it.
  EXPECT_EQ(crosswalk.ControlsOf(OutcomeAt("PR_AC_CSC_5_2")).size(), 1u);
}

TEST(CrosswalkTest, OperatorRowsMergeWithTheShippedOnes) {
  absl::StatusOr<Crosswalk> iso = Crosswalk::Builtin(Framework::kIso27001v2022, Uleo());
  ASSERT_TRUE(iso.ok());
  const size_t before = iso->FindControl("A.5.9")->outcomes.size();
  ASSERT_TRUE(iso->AddTsv(Tsv({Row("ID_AM_CSC_1_1", "A.5.9")}), "ops.tsv").ok());
  EXPECT_EQ(iso->FindControl("A.5.9")->outcomes.size(), before + 1);
}

// Each defect: the file and line, and what is wrong.
TEST(CrosswalkTest, DefectsNameTheFileAndLine) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Tsv({Row("PR_AC_CSC_5_2", "A.5.17"), Row("NOT_AN_OUTCOME", "A.5.18")}),
       "ops.tsv:3: unknown ULEO outcome 'NOT_AN_OUTCOME' (not in catalog"},
      {Tsv({"PR_AC_CSC_5_2\tX\tA.5.17\t\tref\trel"}),
       "ops.tsv:2: expected 7 tab-separated fields (uleo_id, source_id, target_id, "
       "target_title, source_ref, relationship, authority), found 6"},
      {"uleo_id,source_id,target_id\n", "ops.tsv:1: the first line must be the header"},
      {Tsv({Row("PR_AC_CSC_5_2", "")}), "ops.tsv:2: the control id (target_id) is empty"},
      {Tsv({Row("PR_AC_CSC_5_2", "A;5.17")}), "ops.tsv:2: control id 'A;5.17' may hold only"},
      {Tsv({Row("PR_AC_CSC_5_2", " A.5.17")}), "ops.tsv:2: control id ' A.5.17' may hold only"},
      {Tsv({Row("PR_AC_CSC_5_2", "AC-2", "Account Management"), "",
            Row("ID_AM_CSC_1_1", "AC-2", "Accounts")}),
       "ops.tsv:4: control AC-2 is titled 'Accounts' here but 'Account Management' before"},
      {Tsv({Row("PR_AC_CSC_5_2", "A.5.17", "\xff\xfe")}), "ops.tsv:1: the file is not valid UTF-8"},
      {Tsv({}), "ops.tsv:2: the file has no mapping rows"},
      {"", "ops.tsv:1: the first line must be the header"},
  };
  for (const Case& c : cases) {
    Crosswalk crosswalk(Framework::kSp80053r5, Uleo());
    absl::Status status = crosswalk.AddTsv(c.text, "ops.tsv");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message)) << c.text;
    EXPECT_TRUE(crosswalk.controls().empty()) << c.text;  // All or nothing.
  }
}

TEST(CrosswalkTest, AFailedFileLeavesTheCrosswalkAsItWas) {
  absl::StatusOr<Crosswalk> sp = Crosswalk::Builtin(Framework::kSp80053r5, Uleo());
  ASSERT_TRUE(sp.ok());
  const size_t controls = sp->controls().size();
  EXPECT_FALSE(sp->AddTsv(Tsv({Row("PR_AC_CSC_5_2", "ZZ-1"), Row("NOPE", "ZZ-2")}), "x.tsv").ok());
  EXPECT_EQ(sp->controls().size(), controls);
  EXPECT_EQ(sp->FindControl("ZZ-1"), nullptr);
  EXPECT_TRUE(sp->ControlsOf(OutcomeAt("PR_AC_CSC_5_2")).empty());
}

TEST(CrosswalkTest, FilesAreReadOrNamedWhenMissing) {
  Crosswalk crosswalk(Framework::kCsf20, Uleo());
  absl::Status missing = crosswalk.AddFile("/nonexistent/mapping.tsv");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("/nonexistent/mapping.tsv"));
  const std::string path = testing::TempDir() + "/crosswalk_test_mapping.tsv";
  {
    std::ofstream file(path);
    file << Tsv({Row("PR_AC_CSC_5_2", "PR.AA-01")});
  }
  EXPECT_TRUE(crosswalk.AddFile(path).ok());
  EXPECT_NE(crosswalk.FindControl("PR.AA-01"), nullptr);
  // The shipped file, read from the source tree, loads as its compiled-in copy does.
  Crosswalk from_file(Framework::kCsf20, Uleo());
  ASSERT_TRUE(
      from_file.AddFile(POSTURA_SOURCE_DIR "/common/crosswalk/data/uleo-to-csf2.0.tsv").ok());
  EXPECT_EQ(from_file.controls().size(), 84u);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace postura::crosswalk
