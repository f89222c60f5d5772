#include "cli/report_command.h"

#include "cli/inert_text_matcher.h"
#include "common/crosswalk/implementation_tier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A report whose names and titles came from a hostile supplier.
PostureReport HostileReport() {
  PostureReport report;
  report.generated_at = absl::FromUnixSeconds(1'700'000'000);
  report.collector = "127.0.0.1:4317";
  v1::Rollup* supplier = report.organization.emplace().add_suppliers();
  supplier->set_key("acme");
  supplier->set_name("ACME \x1b]0;pwned\x07|Hosting\r");
  v1::AssetSummary* asset = report.assets.add_assets();
  asset->set_asset_id("web\x1b[2J");
  asset->set_name(
      "Web \xC2\x9B"
      "31mportal\xE2\x80\xAE");
  v1::Gaps& gaps = report.gaps.emplace_back();
  gaps.set_asset_id("web\x1b[2J");
  v1::FunctionalAreaGaps* area = gaps.add_areas();
  area->set_functional_area_id("FA1\x7f");
  v1::Gap* gap = area->add_gaps();
  gap->set_outcome_id("PR_AC_CSC_5_2");
  gap->set_title("Use unique passwords\x08\x08\x08\x08\x08\x08\x08\x08\x08");
  gap->set_share_of_asset_value(0.1);
  return report;
}

// Reports are filed and later `cat`ed: they must not carry what a terminal would obey.
TEST(ReportMarkdownTest, ControlCharactersFromSuppliersAreShownNotSent) {
  const std::string markdown = ReportMarkdown(HostileReport(), 5);
  EXPECT_THAT(markdown, IsInertOnATerminal());
  EXPECT_THAT(markdown, HasSubstr("| acme | ACME \\x1b]0;pwned\\x07 Hosting\\r |"));
  EXPECT_THAT(markdown, HasSubstr("| web\\x1b[2J | Web \\u009b31mportal\\u202e |"));
  EXPECT_THAT(markdown, HasSubstr("### web\\x1b[2J\n"));
  EXPECT_THAT(markdown, HasSubstr("\\x08\\x08 | FA1\\u007f |"));
}

TEST(ReportJsonTest, ControlCharactersAreEscapedAndTheValuesKept) {
  const PostureReport report = HostileReport();
  const std::string json = ReportJson(report);
  EXPECT_THAT(json, IsInertOnATerminal());
  EXPECT_THAT(json, Not(HasSubstr("\x1b")));
  const nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["assets"][0]["name"], report.assets.assets(0).name());
  EXPECT_EQ(parsed["organization"]["suppliers"][0]["name"],
            report.organization->suppliers(0).name());
  EXPECT_EQ(parsed["gaps"][0]["areas"][0]["functionalAreaId"], "FA1\x7f");
}

// The catalog carries RS.AN-4's title on RS.AN-5 (docs/catalog.md): the report shows the
// source's.
TEST(ReportMarkdownTest, GapsShowTheSourcesTitleOfCorrectedOutcomes) {
  PostureReport report;
  report.assets.add_assets()->set_asset_id("web");
  v1::Gap* gap = report.gaps.emplace_back().add_areas()->add_gaps();
  gap->set_outcome_id("RS_AN_RS_AN_5");
  gap->set_title("Incidents are categorized consistent with response plans");
  const std::string markdown = ReportMarkdown(report, 5);
  EXPECT_THAT(markdown, HasSubstr("| RS_AN_RS_AN_5 | Processes are established to receive"));
  EXPECT_THAT(markdown, Not(HasSubstr("Incidents are categorized")));
  const nlohmann::json json = nlohmann::json::parse(ReportJson(report));
  EXPECT_THAT(json["gaps"][0]["areas"][0]["gaps"][0]["title"].get<std::string>(),
              HasSubstr("Processes are established to receive"));
}

TEST(ReportMarkdownTest, TiersShowWithTheFactsThatDecidedThem) {
  PostureReport report;
  crosswalk::TierFacts facts{.applicable = 10,
                             .live = 2,
                             .stale = 0,
                             .level_hundredths = 200,
                             .assets = 1,
                             .assets_with_targets = 0,
                             .gaps_closed = 0,
                             .p90_days = 0,
                             .oldest_open_days = 0,
                             .index_then = std::nullopt,
                             .index_now = std::nullopt};
  // As the collector answers (collector/api/tier_queries.cc).
  const crosswalk::TierDecision decision = crosswalk::DecideTier(facts);
  for (const auto& [scope, name] :
       {std::pair{"organization", "the organisation"}, std::pair{"PR", "Protect"}}) {
    v1::ScopeTier& tier = *report.tiers.add_tiers();
    tier.set_scope(scope);
    tier.set_name(name);
    tier.set_tier(static_cast<int>(decision.tier));
    tier.set_tier_name(std::string(crosswalk::TierName(decision.tier)));
    for (const std::string& fact : decision.facts) tier.add_facts(fact);
  }
  const std::string markdown = ReportMarkdown(report, 5);
  EXPECT_THAT(markdown, HasSubstr("## Implementation tiers"));
  EXPECT_THAT(markdown, HasSubstr("| organisation | 1 Partial | evidence coverage 20% (2 of 10) "
                                  ">= 50%: no; mean level 0.20 >= 0.33: no; assets with targets "
                                  "0 of 1 >= 50%: no |"));
  EXPECT_THAT(markdown, HasSubstr("| PR Protect | 1 Partial |"));
  const nlohmann::json json = nlohmann::json::parse(ReportJson(report));
  EXPECT_EQ(json["tiers"][0]["scope"], "organization");
  EXPECT_EQ(json["tiers"][0]["tier"], 1);
  EXPECT_EQ(json["tiers"][1]["tierName"], "Partial");
  EXPECT_EQ(json["tiers"][1]["facts"].size(), 3u);
}

// Assets without targets count in neither figure (before, they counted as meeting them).
TEST(ReportMarkdownTest, MeetingTargetsIsNOfTheAssetsWithTargets) {
  PostureReport report;
  report.organization.emplace().set_asset_count(5);
  report.organization->set_assets_with_targets(2);
  report.organization->set_assets_meeting_targets(1);
  report.organization->set_share_meeting_targets(0.5);
  EXPECT_THAT(ReportMarkdown(report, 5), HasSubstr("| 50% (1 of 2 assets with targets) |"));
  report.organization->set_assets_with_targets(0);
  report.organization->set_assets_meeting_targets(0);
  report.organization->set_share_meeting_targets(0);
  EXPECT_THAT(ReportMarkdown(report, 5), HasSubstr("| no asset has targets |"));
}

}  // namespace
}  // namespace postura::cli
