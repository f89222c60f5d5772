#include "cli/watch_view.h"

#include <algorithm>

#include "cli/inert_text_matcher.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::ScoreUpdate Update(const std::string& text) {
  v1::ScoreUpdate update;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &update)) << text;
  return update;
}

TEST(WatchViewTest, KeepsTheLatestSummaryPerAssetSortedById) {
  WatchView view;
  view.Apply(Update(R"pb(summary { asset_id: "web" implementation_group: IG2 value: 0.2 }
                         computed_at_unix_nanos: 1700000000000000000)pb"));
  view.Apply(Update(R"pb(summary {
                           asset_id: "db"
                           implementation_group: IG3
                           value: 1
                           adjusted_value: 1
                           coverage: 1
                           target_count: 1
                           targets_met: true
                         }
                         computed_at_unix_nanos: 1700000001000000000)pb"));
  view.Apply(
      Update(R"pb(summary { asset_id: "web" implementation_group: IG2 value: 0.5 target_count: 2 }
                  computed_at_unix_nanos: 1700000002000000000)pb"));
  EXPECT_EQ(view.size(), 2);
  EXPECT_EQ(view.Table(absl::UTCTimeZone()),
            "  ASSET  IG   VALUE            ADJUSTED         COVERAGE         TARGETS      "
            "LAST CHANGE\n"
            "  db     IG3  ██████████ 1.00  ██████████ 1.00  ██████████ 1.00  met (1)      "
            "22:13:21\n"
            "  web    IG2  █████░░░░░ 0.50  ░░░░░░░░░░ 0.00  ░░░░░░░░░░ 0.00  NOT MET (2)  "
            "22:13:22\n");
}

TEST(WatchViewTest, RemovedAssetsLeaveTheTable) {
  WatchView view;
  view.Apply(Update(R"pb(summary { asset_id: "web" })pb"));
  view.Apply(Update(R"pb(summary { asset_id: "web" }
                         removed: true)pb"));
  EXPECT_EQ(view.size(), 0);
  EXPECT_THAT(view.Table(absl::UTCTimeZone()), Not(HasSubstr("web")));
}

TEST(WatchViewTest, ScreenRedrawsInPlaceClearingLeftovers) {
  EXPECT_EQ(WatchScreen("header", "  a\n  b\n"),
            "\x1b[Hheader\x1b[K\n\x1b[K\n  a\x1b[K\n  b\x1b[K\n\x1b[J");
}

// The screen goes to the terminal unfiltered: its own sequences are the only ones in it.
TEST(WatchViewTest, TheScreenCarriesNoControlSequenceAnAgentSent) {
  WatchView view;
  v1::ScoreUpdate update;
  update.mutable_summary()->set_asset_id(
      "web\x1b]0;pwned\x07\r\xC2\x9B"
      "2J");
  view.Apply(update);
  const std::string screen =
      WatchScreen("postura watch: \x1b[31m", view.Table(absl::UTCTimeZone()) + "\x1b[5m\n");
  EXPECT_THAT(screen, HasSubstr("web\\x1b]0;pwned\\x07\\r\\u009b2J"));
  EXPECT_THAT(screen, HasSubstr("postura watch: \\x1b[31m"));
  // Cursor home, clear-to-line-end after the header, the blank line and 3 table lines, and
  // clear-to-screen-end.
  EXPECT_EQ(std::count(screen.begin(), screen.end(), '\x1b'), 1 + 2 + 3 + 1);
  EXPECT_THAT(screen, Not(HasSubstr("\x07")));
  EXPECT_THAT(screen, Not(HasSubstr("\r")));
  EXPECT_THAT(WatchUpdateLine(update), IsInertOnATerminal());
}

TEST(WatchViewTest, UpdateLinesForLogs) {
  EXPECT_EQ(WatchUpdateLine(Update(R"pb(
              summary {
                asset_id: "web"
                implementation_group: IG2
                value: 0.5
                adjusted_value: 0.25
                coverage: 0.75
                target_count: 1
              }
              targets_met_changed: true
              computed_at_unix_nanos: 1700000000000000000)pb")),
            "2023-11-14T22:13:20Z web IG2 value 0.5000 adjusted 0.2500 coverage 0.75 targets NOT "
            "met (targets changed)");
  EXPECT_EQ(WatchUpdateLine(Update(R"pb(summary { asset_id: "web" }
                                        removed: true
                                        computed_at_unix_nanos: 1700000000000000000)pb")),
            "2023-11-14T22:13:20Z web removed");
}

}  // namespace
}  // namespace postura::cli
