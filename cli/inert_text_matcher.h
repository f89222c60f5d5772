#ifndef POSTURA_CLI_INERT_TEXT_MATCHER_H_
#define POSTURA_CLI_INERT_TEXT_MATCHER_H_

// For tests only: a matcher for output that no terminal would act on.

#include <string>

#include "gmock/gmock.h"

namespace postura::cli {

// Matches text holding none of the bytes a terminal acts on: C0 controls other than
// newline and tab (ESC, CR, BEL, backspace...), DEL, and the UTF-8 forms of the C1 controls
// (U+0080..U+009F) and of the bidirectional overrides and isolates (U+202A..U+202E,
// U+2066..U+2069).
MATCHER(IsInertOnATerminal, "holds no raw control character") {
  const std::string text(arg);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = [&](std::size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
    };
    const char* found = nullptr;
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7F) found = "an ASCII control";
    if (byte == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) found = "a C1 control";
    if (byte == 0xE2 && next(1) == 0x80 && next(2) >= 0xAA && next(2) <= 0xAE) found = "a bidi";
    if (byte == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9) found = "a bidi";
    if (found != nullptr) {
      *result_listener << found << " at byte " << i << ": ..."
                       << text.substr(i > 20 ? i - 20 : 0, 40);
      return false;
    }
  }
  return true;
}

}  // namespace postura::cli

#endif  // POSTURA_CLI_INERT_TEXT_MATCHER_H_
