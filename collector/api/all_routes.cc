#include "collector/api/all_routes.h"

#include <utility>

#include "collector/api/past_routes.h"
#include "collector/api/remediation_routes.h"
#include "collector/api/requests_routes.h"
#include "collector/api/sector_routes.h"
#include "collector/api/tier_routes.h"

namespace postura::collector {

void AppendRoutes(std::vector<HttpRoute>& routes, std::vector<HttpRoute> more) {
  for (HttpRoute& route : more) routes.push_back(std::move(route));
}

std::vector<HttpRoute> ApiAndPastRoutes(const HttpApiSources& sources,
                                        const RemediationQueries& remediation,
                                        const TierQueries& tiers, RequestBook& requests,
                                        const CredentialStore& credentials,
                                        std::shared_ptr<const CrosswalkSet> crosswalks) {
  std::vector<HttpRoute> routes = ApiRoutes(sources);
  AppendRoutes(routes, PastRoutes(*sources.past, *sources.gate));
  AppendRoutes(routes, RemediationRoutes(remediation, *sources.gate));
  AppendRoutes(routes, TierRoutes(tiers, *sources.gate));
  AppendRoutes(routes, CrosswalkRoutes(*sources.queries, *sources.gate, *sources.catalog,
                                       std::move(crosswalks)));
  AppendRoutes(routes, RequestsRoutes(requests, *sources.gate, credentials));
  if (sources.sector_feed != nullptr) {
    AppendRoutes(routes, SectorRoutes(*sources.sector_feed, *sources.gate, *sources.catalog));
  }
  return routes;
}

}  // namespace postura::collector
