#include "cli/terminal_text.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace postura::cli {
namespace {

constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The number of bytes of the UTF-8 character that `lead` begins, or 0 if no valid
// character begins with it.
std::size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

struct Character {
  char32_t code_point = 0;
  std::size_t length = 0;  // 0: the bytes at the start are not valid UTF-8.
};

// The character at the start of the non-empty `text` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF).
Character DecodeFirst(absl::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  const std::size_t length = SequenceLength(lead);
  if (length == 0 || text.size() < length) return {};
  if (length == 1) return {lead, 1};
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead == 0xE0) min_second = 0xA0;  // Overlong.
  if (lead == 0xED) max_second = 0x9F;  // Surrogates.
  if (lead == 0xF0) min_second = 0x90;  // Overlong.
  if (lead == 0xF4) max_second = 0x8F;  // Past U+10FFFF.
  if (byte(1) < min_second || byte(1) > max_second) return {};
  char32_t code_point = lead & (0xFF >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    if (!IsContinuation(byte(i))) return {};
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  return {code_point, length};
}

// True for the characters shown as \uHHHH: DEL, C1 controls, bidirectional controls and
// the line and paragraph separators.
bool IsEscapedAboveAscii(char32_t c) {
  return c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

std::string Escape(absl::string_view text, bool keep_line_breaks) {
  std::string safe;
  safe.reserve(text.size());
  while (!text.empty()) {
    const Character character = DecodeFirst(text);
    if (character.length == 0) {
      safe.append(kReplacement.data(), kReplacement.size());
      text.remove_prefix(1);
      continue;
    }
    const char32_t c = character.code_point;
    if (c == '\n' || c == '\t') {
      safe += keep_line_breaks ? static_cast<char>(c) : ' ';
    } else if (c == '\r') {
      safe += "\\r";
    } else if (c < 0x20) {
      absl::StrAppendFormat(&safe, "\\x%02x", static_cast<uint32_t>(c));
    } else if (IsEscapedAboveAscii(c)) {
      absl::StrAppendFormat(&safe, "\\u%04x", static_cast<uint32_t>(c));
    } else {
      safe.append(text.data(), character.length);
    }
    text.remove_prefix(character.length);
  }
  return safe;
}

// The length of `text` without a trailing character that more bytes may still complete.
std::size_t CompletePrefixLength(absl::string_view text) {
  const std::size_t size = text.size();
  for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
    const unsigned char byte = static_cast<unsigned char>(text[size - back]);
    if (IsContinuation(byte)) continue;
    // The last byte that is not a continuation: does its character need more?
    return SequenceLength(byte) > back ? size - back : size;
  }
  return size;
}

}  // namespace

std::string TerminalSafe(absl::string_view text) {
  return Escape(text, /*keep_line_breaks=*/false);
}

std::string TerminalSafeLines(absl::string_view text) {
  return Escape(text, /*keep_line_breaks=*/true);
}

TerminalSafeStreambuf::~TerminalSafeStreambuf() {
  Pass(/*everything=*/true);
  destination_->pubsync();
}

TerminalSafeStreambuf::int_type TerminalSafeStreambuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  held_ += traits_type::to_char_type(c);
  return Pass(/*everything=*/false) ? c : traits_type::eof();
}

std::streamsize TerminalSafeStreambuf::xsputn(const char* s, std::streamsize n) {
  held_.append(s, static_cast<std::size_t>(n));
  return Pass(/*everything=*/false) ? n : 0;
}

int TerminalSafeStreambuf::sync() {
  if (!Pass(/*everything=*/false)) return -1;
  return destination_->pubsync();
}

bool TerminalSafeStreambuf::Pass(bool everything) {
  const std::size_t length = everything ? held_.size() : CompletePrefixLength(held_);
  if (length == 0) return true;
  const std::string safe = TerminalSafeLines(absl::string_view(held_).substr(0, length));
  held_.erase(0, length);
  const auto size = static_cast<std::streamsize>(safe.size());
  return destination_->sputn(safe.data(), size) == size;
}

}  // namespace postura::cli
