#ifndef POSTURA_COLLECTOR_API_TIER_ROUTES_H_
#define POSTURA_COLLECTOR_API_TIER_ROUTES_H_

// The HTTP route of the implementation tiers (tier_queries.h answers it, as the Tiers gRPC
// service does), added to the API's routes by the collector beside RemediationRoutes:
//   GET /api/v1/tiers                                                  TiersAnswer
// {"tiers": [{"scope", "name", "tier", "tierName", "facts": [...], "figures": {...}}],
//  "asOf", "remediationWindowDays", "trendWindowDays"}. Needs kReadScores; a supplier's
// answer covers its own assets only. docs/api.md shows the JSON; the dashboard's overview
// shows it (web/tiers.js).
//
// Threading: the handler runs on the HTTP server's threads at once; it only reads.

#include <vector>

#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/tier_queries.h"

namespace postura::collector {

// The routes; `tiers` and `gate` are borrowed and must outlive them.
std::vector<HttpRoute> TierRoutes(const TierQueries& tiers, const Gatekeeper& gate);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_TIER_ROUTES_H_
