#ifndef POSTURA_COMMON_TRANSPORT_TOKEN_TEXT_H_
#define POSTURA_COMMON_TRANSPORT_TOKEN_TEXT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace postura {

// The text of a credential (docs/security.md): "pst.<id>.<secret>", the id 16 lowercase
// hex characters, the secret 32 random bytes in base64url. The collector makes the texts
// it hands out; an agent makes its own before it enrolls, so that it holds its credential
// on disk before the enrollment token's use is spent. Safe from any thread.

// The parts of a token text, viewing into it.
struct TokenParts {
  absl::string_view id;
  absl::string_view secret;
};

// A fresh token text from the operating system's randomness (fatal if it has none: a
// guessable secret must never be handed out).
std::string NewTokenText();

// Splits a token text; nullopt if `token` does not have the shape above.
std::optional<TokenParts> ParseTokenText(absl::string_view token);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_TOKEN_TEXT_H_
