#include "cli/crosswalk_text.h"

#include "absl/strings/str_cat.h"
#include "cli/inert_text_matcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura::cli {
namespace {

using crosswalk::AssetReadings;
using crosswalk::Crosswalk;
using crosswalk::EvidenceState;
using crosswalk::Framework;
using crosswalk::OutcomeReading;
using ::testing::HasSubstr;
using ::testing::Not;

const Catalog& Uleo() { return Catalog::Builtin(); }

// C-1 <- RS.AN-5 and CSC-5.2 (titled by a hostile file), C-2 <- CSC-5.2, C-9 known only.
Crosswalk Small(Framework framework, absl::string_view rows) {
  Crosswalk crosswalk(framework, Uleo());
  absl::Status added = crosswalk.AddTsv(absl::StrCat(crosswalk::kMappingHeader, "\n", rows), "t");
  EXPECT_TRUE(added.ok()) << added;
  return crosswalk;
}

AssetReadings Web() {
  AssetReadings web{.asset_id = "web",
                    .outcomes = std::vector<OutcomeReading>(Uleo().outcomes().size())};
  web.outcomes[*Uleo().FindOutcome("RS_AN_RS_AN_5")] =
      OutcomeReading{.state = EvidenceState::kLive, .level = Level::kDli33, .attested = true};
  web.outcomes[*Uleo().FindOutcome("PR_AC_CSC_5_2")] =
      OutcomeReading{.state = EvidenceState::kNoEvidence, .level = Level::kDli0, .attested = false};
  return web;
}

CrosswalkHeader Header() {
  return CrosswalkHeader{.generated_at = absl::FromUnixSeconds(1'764'849'600),
                         .collector = "127.0.0.1:4317",
                         .asset_id = "web",
                         .asset_count = 1,
                         .framework_sources = {"builtin", "ops.tsv"},
                         .against_sources = {}};
}

const char kRows[] =
    "RS_AN_RS_AN_5\tx\tC-1\tFirst \x1b[2J|control\tr\tinformative_reference\ta\n"
    "PR_AC_CSC_5_2\tx\tC-1\t\tr\tinformative_reference\ta\n"
    "PR_AC_CSC_5_2\tx\tC-2\t\tr\tinformative_reference\ta\n"
    "\tx\tC-9\tNothing maps here\tr\t\ta\n";

TEST(CrosswalkMarkdownTest, ControlsWithStatusCoverageOutcomesAndTheUnmapped) {
  const Crosswalk crosswalk = Small(Framework::kSp80053r5, kRows);
  const AssetReadings web = Web();
  const std::string md = CrosswalkMarkdown(Header(), Uleo(), StandFramework(crosswalk, {web}));
  EXPECT_THAT(md, IsInertOnATerminal());
  EXPECT_THAT(md, HasSubstr("# NIST SP 800-53 Rev. 5: asset web\n"));
  EXPECT_THAT(md, HasSubstr("Mapping files: builtin, ops.tsv."));
  EXPECT_THAT(md, HasSubstr("3 controls known, 2 with mapped outcomes (67%), 1 that nothing "
                            "maps to."));
  EXPECT_THAT(md, HasSubstr("| C-1 | First \\x1b[2J control | partially (incomplete) | 0.33 | "
                            "50% (1 of 2) | PR_AC_CSC_5_2, RS_AN_RS_AN_5 |"));
  EXPECT_THAT(md, HasSubstr("| C-2 | (title not shipped) | no evidence | - | 0% (0 of 1) |"));
  // RS.AN-5 under its own title, with the catalog note.
  EXPECT_THAT(md, HasSubstr("| C-1 | RS_AN_RS_AN_5 | Processes are established to receive"));
  EXPECT_THAT(md, HasSubstr("| 0.33 | live, attested |"));
  EXPECT_THAT(md, HasSubstr("- RS_AN_RS_AN_5: ULEO v1 carries RS.AN-4's title"));
  EXPECT_THAT(md, HasSubstr("| C-9 | Nothing maps here |"));
  EXPECT_THAT(md, HasSubstr(absl::StrCat(Uleo().outcomes().size() - 2, " of ",
                                         Uleo().outcomes().size(), " catalog outcomes map to no")));
}

TEST(CrosswalkMarkdownTest, WithoutUnmappedControlsSaysWhatKnownMeans) {
  const Crosswalk crosswalk = Small(Framework::kCsf20, "PR_AC_CSC_5_2\tx\tPR.AA-01\t\tr\tm\ta\n");
  CrosswalkHeader org = Header();
  org.asset_id = "";
  org.asset_count = 0;
  const std::string md = CrosswalkMarkdown(org, Uleo(), StandFramework(crosswalk, {}));
  EXPECT_THAT(md, HasSubstr("# NIST CSF 2.0: the organisation (0 assets)"));
  EXPECT_THAT(md, HasSubstr("None among the subcategories"));
  EXPECT_THAT(md, HasSubstr("is unknown here, not met"));
  EXPECT_THAT(md, HasSubstr("| PR.AA-01 | (title not shipped) | not applicable | - | n/a |"));
}

TEST(CrosswalkJsonTest, CarriesTheSameFigures) {
  const Crosswalk crosswalk = Small(Framework::kSp80053r5, kRows);
  const AssetReadings web = Web();
  const std::string text = CrosswalkJson(Header(), Uleo(), StandFramework(crosswalk, {web}));
  EXPECT_THAT(text, IsInertOnATerminal());
  const nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_EQ(json["framework"], "sp800-53r5");
  EXPECT_EQ(json["scope"]["asset"], "web");
  EXPECT_EQ(json["summary"]["knownControls"], 3);
  EXPECT_EQ(json["summary"]["mappedControls"], 2);
  const nlohmann::json& first = json["controls"][0];
  EXPECT_EQ(first["id"], "C-1");
  EXPECT_EQ(first["title"], "First \x1b[2J|control");  // Escaped in the text, kept in value.
  EXPECT_EQ(first["status"], "partially");
  EXPECT_EQ(first["complete"], false);
  EXPECT_DOUBLE_EQ(first["level"].get<double>(), 0.33);
  EXPECT_DOUBLE_EQ(first["coverage"].get<double>(), 0.5);
  EXPECT_EQ(first["outcomes"].size(), 2u);
  EXPECT_TRUE(json["controls"][1]["level"].is_null());
  EXPECT_EQ(json["unmappedControls"][0]["id"], "C-9");
  EXPECT_EQ(json["outcomesNotMapped"].size(), Uleo().outcomes().size() - 2);
}

TEST(AlignmentTextTest, SharedControlsAndWhatEachLacks) {
  const Crosswalk a = Small(Framework::kCsf20,
                            "RS_AN_RS_AN_5\tx\tID.RA-08\t\tr\tm\ta\n"
                            "PR_AC_CSC_5_2\tx\tID.RA-08\t\tr\tm\ta\n"
                            "ID_AM_CSC_1_1\tx\tID.AM-01\t\tr\tm\ta\n");
  const Crosswalk b = Small(Framework::kIso27001v2022,
                            "RS_AN_RS_AN_5\tx\tA.8.8\t\tr\tm\ta\n"
                            "PR_DS_CSC_3_4\tx\tA.8.10\t\tr\tm\ta\n");
  const AssetReadings web = Web();
  const crosswalk::Alignment alignment = crosswalk::Align(a, b, {web});
  const std::string md = AlignmentMarkdown(Header(), Uleo(), alignment);
  EXPECT_THAT(md, HasSubstr("# NIST CSF 2.0 against ISO/IEC 27001:2022 Annex A: asset web"));
  EXPECT_THAT(md, HasSubstr("| ID.RA-08 | A.8.8 | RS_AN_RS_AN_5 | partially | 0.33 | "
                            "100% (1 of 1) | PR_AC_CSC_5_2 |"));
  EXPECT_THAT(md, HasSubstr("## Only in NIST CSF 2.0\n\n"));
  EXPECT_THAT(md, HasSubstr("| ID.AM-01 |"));
  EXPECT_THAT(md, HasSubstr("| A.8.10 |"));
  const nlohmann::json json = nlohmann::json::parse(AlignmentJson(Header(), Uleo(), alignment));
  EXPECT_EQ(json["against"], "iso27001-2022");
  EXPECT_EQ(json["shared"][0]["counterparts"][0]["id"], "A.8.8");
  EXPECT_EQ(json["shared"][0]["ownOutcomes"][0], "PR_AC_CSC_5_2");
  EXPECT_EQ(json["shared"][0]["shared"]["status"], "partially");
  EXPECT_EQ(json["onlyInFramework"][0]["id"], "ID.AM-01");
  EXPECT_EQ(json["onlyInAgainst"][0]["id"], "A.8.10");
  EXPECT_THAT(md, Not(HasSubstr("Incidents are categorized")));
}

}  // namespace
}  // namespace postura::cli
