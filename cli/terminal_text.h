#ifndef POSTURA_CLI_TERMINAL_TEXT_H_
#define POSTURA_CLI_TERMINAL_TEXT_H_

#include <streambuf>
#include <string>

#include "absl/strings/string_view.h"

namespace postura::cli {

// Text that agents, suppliers, case files or the collector chose (evidence details, check
// ids, names, notes) reaches operators' terminals, and a terminal obeys what it is sent: ESC
// and C1 sequences retitle windows, move the cursor, rewrite earlier lines or answer back;
// CR, backspace and DEL overwrite what was printed; bidirectional overrides reorder it. These
// functions make such text inert by showing every control character as an escape:
//
//   CR as \r, any other C0 control as \xHH (ESC is \x1b, BEL \x07, backspace \x08);
//   DEL, C1 controls (U+0080..U+009F), bidirectional controls (U+061C, U+200E, U+200F,
//   U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators (U+2028,
//   U+2029) as \uHHHH;
//   every byte that is not part of valid UTF-8 as U+FFFD.
//
// Everything else, printable non-ASCII letters and symbols included, is kept. The \uHHHH form
// is also a JSON escape for the same character, and those characters can only occur inside
// JSON strings, so JSON text passed through TerminalSafeLines means exactly what it meant
// before (nlohmann::json escapes C0 controls only, and passes DEL, C1 and bidi controls on).
// Applying either function twice changes nothing more than applying it once.
// Pure functions; safe from any thread.

// `text` for one line of output (a table cell, a name in a sentence): newlines and tabs
// become spaces, and every other control character is escaped as above.
std::string TerminalSafe(absl::string_view text);

// `text` for output of several lines: newlines and tabs are kept, and every other control
// character is escaped as above.
std::string TerminalSafeLines(absl::string_view text);

// A stream buffer that passes everything written to it on to `destination` through
// TerminalSafeLines: the one place all of the CLI's standard output and standard error pass
// through. Bytes that may begin a UTF-8 character not yet complete are held back until the
// next write; flushing passes the rest on and flushes `destination`; destruction passes on
// whatever is held (an incomplete character as U+FFFD). `destination` must outlive this
// object. Not thread-safe, like the streams it serves.
class TerminalSafeStreambuf : public std::streambuf {
 public:
  explicit TerminalSafeStreambuf(std::streambuf* destination) : destination_(destination) {}
  ~TerminalSafeStreambuf() override;
  TerminalSafeStreambuf(const TerminalSafeStreambuf&) = delete;
  TerminalSafeStreambuf& operator=(const TerminalSafeStreambuf&) = delete;

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  // Passes on the held bytes, all of them or all but a trailing incomplete character.
  bool Pass(bool everything);

  std::streambuf* destination_;
  std::string held_;
};

}  // namespace postura::cli

#endif  // POSTURA_CLI_TERMINAL_TEXT_H_
