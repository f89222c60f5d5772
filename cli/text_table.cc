#include "cli/text_table.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "cli/terminal_text.h"

namespace postura::cli {

TextTable::TextTable(std::vector<std::string> headers)
    : headers_(std::move(headers)), right_(headers_.size(), false) {
  for (std::string& header : headers_) header = TerminalSafe(header);
}

TextTable& TextTable::AlignRight(int column) {
  if (column >= 0 && column < static_cast<int>(right_.size())) right_[column] = true;
  return *this;
}

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) cell = TerminalSafe(cell);
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<int> widths(headers_.size(), 0);
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = DisplayWidth(headers_[c]);
    for (const std::vector<std::string>& row : rows_) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  std::string text;
  auto append_line = [&](const std::vector<std::string>& cells) {
    std::string line = " ";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string padding(widths[c] - DisplayWidth(cells[c]), ' ');
      line += " ";
      line += right_[c] ? padding + cells[c] : cells[c] + padding;
      if (c + 1 < cells.size()) line += " ";
    }
    line.erase(line.find_last_not_of(' ') + 1);
    text += line + "\n";
  };
  append_line(headers_);
  for (const std::vector<std::string>& row : rows_) append_line(row);
  return text;
}

int DisplayWidth(absl::string_view text) {
  // Every byte that does not continue a UTF-8 sequence starts a character.
  return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string Ellipsize(absl::string_view raw_text, int width) {
  // Escaped before it is cut, so that the escapes count towards the width.
  const std::string text = TerminalSafe(raw_text);
  if (DisplayWidth(text) <= width) return text;
  std::string cut;
  int characters = 0;
  for (char c : text) {
    const bool starts_character = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_character && ++characters > width - 1) break;
    cut += c;
  }
  return cut + "…";
}

std::string ValueBar(double value, int width) {
  const double clamped = std::isnan(value) ? 0 : std::clamp(value, 0.0, 1.0);
  const int filled = static_cast<int>(std::lround(clamped * width));
  std::string bar;
  for (int i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
  return absl::StrFormat("%s %.2f", bar, value);
}

}  // namespace postura::cli
