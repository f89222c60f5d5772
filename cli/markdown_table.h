// Markdown tables for the reports people file and later `cat` (cli/report_command.cc,
// cli/crosswalk_text.cc): every cell goes through TerminalSafe (cli/terminal_text.h), and
// pipes, which would split a cell, become spaces. Threading: pure functions; any thread.
#ifndef POSTURA_CLI_MARKDOWN_TABLE_H_
#define POSTURA_CLI_MARKDOWN_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace postura::cli {

// One cell's text: control characters escaped, pipes made spaces.
std::string MarkdownCell(absl::string_view raw);
// "| a | b |\n".
std::string MarkdownRow(const std::vector<std::string>& cells);
// The header row and its "| --- |" line.
std::string MarkdownHeader(const std::vector<std::string>& cells);

}  // namespace postura::cli

#endif  // POSTURA_CLI_MARKDOWN_TABLE_H_
