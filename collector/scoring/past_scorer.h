#ifndef POSTURA_COLLECTOR_SCORING_PAST_SCORER_H_
#define POSTURA_COLLECTOR_SCORING_PAST_SCORER_H_

// Scores as they were at a past instant, recomputed from the evidence log with live
// scoring's own model: at instant T, each source's report is the last one the collector
// had received by T (as the state family held it then), expiry is applied as of T
// (CellFromSources), and a fresh ScoreTable computes the values, dependency adjustment,
// targets and rollups. The API's as-of and diff answers use it.
//
// What it cannot know: registry changes are not historised, so the assets' current
// definitions (group, department, supplier, dependencies, targets) are applied to the
// past; evidence deleted by retention no longer counts (docs/operators.md). A report
// counts from its receipt, a few milliseconds before live scoring applied it. Cost per
// asset: one read of its current state, and for each outcome with a source that reported
// after the instant, a backward read of that outcome's log from the instant until each
// such source's earlier report is found (past_scorer.cc says why that is exact). It reads
// an outcome's whole log only for a source that first reported after the instant.
//
// Threading: const and thread-safe (the store is).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/scoring/live_scorer.h"
#include "collector/scoring/score_table.h"
#include "collector/scoring/score_wire.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// One asset at a past instant: its snapshot (taken_at_unix_nanos is the instant) and
// each source's report current then, by outcome id, agent and check (like the state).
struct PastAsset {
  AssetSnapshot snapshot;
  std::vector<v1::SourceState> sources;
};

// The organisation at a past instant, with every asset's summary (sorted by id).
struct PastOrganization {
  v1::OrganizationScore score;
  std::vector<v1::AssetSummary> summaries;
};

// `store` and `catalog` are borrowed and must outlive the scorer.
class PastScorer {
 public:
  PastScorer(const EvidenceStore& store, const Catalog& catalog)
      : store_(store), catalog_(catalog), outcome_ids_(SortedOutcomeIds(catalog)) {}

  // The asset `definitions.back()` at `at`; `definitions` holds it and everything it
  // depends on, dependencies first (LiveScorer::Definitions). REQUIRES: not empty.
  absl::StatusOr<PastAsset> Asset(const std::vector<AssetDefinition>& definitions,
                                  absl::Time at) const;
  // Every asset of `definitions` (dependencies first) at `at`.
  absl::StatusOr<PastOrganization> Organization(const std::vector<AssetDefinition>& definitions,
                                                absl::Time at) const;

 private:
  // Fills a table with `definitions` as of `at`; the sources of `keep_sources_of`, if
  // given, go to `sources`.
  // With `whole_state`, reads the state in one pass (for many assets); otherwise each
  // asset's on its own (for a few).
  absl::Status Fill(ScoreTable& table, const std::vector<AssetDefinition>& definitions, int64_t at,
                    bool whole_state, const std::string* keep_sources_of,
                    std::vector<v1::SourceState>* sources) const;
  // Sets the asset's cells from its evidence log as of `at`, read through `cursor` (one
  // for all the assets of a Fill).
  // `current` is the asset's state (every source's current report).
  absl::Status FillAsset(ScoreTable& table, EvidenceCursor& cursor, int slot,
                         const std::string& asset_id, int64_t at,
                         std::vector<v1::SourceState> current,
                         std::vector<v1::SourceState>* sources) const;
  // Sets the cells from each source's report at `at` (any order; sorted here, then moved
  // to `sources` if given).
  void SetCells(ScoreTable& table, int slot, int64_t at, std::vector<v1::SourceState>& reports,
                std::vector<v1::SourceState>* sources) const;

  const EvidenceStore& store_;
  const Catalog& catalog_;
  const std::vector<std::string> outcome_ids_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_PAST_SCORER_H_
