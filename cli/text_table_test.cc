#include "cli/text_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

TEST(TextTableTest, PadsColumnsToTheWidestCellAndTrimsLineEnds) {
  TextTable table({"ID", "VALUE", "NAME"});
  table.AlignRight(1);
  table.AddRow({"web", "0.5", "Web portal"});
  table.AddRow({"database", "0.25", ""});
  EXPECT_EQ(table.Render(),
            "  ID        VALUE  NAME\n"
            "  web         0.5  Web portal\n"
            "  database   0.25\n");
}

TEST(TextTableTest, CountsUtf8CharactersNotBytesSoBarsLineUp) {
  TextTable table({"A", "B"});
  table.AddRow({ValueBar(0.5, 4), "x"});
  table.AddRow({"short", "y"});
  EXPECT_EQ(table.Render(),
            "  A          B\n"
            "  ██░░ 0.50  x\n"
            "  short      y\n");
}

TEST(TextTableTest, MissingCellsAreEmptyAndExtraCellsDropped) {
  TextTable table({"A", "B"});
  table.AddRow({"1"});
  table.AddRow({"2", "3", "4"});
  EXPECT_EQ(table.Render(), "  A  B\n  1\n  2  3\n");
}

TEST(ValueBarTest, FillsToTheNearestCellAndShowsTwoDecimals) {
  EXPECT_EQ(ValueBar(0.71), "███████░░░ 0.71");
  EXPECT_EQ(ValueBar(0), "░░░░░░░░░░ 0.00");
  EXPECT_EQ(ValueBar(1), "██████████ 1.00");
  EXPECT_EQ(ValueBar(0.04), "░░░░░░░░░░ 0.04");
  EXPECT_EQ(ValueBar(1.5, 2), "██ 1.50");  // Clamped bar, true value.
}

TEST(EllipsizeTest, CutsLongTextWithAnEllipsisCountingCharacters) {
  EXPECT_EQ(Ellipsize("Identify", 8), "Identify");
  EXPECT_EQ(Ellipsize("Identify", 5), "Iden…");
  EXPECT_EQ(DisplayWidth("Iden…"), 5);
  EXPECT_EQ(Ellipsize("ééééé", 3), "éé…");
}

}  // namespace
}  // namespace postura::cli
