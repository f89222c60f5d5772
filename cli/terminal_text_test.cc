#include "cli/terminal_text.h"

#include <memory>
#include <ostream>
#include <sstream>
#include <string>

#include "cli/inert_text_matcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura::cli {
namespace {

using ::testing::Not;

TEST(TerminalSafeTest, ShowsEscCrBelAndAnOscSequenceAsEscapes) {
  EXPECT_EQ(TerminalSafe("ok\x1b]0;pwned\x07 done\rFAKE"), "ok\\x1b]0;pwned\\x07 done\\rFAKE");
  EXPECT_EQ(TerminalSafe("\x1b[2J\x1b[H"), "\\x1b[2J\\x1b[H");
}

TEST(TerminalSafeTest, ShowsBackspaceDelAndOtherAsciiControlsAsEscapes) {
  EXPECT_EQ(TerminalSafe(std::string("a\x08\x7f\x00z", 5)), "a\\x08\\u007f\\x00z");
  EXPECT_EQ(TerminalSafe("\x01\x1f\x0b\x0c"), "\\x01\\x1f\\x0b\\x0c");
}

TEST(TerminalSafeTest, ShowsC1ControlsEncodedInUtf8AsEscapes) {
  EXPECT_EQ(TerminalSafe("\xC2\x9B"
                         "31m red \xC2\x9D"
                         "0;t\xC2\x9C"),
            "\\u009b31m red \\u009d0;t\\u009c");
  EXPECT_EQ(TerminalSafe("\xC2\x80\xC2\x85\xC2\x9F"), "\\u0080\\u0085\\u009f");
}

TEST(TerminalSafeTest, ShowsBidirectionalControlsAndLineSeparatorsAsEscapes) {
  // "invoice_\u202Efdp.exe" would show as "invoice_exe.pdf".
  EXPECT_EQ(TerminalSafe("invoice_\xE2\x80\xAE"
                         "fdp.exe"),
            "invoice_\\u202efdp.exe");
  EXPECT_EQ(TerminalSafe("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD"),
            "\\u202a\\u202b\\u202c\\u202d");
  EXPECT_EQ(TerminalSafe("\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9"),
            "\\u2066\\u2067\\u2068\\u2069");
  EXPECT_EQ(TerminalSafe("\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C"), "\\u200e\\u200f\\u061c");
  EXPECT_EQ(TerminalSafe("a\xE2\x80\xA8"
                         "b\xE2\x80\xA9"),
            "a\\u2028b\\u2029");
}

TEST(TerminalSafeTest, KeepsPrintableTextInAnyScript) {
  const std::string text =
      "Café Zürich — 東京 Ελλάδα ✓ 🛡 ███░ … \\x1b as typed";
  EXPECT_EQ(TerminalSafe(text), text);
  EXPECT_EQ(TerminalSafeLines(text), text);
}

TEST(TerminalSafeTest, ReplacesInvalidUtf8WithTheReplacementCharacter) {
  EXPECT_EQ(TerminalSafe("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  // Overlong "/", a surrogate, a truncated euro sign, a stray continuation byte.
  EXPECT_EQ(TerminalSafe("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(TerminalSafe("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(TerminalSafe("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(TerminalSafe("\x80"), "\xEF\xBF\xBD");
  // An overlong ESC does not sneak through either.
  EXPECT_THAT(TerminalSafe("\xC0\x9B"), IsInertOnATerminal());
}

TEST(TerminalSafeTest, OneLineTurnsNewlinesAndTabsIntoSpaces) {
  EXPECT_EQ(TerminalSafe("PermitRootLogin no\nfrom\tsshd -T"), "PermitRootLogin no from sshd -T");
}

TEST(TerminalSafeLinesTest, KeepsNewlinesAndTabsAndEscapesTheRest) {
  EXPECT_EQ(TerminalSafeLines("a\tb\nc\r\n\x1b[31m"), "a\tb\nc\\r\n\\x1b[31m");
}

TEST(TerminalSafeTest, EscapingTwiceChangesNothingMore) {
  const std::string hostile =
      "\x1b]0;pwned\x07\r\x08\x7f\xC2\x9B\xE2\x80\xAE\xFF\nline\ttab \xE6\x9D\xB1";
  EXPECT_EQ(TerminalSafe(TerminalSafe(hostile)), TerminalSafe(hostile));
  EXPECT_EQ(TerminalSafeLines(TerminalSafeLines(hostile)), TerminalSafeLines(hostile));
  EXPECT_THAT(TerminalSafe(hostile), IsInertOnATerminal());
  EXPECT_THAT(TerminalSafeLines(hostile), IsInertOnATerminal());
}

// The JSON encoders escape C0 controls but pass DEL, C1 and bidirectional controls on raw;
// TerminalSafeLines escapes those the JSON way, so the document still means the same.
TEST(TerminalSafeLinesTest, JsonKeepsItsMeaning) {
  nlohmann::ordered_json json;
  json["detail"] = "\x1b]0;pwned\x07\r\x7f\xC2\x9B\xE2\x80\xAE caf\xC3\xA9 \\x1b";
  json["list"] = {"\xE2\x81\xA6", "plain"};
  const std::string dumped = json.dump(2);
  EXPECT_THAT(dumped, Not(IsInertOnATerminal()));
  const std::string safe = TerminalSafeLines(dumped);
  EXPECT_THAT(safe, IsInertOnATerminal());
  EXPECT_EQ(nlohmann::ordered_json::parse(safe), json);
}

TEST(TerminalSafeStreambufTest, EscapesEverythingWrittenThroughIt) {
  std::ostringstream terminal;
  {
    TerminalSafeStreambuf filter(terminal.rdbuf());
    std::ostream out(&filter);
    out << "detail: " << std::string("\x1b]0;pwned\x07") << '\r' << "\xC2\x9B" << 42 << '\n'
        << std::flush;
    EXPECT_EQ(terminal.str(), "detail: \\x1b]0;pwned\\x07\\r\\u009b42\n");
  }
}

TEST(TerminalSafeStreambufTest, KeepsCharactersSplitAcrossWrites) {
  std::ostringstream terminal;
  TerminalSafeStreambuf filter(terminal.rdbuf());
  std::ostream out(&filter);
  const std::string text = "東京 ✓ \xE2\x80\xAE";
  for (char c : text) out << c;  // One byte at a time.
  out << std::flush;
  EXPECT_EQ(terminal.str(), "東京 ✓ \\u202e");
  out << "\xE6\x9D";  // The first two bytes of 東 wait for the third...
  out << std::flush;
  EXPECT_EQ(terminal.str(), "東京 ✓ \\u202e");
  out << "\xB1!";  // ...which completes it.
  EXPECT_EQ(terminal.str(), "東京 ✓ \\u202e東!");
}

TEST(TerminalSafeStreambufTest, AnIncompleteCharacterLeftAtTheEndIsReplaced) {
  std::ostringstream terminal;
  {
    TerminalSafeStreambuf filter(terminal.rdbuf());
    std::ostream out(&filter);
    out << "end\xE6\x9D";
  }
  EXPECT_EQ(terminal.str(), "end\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace postura::cli
