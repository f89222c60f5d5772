// The HTTP routes of the profile (profile_queries.h answers them), added to the API's
// routes by the composition root (collector/collector_server.cc):
//   GET /api/v1/assets/{asset_id}/profile    Profile of one asset
//   GET /api/v1/profile                      Profile of every asset the caller may see,
//                                            with the organisation's rollup and roadmap
// Both need kReadScores; another tenant's asset is 404 as if absent. The JSON is the
// Profile message's (docs/api.md, "Profile and roadmap").
//
// Threading: handlers run on the HTTP server's threads; they only read.
#ifndef POSTURA_COLLECTOR_API_PROFILE_ROUTES_H_
#define POSTURA_COLLECTOR_API_PROFILE_ROUTES_H_

#include <vector>

#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/profile_queries.h"

namespace postura::collector {

// The routes; `profiles` and `gate` are borrowed and must outlive them.
std::vector<HttpRoute> ProfileRoutes(const ProfileQueries& profiles, const Gatekeeper& gate);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PROFILE_ROUTES_H_
