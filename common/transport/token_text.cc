#include "common/transport/token_text.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "openssl/rand.h"

namespace postura {
namespace {

constexpr absl::string_view kTokenPrefix = "pst";
constexpr std::size_t kIdBytes = 8;       // 16 hex characters.
constexpr std::size_t kSecretBytes = 32;  // 43 base64url characters.
constexpr std::size_t kMaxTokenBytes = 128;

std::string RandomBytes(std::size_t count) {
  std::string bytes(count, '\0');
  CHECK_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)), 1)
      << "no randomness for credentials";
  return bytes;
}

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

bool IsBase64Url(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string NewTokenText() {
  return absl::StrCat(kTokenPrefix, ".", absl::BytesToHexString(RandomBytes(kIdBytes)), ".",
                      absl::WebSafeBase64Escape(RandomBytes(kSecretBytes)));
}

std::optional<TokenParts> ParseTokenText(absl::string_view token) {
  if (token.size() > kMaxTokenBytes) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0] != kTokenPrefix || parts[1].size() != 2 * kIdBytes ||
      !IsLowerHex(parts[1]) || parts[2].empty() || !IsBase64Url(parts[2])) {
    return std::nullopt;
  }
  return TokenParts{parts[1], parts[2]};
}

}  // namespace postura
