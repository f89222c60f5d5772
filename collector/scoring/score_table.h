#ifndef POSTURA_COLLECTOR_SCORING_SCORE_TABLE_H_
#define POSTURA_COLLECTOR_SCORING_SCORE_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "collector/scoring/rollups.h"
#include "common/model/asset_values.h"
#include "common/model/catalog.h"
#include "common/model/target.h"
#include "postura/v1/admin.pb.h"

namespace postura::collector {

// Where an outcome's level comes from (METRICS.md section 6).
enum class CellState : uint8_t { kNoEvidence = 0, kLive = 1, kStale = 2 };

// The current level of one (asset, outcome): the minimum over its live sources, or DLI_0
// when stale or without evidence. `attested` tells the kind of the deciding evidence.
struct Cell {
  Level level = Level::kDli0;
  CellState state = CellState::kNoEvidence;
  bool attested = false;

  friend bool operator==(const Cell&, const Cell&) = default;
};

// The registry's view of an asset, as scoring needs it.
struct AssetDefinition {
  std::string id;
  ImplementationGroup group = ImplementationGroup::kIG1;
  std::string department_id;  // Empty for none.
  std::string supplier_id;    // Empty for none.
  std::vector<std::string> dependency_ids;
  std::vector<Target> targets;
};
AssetDefinition DefinitionFromProto(const v1::Asset& asset, std::vector<Target> targets);

// The headline figures of one asset.
struct AssetHeadline {
  double value = 0;           // A.
  double adjusted_value = 0;  // A_eff.
  int limiting_slot = -1;     // The asset that sets A_eff (itself or a dependency).
  int live = 0, stale = 0, no_evidence = 0, attested = 0;
  int applicable = 0;
  bool targets_met = true;
  double target_coverage = 1;
  int64_t last_evidence_unix_nanos = 0;
};

// The live scores of every asset, kept exact and incremental: the dense table of outcome
// cells (one byte per asset and catalog outcome), each asset's function and asset sums,
// dependency-adjusted values and the organisation rollups. Setting a cell costs the same
// whatever the number of assets (plus the assets that depend on the changed one). Not
// thread-safe. `catalog` is borrowed and must outlive the table.
class ScoreTable {
 public:
  explicit ScoreTable(const Catalog& catalog);

  // Creates the asset, or updates its group, department, supplier, dependencies and
  // targets, keeping its cells. REQUIRES: every dependency exists and no cycle forms.
  void PutAsset(const AssetDefinition& definition);
  // Drops the asset and its cells. REQUIRES: no asset depends on it. No-op if absent.
  void RemoveAsset(absl::string_view asset_id);

  std::optional<int> FindSlot(absl::string_view asset_id) const;
  // Slots of all live assets, in no particular order.
  std::vector<int> Slots() const;
  int asset_count() const { return static_cast<int>(index_.size()); }

  Cell cell(int slot, int outcome) const;
  // Sets one cell and updates every figure that depends on it. Marks the asset (and the
  // assets whose adjusted value moves with it) changed when a figure changed.
  void SetCell(int slot, int outcome, Cell cell);
  // Records that evidence observed at `unix_nanos` was applied to the asset.
  void NoteEvidence(int slot, int64_t unix_nanos);

  // Assets whose figures changed since the last call, each once.
  std::vector<int> TakeChanged();

  const std::string& id(int slot) const { return slots_[slot].id; }
  ImplementationGroup group(int slot) const { return slots_[slot].group; }
  // Empty when the asset has none.
  const std::string& department_id(int slot) const;
  const std::string& supplier_id(int slot) const;
  // The interned index (into department_ids / supplier_ids and the Rollups sets); nullopt
  // when the asset has none.
  std::optional<int> department_index(int slot) const;
  std::optional<int> supplier_index(int slot) const;
  const std::vector<int>& dependencies(int slot) const { return slots_[slot].dependencies; }
  const std::vector<Target>& targets(int slot) const { return slots_[slot].targets; }
  const ScoringModel& model(int slot) const { return catalog_.model(slots_[slot].group); }
  AssetHeadline Headline(int slot) const;
  // Category, function and asset values, recomputed exactly from the cells.
  AssetValues Values(int slot) const;
  std::vector<Level> Levels(int slot) const;

  const Rollups& rollups() const { return rollups_; }
  // Interned department / supplier ids, by the index Rollups uses.
  const std::vector<std::string>& department_ids() const { return department_ids_; }
  const std::vector<std::string>& supplier_ids() const { return supplier_ids_; }

  // Bytes of memory the scoring state holds (tables, per-asset records, indexes).
  size_t MemoryBytes() const;

 private:
  // One asset. Kept small: 10,000 of them are part of the scoring state's budget.
  struct Slot {
    std::string id;  // Empty when the slot is free.
    ImplementationGroup group = ImplementationGroup::kIG1;
    int department = -1, supplier = -1;
    std::vector<int> dependencies, dependents;
    std::vector<Target> targets;
    int32_t asset_units = 0;
    int16_t live = 0, stale = 0, attested = 0;
    double adjusted_value = 0;
    int limiting_slot = -1;
    bool targets_met = true;
    float target_coverage = 1;
    int64_t last_evidence_unix_nanos = 0;
  };

  uint8_t& cell_byte(int slot, int outcome) {
    return cells_[static_cast<size_t>(slot) * outcome_count_ + outcome];
  }
  uint8_t cell_byte(int slot, int outcome) const {
    return cells_[static_cast<size_t>(slot) * outcome_count_ + outcome];
  }
  int32_t* function_units(int slot) {
    return &function_units_[static_cast<size_t>(slot) * function_count_];
  }

  int AllocateSlot();
  int Intern(std::vector<std::string>& ids, absl::flat_hash_map<std::string, int>& index,
             const std::string& id);
  AssetContribution Contribution(int slot) const;
  // Adds (sign +1) or removes (-1) every applicable cell of the asset from the rollups.
  void ApplyCells(int slot, int sign);
  // Rebuilds the asset's sums from its cells under its current group.
  void RecomputeSums(int slot);
  // Recomputes A_eff of `slot`, then of its dependents while values move.
  void PropagateAdjusted(int slot);
  void EvaluateTargets(int slot);
  void MarkChanged(int slot);
  double AssetValue(int slot) const;

  const Catalog& catalog_;
  const int outcome_count_, function_count_;
  std::vector<Slot> slots_;
  std::vector<int> free_slots_;
  std::vector<uint8_t> cells_;
  std::vector<int32_t> function_units_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<std::string> department_ids_, supplier_ids_;
  absl::flat_hash_map<std::string, int> department_index_, supplier_index_;
  std::vector<int> changed_;
  std::vector<bool> changed_mark_;
  Rollups rollups_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_SCORE_TABLE_H_
