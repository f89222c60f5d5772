// GET /api/v1/crosswalk: the crosswalk reports over HTTPS, the same JSON as `postura report
// --framework F [--against G] [--asset A|--org] --format json` (common/crosswalk/
// report_json.h), computed from the live scores with the shipped mapping files and the
// operator's (config key crosswalk_mappings). Built by the composition root
// (collector/collector_server.cc). Threading: handlers run on the HTTP server's threads;
// the crosswalks are immutable once loaded and shared.
#ifndef POSTURA_COLLECTOR_API_CROSSWALK_ROUTES_H_
#define POSTURA_COLLECTOR_API_CROSSWALK_ROUTES_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/score_queries.h"
#include "common/crosswalk/control_standing.h"
#include "common/crosswalk/crosswalk.h"
#include "common/model/catalog.h"

namespace postura::collector {

// Each framework's crosswalk, or why it has none (a custom catalog the shipped files do not
// fit, and no operator file for it), with the names of the files read.
struct LoadedCrosswalk {
  absl::StatusOr<crosswalk::Crosswalk> crosswalk;
  std::vector<std::string> sources;
};
using CrosswalkSet = std::map<crosswalk::Framework, LoadedCrosswalk>;

// The shipped crosswalks, each with the operator's files of its framework added.
// InvalidArgument naming the file and line for a bad file, NotFound for an unreadable one.
absl::StatusOr<std::shared_ptr<const CrosswalkSet>> LoadCrosswalks(
    const Catalog& catalog, const std::vector<crosswalk::MappingFile>& files);

//   GET /api/v1/crosswalk?framework=F[&against=G][&asset=A]
// One asset (read-scores permission, and the asset visible to the caller) or the
// organisation (read-organization permission). 400 for an unknown or missing framework
// or against its own framework, 404 for an unknown asset, 409 when the shipped mapping
// files do not fit the collector's catalog (a custom one). `queries`, `gate` and `catalog`
// must outlive the routes.
std::vector<HttpRoute> CrosswalkRoutes(const ScoreQueries& queries, const Gatekeeper& gate,
                                       const Catalog& catalog,
                                       std::shared_ptr<const CrosswalkSet> crosswalks);

// One asset's readings from its score: outcomes not listed do not apply. FailedPrecondition
// naming an outcome the catalog lacks.
absl::StatusOr<crosswalk::AssetReadings> ReadingsOf(const Catalog& catalog,
                                                    const v1::AssetScore& score);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_CROSSWALK_ROUTES_H_
