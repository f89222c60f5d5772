#include "cli/markdown_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/terminal_text.h"

namespace postura::cli {

std::string MarkdownCell(absl::string_view raw) {
  std::string text = TerminalSafe(raw);
  for (char& c : text) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return text;
}

std::string MarkdownRow(const std::vector<std::string>& cells) {
  std::vector<std::string> escaped;
  for (const std::string& cell : cells) escaped.push_back(MarkdownCell(cell));
  return absl::StrCat("| ", absl::StrJoin(escaped, " | "), " |\n");
}

std::string MarkdownHeader(const std::vector<std::string>& cells) {
  return MarkdownRow(cells) + MarkdownRow(std::vector<std::string>(cells.size(), "---"));
}

}  // namespace postura::cli
