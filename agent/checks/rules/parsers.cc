#include "agent/checks/rules/parsers.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace postura::agent {
namespace {

std::vector<absl::string_view> Lines(absl::string_view text) {
  return absl::StrSplit(text, '\n', absl::SkipWhitespace());
}

std::optional<int64_t> OptionalNumber(absl::string_view field) {
  int64_t value = 0;
  if (field.empty() || !absl::SimpleAtoi(field, &value)) return std::nullopt;
  return value;
}

// Debian's character order: '~' before everything, even the end; letters before
// non-letters.
int DebianOrder(char c) {
  if (absl::ascii_isdigit(c)) return 0;
  if (absl::ascii_isalpha(c)) return c;
  if (c == '~') return -1;
  if (c != 0) return c + 256;
  return 0;
}

int CompareVersionPart(absl::string_view a, absl::string_view b) {
  size_t i = 0, j = 0;
  auto at = [](absl::string_view s, size_t k) { return k < s.size() ? s[k] : '\0'; };
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !absl::ascii_isdigit(a[i])) ||
           (j < b.size() && !absl::ascii_isdigit(b[j]))) {
      int ac = DebianOrder(at(a, i)), bc = DebianOrder(at(b, j));
      if (ac != bc) return ac - bc;
      ++i, ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    int first_diff = 0;
    while (absl::ascii_isdigit(at(a, i)) && absl::ascii_isdigit(at(b, j))) {
      if (first_diff == 0) first_diff = at(a, i) - at(b, j);
      ++i, ++j;
    }
    if (absl::ascii_isdigit(at(a, i))) return 1;
    if (absl::ascii_isdigit(at(b, j))) return -1;
    if (first_diff != 0) return first_diff;
  }
  return 0;
}

struct DebianVersion {
  int64_t epoch = 0;
  absl::string_view upstream, revision;
};

DebianVersion SplitVersion(absl::string_view text) {
  DebianVersion version;
  if (size_t colon = text.find(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(text.substr(0, colon), &version.epoch)) version.epoch = 0;
    text.remove_prefix(colon + 1);
  }
  version.upstream = text;
  if (size_t dash = text.rfind('-'); dash != absl::string_view::npos) {
    version.upstream = text.substr(0, dash);
    version.revision = text.substr(dash + 1);
  }
  return version;
}

// Decodes the kernel's "\040"-style escapes in mount table fields.
std::string DecodeOctalEscapes(absl::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    bool escape = field[i] == '\\';
    for (size_t k = 1; escape && k <= 3; ++k) {
      escape = i + k < field.size() && field[i + k] >= '0' && field[i + k] <= '7';
    }
    if (!escape) {
      out.push_back(field[i]);
      continue;
    }
    out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                    (field[i + 3] - '0')));
    i += 3;
  }
  return out;
}

}  // namespace

std::optional<std::string> FindKeyValue(absl::string_view text, absl::string_view key,
                                        char separator, bool first_wins) {
  std::optional<std::string> found;
  for (absl::string_view line : Lines(text)) {
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    size_t split = separator == 0 ? line.find_first_of(" \t") : line.find(separator);
    if (split == absl::string_view::npos) continue;
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, split));
    if (!absl::EqualsIgnoreCase(name, key)) continue;
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(split + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    found = std::string(value);
    if (first_wins) break;
  }
  return found;
}

std::vector<PasswdEntry> ParsePasswd(absl::string_view text) {
  std::vector<PasswdEntry> entries;
  for (absl::string_view line : Lines(text)) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ':');
    PasswdEntry entry;
    if (f.size() < 4 || f[0].empty() || !absl::SimpleAtoi(f[2], &entry.uid) ||
        !absl::SimpleAtoi(f[3], &entry.gid)) {
      continue;
    }
    entry.name = std::string(f[0]);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<GroupEntry> ParseGroup(absl::string_view text) {
  std::vector<GroupEntry> entries;
  for (absl::string_view line : Lines(text)) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ':');
    GroupEntry entry;
    if (f.size() < 3 || f[0].empty() || !absl::SimpleAtoi(f[2], &entry.gid)) continue;
    entry.name = std::string(f[0]);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<ShadowEntry> ParseShadow(absl::string_view text) {
  std::vector<ShadowEntry> entries;
  for (absl::string_view line : Lines(text)) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ':');
    if (f.size() < 7 || f[0].empty()) continue;
    entries.push_back({.name = std::string(f[0]),
                       .password = std::string(f[1]),
                       .min_days = OptionalNumber(f[3]),
                       .max_days = OptionalNumber(f[4]),
                       .warn_days = OptionalNumber(f[5]),
                       .inactive_days = OptionalNumber(f[6])});
  }
  return entries;
}

bool IsUsablePasswordHash(absl::string_view field) {
  return !field.empty() && field[0] != '!' && field[0] != '*';
}

std::vector<DpkgPackage> ParseDpkgStatus(absl::string_view text) {
  std::vector<DpkgPackage> packages;
  for (absl::string_view stanza : absl::StrSplit(text, "\n\n", absl::SkipWhitespace())) {
    DpkgPackage package;
    for (absl::string_view line : absl::StrSplit(stanza, '\n')) {
      if (absl::ConsumePrefix(&line, "Package:")) {
        package.name = std::string(absl::StripAsciiWhitespace(line));
      } else if (absl::ConsumePrefix(&line, "Version:")) {
        package.version = std::string(absl::StripAsciiWhitespace(line));
      } else if (absl::ConsumePrefix(&line, "Status:")) {
        package.installed = absl::StripAsciiWhitespace(line) == "install ok installed";
      }
    }
    if (!package.name.empty()) packages.push_back(std::move(package));
  }
  return packages;
}

int CompareDebianVersions(absl::string_view a, absl::string_view b) {
  DebianVersion va = SplitVersion(a), vb = SplitVersion(b);
  if (va.epoch != vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  if (int c = CompareVersionPart(va.upstream, vb.upstream); c != 0) return c;
  return CompareVersionPart(va.revision, vb.revision);
}

std::vector<SocketEntry> ParseProcNet(absl::string_view text) {
  std::vector<SocketEntry> sockets;
  for (absl::string_view line : Lines(text)) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 4 || !absl::EndsWith(f[0], ":")) continue;  // The header or junk.
    size_t colon = f[1].find(':');
    SocketEntry entry;
    if (colon == absl::string_view::npos ||
        !absl::SimpleHexAtoi(f[1].substr(colon + 1), &entry.port) ||
        !absl::SimpleHexAtoi(f[3], &entry.state)) {
      continue;
    }
    entry.local_address = std::string(f[1].substr(0, colon));
    sockets.push_back(std::move(entry));
  }
  return sockets;
}

bool IsLoopbackAddress(absl::string_view hex) {
  if (hex.size() == 8) return absl::EndsWithIgnoreCase(hex, "7F");
  if (hex.size() != 32) return false;
  if (hex == "00000000000000000000000001000000") return true;  // ::1
  return absl::StartsWithIgnoreCase(hex, "0000000000000000FFFF0000") &&
         absl::EndsWithIgnoreCase(hex, "7F");  // ::ffff:127.x.y.z
}

std::vector<MountEntry> ParseMounts(absl::string_view text) {
  std::vector<MountEntry> mounts;
  for (absl::string_view line : Lines(text)) {
    line = absl::StripLeadingAsciiWhitespace(line);
    if (absl::StartsWith(line, "#")) continue;
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.size() < 4) continue;
    mounts.push_back({.source = DecodeOctalEscapes(f[0]),
                      .mount_point = DecodeOctalEscapes(f[1]),
                      .fs_type = std::string(f[2]),
                      .options = absl::StrSplit(f[3], ',', absl::SkipEmpty())});
  }
  return mounts;
}

std::optional<int64_t> ParseStatusRealUid(absl::string_view text) {
  for (absl::string_view line : Lines(text)) {
    if (!absl::ConsumePrefix(&line, "Uid:")) continue;
    std::vector<absl::string_view> ids =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    int64_t uid = 0;
    if (ids.empty() || !absl::SimpleAtoi(ids[0], &uid)) return std::nullopt;
    return uid;
  }
  return std::nullopt;
}

}  // namespace postura::agent
