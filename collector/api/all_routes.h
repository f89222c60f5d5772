#ifndef POSTURA_COLLECTOR_API_ALL_ROUTES_H_
#define POSTURA_COLLECTOR_API_ALL_ROUTES_H_

// The HTTPS API's routes gathered for the composition root (collector_server.cc): those
// of http_api.h, about the past (past_routes.h), remediation time (remediation_routes.h),
// tiers (tier_routes.h), crosswalk reports (crosswalk_routes.h), evidence requests
// (requests_routes.h) and, on a sector collector, the sector's (sector_routes.h).
// Everything borrowed must outlive the routes.

#include <memory>
#include <vector>

#include "collector/access/credential_store.h"
#include "collector/api/crosswalk_routes.h"
#include "collector/api/http_api.h"
#include "collector/api/remediation_queries.h"
#include "collector/api/tier_queries.h"
#include "collector/requests/request_book.h"

namespace postura::collector {

// Moves `more` to the end of `routes`.
void AppendRoutes(std::vector<HttpRoute>& routes, std::vector<HttpRoute> more);

std::vector<HttpRoute> ApiAndPastRoutes(const HttpApiSources& sources,
                                        const RemediationQueries& remediation,
                                        const TierQueries& tiers, RequestBook& requests,
                                        const CredentialStore& credentials,
                                        std::shared_ptr<const CrosswalkSet> crosswalks);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_ALL_ROUTES_H_
