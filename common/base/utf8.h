#ifndef POSTURA_COMMON_BASE_UTF8_H_
#define POSTURA_COMMON_BASE_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace postura {

// Text that leaves a host (check details, notes, command output) goes into protobuf
// string fields, which must hold valid UTF-8: a message carrying anything else fails to
// parse on the far side. These helpers make any byte string safe to put there.
// Pure functions; safe from any thread.

// `text` with every invalid UTF-8 sequence (stray continuation bytes, overlong forms,
// surrogates, code points past U+10FFFF, truncated sequences) replaced by U+FFFD.
// Valid input comes back unchanged.
std::string ValidUtf8(absl::string_view text);

// True when `text` is valid UTF-8.
bool IsValidUtf8(absl::string_view text);

// The longest prefix of the valid UTF-8 `text` that is at most `max_bytes` long and ends
// on a character boundary: a multi-byte character is never split.
absl::string_view TruncateUtf8(absl::string_view text, std::size_t max_bytes);

// ValidUtf8 then TruncateUtf8: what a detail field needs.
std::string ValidUtf8Prefix(absl::string_view text, std::size_t max_bytes);

}  // namespace postura

#endif  // POSTURA_COMMON_BASE_UTF8_H_
