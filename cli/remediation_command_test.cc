#include "cli/remediation_command.h"

#include "cli/inert_text_matcher.h"
#include "cli/report_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'764'849'600);  // 2025-12-04T12:00:00Z

v1::Remediation Figures() {
  v1::Remediation remediation;
  remediation.set_by("function");
  remediation.mutable_since()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(24 * 90)));
  remediation.mutable_until()->set_seconds(absl::ToUnixSeconds(kNow));
  v1::RemediationGroup* group = remediation.add_groups();
  group->set_key("FA7");
  group->set_name("Risk assessment\x1b[2J");
  group->set_closed(3);
  group->set_median_seconds(5400);
  group->set_p90_seconds(2 * 86400 + 3 * 3600);
  group->set_open(1);
  group->set_oldest_open_seconds(42);
  v1::RemediationGroup* idle = remediation.add_groups();
  idle->set_key("FA2");
  idle->set_open(2);
  idle->set_oldest_open_seconds(600);
  remediation.mutable_total()->set_closed(3);
  remediation.mutable_total()->set_median_seconds(5400);
  remediation.mutable_total()->set_p90_seconds(2 * 86400 + 3 * 3600);
  remediation.mutable_total()->set_open(3);
  remediation.mutable_total()->set_oldest_open_seconds(600);
  return remediation;
}

TEST(RemediationCommandTest, DurationsShowTheirTwoLargestUnits) {
  EXPECT_EQ(RemediationDurationText(0, false), "-");
  EXPECT_EQ(RemediationDurationText(0, true), "0s");
  EXPECT_EQ(RemediationDurationText(45, true), "45s");
  EXPECT_EQ(RemediationDurationText(12 * 60 + 5, true), "12m");
  EXPECT_EQ(RemediationDurationText(3 * 3600, true), "3h");
  EXPECT_EQ(RemediationDurationText(3 * 3600 + 20 * 60, true), "3h 20m");
  EXPECT_EQ(RemediationDurationText(9 * 86400 + 4 * 3600 + 59, true), "9d 4h");
  EXPECT_EQ(RemediationDurationText(-3, true), "0s");
}

TEST(RemediationCommandTest, InstantsParseThroughTheTimeHelpersAndNameTheOption) {
  RemediationOptions options;
  options.by = "asset";
  options.since = "30d";
  options.until = "2025-12-04T11:00:00Z";
  absl::StatusOr<v1::GetRemediationRequest> request = RemediationRequest(options, kNow);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->by(), "asset");
  EXPECT_EQ(request->since_unix_nanos(), absl::ToUnixNanos(kNow - absl::Hours(24 * 30)));
  EXPECT_EQ(request->until_unix_nanos(), absl::ToUnixNanos(kNow - absl::Hours(1)));
  options.since = "yesterday";
  request = RemediationRequest(options, kNow);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(request.status().message(), HasSubstr("--since"));
  options.since.clear();
  options.until = "12:00";
  EXPECT_THAT(RemediationRequest(options, kNow).status().message(), HasSubstr("--until"));
  options.until.clear();
  request = RemediationRequest(options, kNow);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->since_unix_nanos(), 0);  // The collector's default window.
  EXPECT_EQ(request->until_unix_nanos(), 0);
}

TEST(RemediationCommandTest, TextListsEachGroupAndTheTotal) {
  const std::string text = RemediationText(Figures());
  EXPECT_THAT(text, IsInertOnATerminal());
  EXPECT_THAT(text, HasSubstr("Remediation time by function, of gaps closed from "
                              "2025-09-05T12:00:00Z to 2025-12-04T12:00:00Z"));
  EXPECT_THAT(
      text,
      HasSubstr("FA7       Risk assessment\\x1b[2J       3  1h 30m  2d 3h     1          42s"));
  EXPECT_THAT(text, HasSubstr("1h 30m"));
  EXPECT_THAT(text, HasSubstr("2d 3h"));
  EXPECT_THAT(text, HasSubstr("all"));
  EXPECT_THAT(RemediationText(v1::Remediation()), HasSubstr("No gap episodes"));
}

TEST(RemediationCommandTest, TheReportHasARemediationSectionAndJsonKey) {
  PostureReport report;
  report.generated_at = kNow;
  report.collector = "127.0.0.1:4317";
  report.remediation = Figures();
  const std::string markdown = ReportMarkdown(report, 5);
  EXPECT_THAT(markdown, IsInertOnATerminal());
  EXPECT_THAT(markdown, HasSubstr("## Remediation time\n"));
  EXPECT_THAT(markdown, HasSubstr("2025-09-05 to 2025-12-04"));
  EXPECT_THAT(markdown,
              HasSubstr("| FA7 | Risk assessment\\x1b[2J | 3 | 1h 30m | 2d 3h | 1 | 42s |\n"));
  EXPECT_THAT(markdown, HasSubstr("| FA2 |  | 0 | - | - | 2 | 10m |\n"));
  EXPECT_THAT(markdown, HasSubstr("| all |  | 3 | 1h 30m | 2d 3h | 3 | 10m |\n"));
  const nlohmann::json json = nlohmann::json::parse(ReportJson(report));
  EXPECT_EQ(json["remediation"]["by"], "function");
  EXPECT_EQ(json["remediation"]["groups"][0]["key"], "FA7");
  EXPECT_EQ(json["remediation"]["groups"][0]["p90Seconds"], 2 * 86400 + 3 * 3600);
  EXPECT_EQ(json["remediation"]["total"]["open"], 3);
}

}  // namespace
}  // namespace postura::cli
