#include "cli/oscal/oscal_ids.h"

#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"

namespace postura::oscal {
namespace {

std::string UuidText(const UuidBytes& bytes) {
  std::string text;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    absl::StrAppendFormat(&text, "%02x", bytes[i]);
  }
  return text;
}

UuidBytes UuidV5Bytes(const UuidBytes& name_space, absl::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  CHECK(context != nullptr) << "out of memory for a SHA-1 context";
  const bool hashed = EVP_DigestInit_ex(context, EVP_sha1(), nullptr) == 1 &&
                      EVP_DigestUpdate(context, name_space.data(), name_space.size()) == 1 &&
                      EVP_DigestUpdate(context, name.data(), name.size()) == 1 &&
                      EVP_DigestFinal_ex(context, digest, &digest_size) == 1;
  EVP_MD_CTX_free(context);
  CHECK(hashed && digest_size >= 16) << "SHA-1 failed";  // Only on a broken libcrypto.
  UuidBytes uuid;
  for (size_t i = 0; i < uuid.size(); ++i) uuid[i] = digest[i];
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x50);  // Version 5.
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);  // RFC 4122 variant.
  return uuid;
}

}  // namespace

std::string UuidV5(const UuidBytes& name_space, absl::string_view name) {
  return UuidText(UuidV5Bytes(name_space, name));
}

std::string StableUuid(absl::string_view name) {
  static const UuidBytes kPostura = UuidV5Bytes(kUrlNamespace, kPosturaNamespace);
  return UuidV5(kPostura, name);
}

std::string OscalTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

Json PosturaProp(absl::string_view name, absl::string_view value) {
  Json prop;
  prop["name"] = std::string(name);
  prop["ns"] = kPosturaNamespace;
  prop["value"] = OscalString(value, "-");
  return prop;
}

std::string OscalString(absl::string_view text, absl::string_view fallback) {
  // The schema's strings are one line: "^\\S(.*\\S)?$" where "." stops at line ends.
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  absl::string_view trimmed = absl::StripAsciiWhitespace(line);
  return std::string(trimmed.empty() ? fallback : trimmed);
}

}  // namespace postura::oscal
