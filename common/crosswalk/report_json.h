// The crosswalk reports as JSON, one form for the CLI (`postura report --framework ...
// --format json`, cli/crosswalk_text.cc) and the HTTPS API (`GET /api/v1/crosswalk`,
// collector/api/crosswalk_routes.cc). Threading: pure functions; any thread.
#ifndef POSTURA_COMMON_CROSSWALK_REPORT_JSON_H_
#define POSTURA_COMMON_CROSSWALK_REPORT_JSON_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/crosswalk/alignment.h"
#include "common/crosswalk/control_standing.h"
#include "common/model/catalog.h"
#include "nlohmann/json.hpp"

namespace postura::crosswalk {

// The rule behind each status, for people (docs/metrics.md).
inline constexpr absl::string_view kStatusRule =
    "A control's status is the lowest level among its mapped outcomes that have live "
    "evidence, over the assets in scope; coverage is the share of applicable (asset, mapped "
    "outcome) pairs with live evidence. Below 100% coverage the status is marked incomplete: "
    "it is an upper bound, as an outcome without live evidence may be lower. Outcomes that do "
    "not apply to an asset's implementation group are left out (docs/metrics.md).";

// What a crosswalk report was made from.
struct ReportHeader {
  absl::Time generated_at;
  std::string collector;  // The collector's address, as the reader reached it.
  std::string asset_id;   // Empty for the organisation.
  int asset_count = 0;    // Assets in scope.
  // The mapping files read, per framework of the report ("builtin uleo-to-csf2.0.tsv", ...).
  std::vector<std::string> framework_sources;
  std::vector<std::string> against_sources;
};

// {"framework", "title", "generatedAt", "collector", "scope", "mappingFiles", "rule",
//  "summary", "controls", "unmappedControls", "outcomesNotMapped"}.
nlohmann::ordered_json FrameworkStandingDocument(const ReportHeader& header, const Catalog& catalog,
                                                 const FrameworkStanding& standing);
// {"framework", "against", "generatedAt", "collector", "scope", "mappingFiles", "rule",
//  "shared", "onlyInFramework", "onlyInAgainst"}.
nlohmann::ordered_json AlignmentDocument(const ReportHeader& header, const Catalog& catalog,
                                         const Alignment& alignment);

}  // namespace postura::crosswalk

#endif  // POSTURA_COMMON_CROSSWALK_REPORT_JSON_H_
