#include "collector/api/route_pattern.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace postura::collector {
namespace {

bool IsParamName(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

std::string EscapeRegex(absl::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (absl::StrContains("\\^$.|?*+()[]{}", c)) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

absl::StatusOr<PathPattern> CompilePattern(absl::string_view pattern) {
  if (!absl::ConsumePrefix(&pattern, "/")) {
    return absl::InvalidArgumentError(absl::StrCat("route path '", pattern, "' must start with /"));
  }
  PathPattern out;
  for (absl::string_view segment : absl::StrSplit(pattern, '/')) {
    absl::StrAppend(&out.regex, "/");
    if (!absl::ConsumePrefix(&segment, "{")) {
      if (absl::StrContains(segment, '{') || absl::StrContains(segment, '}')) {
        return absl::InvalidArgumentError(
            absl::StrCat("route path '/", pattern, "': a {name} must be a whole segment"));
      }
      absl::StrAppend(&out.regex, EscapeRegex(segment));
      out.segments.emplace_back(segment);
      continue;
    }
    if (!absl::ConsumeSuffix(&segment, "}") || !IsParamName(segment) ||
        std::find(out.names.begin(), out.names.end(), segment) != out.names.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "route path '/", pattern, "': bad or repeated segment name '", segment, "'"));
    }
    out.names.emplace_back(segment);
    out.segments.emplace_back(std::nullopt);
    absl::StrAppend(&out.regex, "([^/]+)");
  }
  return out;
}

bool SegmentsMatch(const std::vector<std::optional<std::string>>& segments,
                   absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.size() != segments.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (segments[i].has_value() ? parts[i] != *segments[i] : parts[i].empty()) return false;
  }
  return true;
}

}  // namespace postura::collector
