#ifndef POSTURA_COLLECTOR_API_PAST_ROUTES_H_
#define POSTURA_COLLECTOR_API_PAST_ROUTES_H_

// The HTTP routes about the past (past_queries.h answers them), added to the API's routes
// by the collector. Times are Unix nanoseconds or RFC 3339 ("2026-12-01T09:00:00Z"),
// steps durations ("1h", "7d"):
//   GET /api/v1/assets/{asset_id}/history[?since=T&until=T&step=D]   ScoreHistory
//   GET /api/v1/organization/history[?group=IG1|department=D|supplier=S][&since&until&step]
//                                                                     ScoreHistory
//   GET /api/v1/assets/{asset_id}/diff?from=T[&to=T]                  ScoreDiff
//   GET /api/v1/organization/diff?from=T[&to=T]                       ScoreDiff
//   GET /api/v1/history     {"began", "earliest", "now"} of PastQueries::Window, RFC 3339
// and, on the routes of http_api.h, ?as_of=T on /api/v1/assets/{asset_id} and
// /api/v1/organization (AsOfParam).
//
// Threading: the handlers run on the HTTP server's threads at once; they only read.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/past_queries.h"

namespace postura::collector {

// The routes; `past` and `gate` are borrowed and must outlive them.
std::vector<HttpRoute> PastRoutes(const PastQueries& past, const Gatekeeper& gate);

// The time in query parameter `name` as Unix nanoseconds: 0 if absent; InvalidArgument
// naming the parameter if it is neither an integer nor an RFC 3339 time.
absl::StatusOr<int64_t> TimeParam(const HttpRequest& request, const std::string& name);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PAST_ROUTES_H_
