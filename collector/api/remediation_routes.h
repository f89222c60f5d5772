#ifndef POSTURA_COLLECTOR_API_REMEDIATION_ROUTES_H_
#define POSTURA_COLLECTOR_API_REMEDIATION_ROUTES_H_

// The HTTP route of remediation time (remediation_queries.h answers it), added to the
// API's routes by the collector beside PastRoutes:
//   GET /api/v1/remediation[?by=outcome|asset|function|supplier][&since=T][&until=T]
//                                                                      Remediation
// Times are Unix nanoseconds or RFC 3339 ("2026-12-01T09:00:00Z"); the window defaults to
// the 90 days before until (default now). Needs kReadScores; a supplier's answer covers
// its own assets only. docs/api.md shows the JSON.
//
// Threading: the handler runs on the HTTP server's threads at once; it only reads.

#include <vector>

#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/remediation_queries.h"

namespace postura::collector {

// The routes; `remediation` and `gate` are borrowed and must outlive them.
std::vector<HttpRoute> RemediationRoutes(const RemediationQueries& remediation,
                                         const Gatekeeper& gate);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REMEDIATION_ROUTES_H_
