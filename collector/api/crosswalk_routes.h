// GET /api/v1/crosswalk: the crosswalk reports over HTTPS, the same JSON as `postura report
// --framework F [--against G] [--asset A|--org] --format json` (common/crosswalk/
// report_json.h), computed from the live scores with the shipped mapping files. Built by
// the composition root (collector/collector_server.cc). Threading: handlers run on the
// HTTP server's threads; the crosswalks are immutable once built and shared.
#ifndef POSTURA_COLLECTOR_API_CROSSWALK_ROUTES_H_
#define POSTURA_COLLECTOR_API_CROSSWALK_ROUTES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/score_queries.h"
#include "common/crosswalk/control_standing.h"
#include "common/model/catalog.h"

namespace postura::collector {

//   GET /api/v1/crosswalk?framework=F[&against=G][&asset=A]
// One asset (read-scores permission, and the asset visible to the caller) or the
// organisation (read-organization permission). 400 for an unknown or missing framework
// or against its own framework, 404 for an unknown asset, 409 when the shipped mapping
// files do not fit the collector's catalog (a custom one). `queries`, `gate` and `catalog`
// must outlive the routes.
std::vector<HttpRoute> CrosswalkRoutes(const ScoreQueries& queries, const Gatekeeper& gate,
                                       const Catalog& catalog);

// One asset's readings from its score: outcomes not listed do not apply. FailedPrecondition
// naming an outcome the catalog lacks.
absl::StatusOr<crosswalk::AssetReadings> ReadingsOf(const Catalog& catalog,
                                                    const v1::AssetScore& score);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_CROSSWALK_ROUTES_H_
