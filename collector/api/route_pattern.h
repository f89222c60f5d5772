#ifndef POSTURA_COLLECTOR_API_ROUTE_PATTERN_H_
#define POSTURA_COLLECTOR_API_ROUTE_PATTERN_H_

// Route paths of the HTTP server ("/api/v1/assets/{asset_id}/gaps"): compiled into the
// regular expression httplib matches, and matched segment by segment for the 405 check.
// Only http_server.cc uses it. Pure functions.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura::collector {

// A route pattern as httplib matches it: a regular expression over the whole path, with
// one group per named segment, and the names in group order. Also its segments after the
// leading "/", std::nullopt for a named one.
struct PathPattern {
  std::string regex;
  std::vector<std::string> names;
  std::vector<std::optional<std::string>> segments;
};

// InvalidArgument if `pattern` does not start with "/", or a {name} is not a whole
// segment, not an identifier, or repeated.
absl::StatusOr<PathPattern> CompilePattern(absl::string_view pattern);

// Whether `path` matches a pattern's `segments` as its regex would.
bool SegmentsMatch(const std::vector<std::optional<std::string>>& segments, absl::string_view path);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_ROUTE_PATTERN_H_
