#ifndef POSTURA_CLI_TEXT_TABLE_H_
#define POSTURA_CLI_TEXT_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace postura::cli {

// A table for people: a header row, then rows of cells. Columns are as wide as their
// widest cell (counted in characters, so UTF-8 bars line up), two spaces apart, and the
// table is indented by two spaces. Every header and cell is shown through TerminalSafe
// (terminal_text.h), so a cell may hold any text an agent or supplier sent. Not thread-safe.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers);

  // Right-aligns a column (for numbers). Returns *this.
  TextTable& AlignRight(int column);
  // Adds a row; missing cells are empty, extra cells are dropped.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // The header and the rows, one line each, without trailing spaces.
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// The number of characters (UTF-8 code points) in `text`.
int DisplayWidth(absl::string_view text);

// TerminalSafe(`text`) cut to at most `width` characters, ending in "…" when cut.
// REQUIRES: width >= 1.
std::string Ellipsize(absl::string_view text, int width);

// A bar of `width` cells filled in proportion to `value` (clamped to [0, 1], rounded to
// the nearest cell), then the value with two decimals: "███████░░░ 0.71".
std::string ValueBar(double value, int width = 10);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TEXT_TABLE_H_
