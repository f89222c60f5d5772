#ifndef POSTURA_COLLECTOR_SCORING_SCORE_WIRE_H_
#define POSTURA_COLLECTOR_SCORING_SCORE_WIRE_H_

// Live scoring's translations to and from the wire: a cell's level from its sources'
// reports (as stored), and an asset's summary and the organisation's rollups from the
// score table (as answered). LiveScorer calls them with its table lock held; tests call
// CellFromSources to recompute a cell from the store.
//
// Threading: plain functions over the arguments; the caller keeps `table` from changing
// during a call.

#include <cstdint>
#include <string>
#include <vector>

#include "collector/scoring/score_table.h"
#include "common/model/catalog.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// The level a report carries; unknown values clamp to DLI_0 or DLI_100.
Level LevelFromWire(v1::Level level);

// The level of one (asset, outcome) from its sources' current reports at `now`: the
// minimum over the live ones (expires_at after now); DLI_0 marked stale when every report
// expired, or marked "no evidence" when there is none. The deciding evidence is attested
// only if every live report at the minimum level is attested.
Cell CellFromSources(const std::vector<v1::SourceState>& sources, int64_t now_unix_nanos);

// The catalog's outcome ids, sorted: the outcomes whose state scoring reads
// (EvidenceStore::ReadAssetSources).
std::vector<std::string> SortedOutcomeIds(const Catalog& catalog);

// The summary of the asset in `slot` (a live slot of `table`).
v1::AssetSummary SummaryFromTable(const ScoreTable& table, int slot);

// The organisation's score: indexes, per-group, department, supplier, function, category
// and functional-area rollups, from `table`'s rollups (departments and suppliers sorted by
// id). `catalog` is the table's.
v1::OrganizationScore OrganizationFromTable(const ScoreTable& table, const Catalog& catalog);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_SCORE_WIRE_H_
