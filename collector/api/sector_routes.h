// GET /api/v1/sector...: a sector collector's figures over HTTPS (docs/api.md, docs/
// scale.md "Sector federation"), read from the sector feed's view. Routes exist only on a
// collector in sector mode. The overview and the outcome spreads need the
// read-organization permission (the sector's own staff: admin, operator and auditor
// tokens of the sector collector). A member organisation reads its own standing only,
// with a supplier-role token of the tenant named as the organisation ("tenancy as
// today": another organisation's standing is NotFound to it). Threading: handlers run
// on the HTTP server's threads; the feed is thread-safe.
#ifndef POSTURA_COLLECTOR_API_SECTOR_ROUTES_H_
#define POSTURA_COLLECTOR_API_SECTOR_ROUTES_H_

#include <vector>

#include "absl/time/time.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/sector/sector_feed.h"
#include "common/model/catalog.h"
#include "postura/v1/sector.pb.h"

namespace postura::collector {

//   GET /api/v1/sector                          SectorOverview: the index, every
//                                               organisation, degraded outcomes, the feed
//   GET /api/v1/sector/outcomes/{outcome_id}    SectorOutcomeSpread (404: unknown outcome)
//   GET /api/v1/sector/organisations/{id}       SectorStanding (404: no such organisation
//                                               with assets, or another's)
// `feed` and `catalog` must outlive the routes.
std::vector<HttpRoute> SectorRoutes(const SectorFeed& feed, const Gatekeeper& gate,
                                    const Catalog& catalog);

// The answers, from a view, for the routes and their tests.
v1::SectorOverview OverviewOf(const SectorView& view, const Catalog& catalog, absl::Time now);
v1::SectorOutcomeSpread SpreadOf(const SectorView& view, const Catalog& catalog, int outcome);
v1::SectorStanding StandingOf(const SectorPosition& position, const Catalog& catalog,
                              const std::string& organisation_id);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_SECTOR_ROUTES_H_
