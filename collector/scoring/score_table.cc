#include "collector/scoring/score_table.h"

#include <algorithm>

#include "glog/logging.h"

namespace postura::collector {
namespace {

constexpr size_t kSlotsPerGrowth = 256;

uint8_t EncodeCell(const Cell& cell) {
  return static_cast<uint8_t>(static_cast<uint8_t>(cell.level) |
                              (static_cast<uint8_t>(cell.state) << 2) | (cell.attested << 4));
}

Cell DecodeCell(uint8_t byte) {
  return Cell{static_cast<Level>(byte & 3), static_cast<CellState>((byte >> 2) & 3),
              ((byte >> 4) & 1) != 0};
}

ImplementationGroup GroupFromProto(v1::ImplementationGroup group) {
  switch (group) {
    case v1::IG2:
      return ImplementationGroup::kIG2;
    case v1::IG3:
      return ImplementationGroup::kIG3;
    default:
      return ImplementationGroup::kIG1;
  }
}

const std::string& EmptyString() {
  static const std::string* const empty = new std::string;
  return *empty;
}

}  // namespace

AssetDefinition DefinitionFromProto(const v1::Asset& asset, std::vector<Target> targets) {
  AssetDefinition definition;
  definition.id = asset.id();
  definition.group = GroupFromProto(asset.implementation_group());
  definition.department_id = asset.department_id();
  definition.supplier_id = asset.supplier_id();
  definition.dependency_ids.assign(asset.dependency_ids().begin(), asset.dependency_ids().end());
  definition.targets = std::move(targets);
  return definition;
}

ScoreTable::ScoreTable(const Catalog& catalog)
    : catalog_(catalog),
      outcome_count_(static_cast<int>(catalog.outcomes().size())),
      function_count_(static_cast<int>(catalog.functions().size())),
      rollups_(catalog) {}

int ScoreTable::AllocateSlot() {
  if (!free_slots_.empty()) {
    const int slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  const int slot = static_cast<int>(slots_.size());
  // Grow in fixed steps rather than doubling: at 10,000 assets doubling would leave a
  // third of the table unused, and the table is most of the scoring state.
  if (slots_.size() == slots_.capacity()) {
    const size_t capacity = slots_.size() + kSlotsPerGrowth;
    slots_.reserve(capacity);
    cells_.reserve(capacity * outcome_count_);
    function_units_.reserve(capacity * function_count_);
    changed_mark_.reserve(capacity);
  }
  slots_.emplace_back();
  cells_.resize(cells_.size() + outcome_count_, EncodeCell(Cell{}));
  function_units_.resize(function_units_.size() + function_count_, 0);
  changed_mark_.push_back(false);
  return slot;
}

int ScoreTable::Intern(std::vector<std::string>& ids, absl::flat_hash_map<std::string, int>& index,
                       const std::string& id) {
  if (id.empty()) return -1;
  auto [it, inserted] = index.try_emplace(id, static_cast<int>(ids.size()));
  if (inserted) ids.push_back(id);
  return it->second;
}

const std::string& ScoreTable::department_id(int slot) const {
  const int department = slots_[slot].department;
  return department < 0 ? EmptyString() : department_ids_[department];
}

std::optional<int> ScoreTable::department_index(int slot) const {
  const int department = slots_[slot].department;
  return department < 0 ? std::nullopt : std::optional<int>(department);
}

std::optional<int> ScoreTable::supplier_index(int slot) const {
  const int supplier = slots_[slot].supplier;
  return supplier < 0 ? std::nullopt : std::optional<int>(supplier);
}

const std::string& ScoreTable::supplier_id(int slot) const {
  const int supplier = slots_[slot].supplier;
  return supplier < 0 ? EmptyString() : supplier_ids_[supplier];
}

AssetContribution ScoreTable::Contribution(int slot) const {
  const Slot& s = slots_[slot];
  AssetContribution contribution;
  contribution.group = s.group;
  contribution.department = s.department;
  contribution.supplier = s.supplier;
  contribution.asset_units = s.asset_units;
  contribution.adjusted_fixed = ToFixed(s.adjusted_value);
  contribution.live_outcomes = s.live;
  contribution.has_targets = !s.targets.empty();
  contribution.targets_met = s.targets_met;
  return contribution;
}

void ScoreTable::ApplyCells(int slot, int sign) {
  const ScoringModel& m = model(slot);
  for (int outcome : m.applicable_outcomes()) {
    rollups_.ApplyOutcome(slots_[slot].group, outcome,
                          LevelHundredths(DecodeCell(cell_byte(slot, outcome)).level), sign);
  }
}

void ScoreTable::RecomputeSums(int slot) {
  Slot& s = slots_[slot];
  const ScoringModel& m = model(slot);
  int32_t* functions = function_units(slot);
  std::fill(functions, functions + function_count_, 0);
  s.asset_units = 0;
  s.live = s.stale = s.attested = 0;
  for (int outcome : m.applicable_outcomes()) {
    const Cell cell = DecodeCell(cell_byte(slot, outcome));
    const int hundredths = LevelHundredths(cell.level);
    functions[m.function_of(outcome)] += m.units(outcome).function * hundredths;
    s.asset_units += m.units(outcome).asset * hundredths;
    if (cell.state == CellState::kLive) ++s.live;
    if (cell.state == CellState::kStale) ++s.stale;
    if (cell.state == CellState::kLive && cell.attested) ++s.attested;
  }
}

double ScoreTable::AssetValue(int slot) const {
  return static_cast<double>(slots_[slot].asset_units) / model(slot).asset_scale();
}

void ScoreTable::MarkChanged(int slot) {
  if (changed_mark_[slot]) return;
  changed_mark_[slot] = true;
  changed_.push_back(slot);
}

std::vector<int> ScoreTable::TakeChanged() {
  std::vector<int> changed;
  changed.swap(changed_);
  for (int slot : changed) changed_mark_[slot] = false;
  return changed;
}

void ScoreTable::PutAsset(const AssetDefinition& definition) {
  std::optional<int> existing = FindSlot(definition.id);
  const int slot = existing ? *existing : AllocateSlot();
  Slot& s = slots_[slot];
  if (existing) {
    rollups_.ApplyAsset(Contribution(slot), -1);
    ApplyCells(slot, -1);
    for (int dependency : s.dependencies) {
      std::vector<int>& dependents = slots_[dependency].dependents;
      dependents.erase(std::remove(dependents.begin(), dependents.end(), slot), dependents.end());
    }
  } else {
    s.id = definition.id;
    index_.emplace(definition.id, slot);
  }
  s.group = definition.group;
  s.department = Intern(department_ids_, department_index_, definition.department_id);
  s.supplier = Intern(supplier_ids_, supplier_index_, definition.supplier_id);
  s.dependencies.clear();
  for (const std::string& dependency_id : definition.dependency_ids) {
    std::optional<int> dependency = FindSlot(dependency_id);
    CHECK(dependency) << "asset " << definition.id << " depends on unknown " << dependency_id;
    s.dependencies.push_back(*dependency);
    slots_[*dependency].dependents.push_back(slot);
  }
  s.targets = definition.targets;
  RecomputeSums(slot);
  ApplyCells(slot, +1);
  EvaluateTargets(slot);
  rollups_.ApplyAsset(Contribution(slot), +1);
  MarkChanged(slot);
  PropagateAdjusted(slot);
}

void ScoreTable::RemoveAsset(absl::string_view asset_id) {
  std::optional<int> found = FindSlot(asset_id);
  if (!found) return;
  const int slot = *found;
  Slot& s = slots_[slot];
  CHECK(s.dependents.empty()) << "asset " << s.id << " still has dependents";
  rollups_.ApplyAsset(Contribution(slot), -1);
  ApplyCells(slot, -1);
  for (int dependency : s.dependencies) {
    std::vector<int>& dependents = slots_[dependency].dependents;
    dependents.erase(std::remove(dependents.begin(), dependents.end(), slot), dependents.end());
  }
  index_.erase(s.id);
  std::fill_n(cells_.begin() + static_cast<size_t>(slot) * outcome_count_, outcome_count_,
              EncodeCell(Cell{}));
  std::fill_n(function_units(slot), function_count_, 0);
  s = Slot();
  if (changed_mark_[slot]) {
    changed_.erase(std::remove(changed_.begin(), changed_.end(), slot), changed_.end());
    changed_mark_[slot] = false;
  }
  free_slots_.push_back(slot);
}

std::optional<int> ScoreTable::FindSlot(absl::string_view asset_id) const {
  auto it = index_.find(asset_id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<int> ScoreTable::Slots() const {
  std::vector<int> slots;
  slots.reserve(index_.size());
  for (const auto& [id, slot] : index_) slots.push_back(slot);
  return slots;
}

Cell ScoreTable::cell(int slot, int outcome) const { return DecodeCell(cell_byte(slot, outcome)); }

void ScoreTable::SetCell(int slot, int outcome, Cell cell) {
  const Cell old = DecodeCell(cell_byte(slot, outcome));
  if (old == cell) return;
  cell_byte(slot, outcome) = EncodeCell(cell);
  const ScoringModel& m = model(slot);
  if (!m.OutcomeApplies(outcome)) return;

  Slot& s = slots_[slot];
  rollups_.ApplyAsset(Contribution(slot), -1);
  const int old_hundredths = LevelHundredths(old.level);
  const int new_hundredths = LevelHundredths(cell.level);
  rollups_.ApplyOutcome(s.group, outcome, old_hundredths, -1);
  rollups_.ApplyOutcome(s.group, outcome, new_hundredths, +1);
  const int delta = new_hundredths - old_hundredths;
  function_units(slot)[m.function_of(outcome)] += m.units(outcome).function * delta;
  s.asset_units += m.units(outcome).asset * delta;
  s.live += (cell.state == CellState::kLive) - (old.state == CellState::kLive);
  s.stale += (cell.state == CellState::kStale) - (old.state == CellState::kStale);
  s.attested += (cell.state == CellState::kLive && cell.attested) -
                (old.state == CellState::kLive && old.attested);
  EvaluateTargets(slot);
  rollups_.ApplyAsset(Contribution(slot), +1);
  MarkChanged(slot);
  if (delta != 0) PropagateAdjusted(slot);
}

void ScoreTable::NoteEvidence(int slot, int64_t unix_nanos) {
  Slot& s = slots_[slot];
  s.last_evidence_unix_nanos = std::max(s.last_evidence_unix_nanos, unix_nanos);
}

void ScoreTable::PropagateAdjusted(int start) {
  std::vector<int> pending = {start};
  while (!pending.empty()) {
    const int slot = pending.back();
    pending.pop_back();
    Slot& s = slots_[slot];
    double adjusted = AssetValue(slot);
    int limiting = slot;
    for (int dependency : s.dependencies) {
      if (slots_[dependency].adjusted_value < adjusted) {
        adjusted = slots_[dependency].adjusted_value;
        limiting = slots_[dependency].limiting_slot;
      }
    }
    if (adjusted == s.adjusted_value && limiting == s.limiting_slot) continue;
    rollups_.ApplyAsset(Contribution(slot), -1);
    s.adjusted_value = adjusted;
    s.limiting_slot = limiting;
    rollups_.ApplyAsset(Contribution(slot), +1);
    MarkChanged(slot);
    pending.insert(pending.end(), s.dependents.begin(), s.dependents.end());
  }
}

void ScoreTable::EvaluateTargets(int slot) {
  Slot& s = slots_[slot];
  if (s.targets.empty()) {
    s.targets_met = true;
    s.target_coverage = 1;
    return;
  }
  const std::vector<Level> levels = Levels(slot);
  const TargetsReport report = postura::EvaluateTargets(s.targets, Values(slot), levels);
  s.targets_met = report.all_met;
  s.target_coverage = static_cast<float>(report.coverage);
}

AssetHeadline ScoreTable::Headline(int slot) const {
  const Slot& s = slots_[slot];
  AssetHeadline headline;
  headline.value = AssetValue(slot);
  headline.adjusted_value = s.adjusted_value;
  headline.limiting_slot = s.limiting_slot;
  headline.applicable = static_cast<int>(model(slot).applicable_outcomes().size());
  headline.live = s.live;
  headline.stale = s.stale;
  headline.no_evidence = headline.applicable - s.live - s.stale;
  headline.attested = s.attested;
  headline.targets_met = s.targets_met;
  headline.target_coverage = s.target_coverage;
  headline.last_evidence_unix_nanos = s.last_evidence_unix_nanos;
  return headline;
}

std::vector<Level> ScoreTable::Levels(int slot) const {
  std::vector<Level> levels(outcome_count_);
  for (int outcome = 0; outcome < outcome_count_; ++outcome) {
    levels[outcome] = DecodeCell(cell_byte(slot, outcome)).level;
  }
  return levels;
}

AssetValues ScoreTable::Values(int slot) const {
  const ScoringModel& m = model(slot);
  std::vector<int64_t> category_units(m.category_count(), 0);
  for (int outcome : m.applicable_outcomes()) {
    category_units[m.category_of(outcome)] +=
        m.units(outcome).category * LevelHundredths(DecodeCell(cell_byte(slot, outcome)).level);
  }
  AssetValues values;
  values.asset = AssetValue(slot);
  values.functions.assign(m.function_count(), 0.0);
  values.categories.assign(m.category_count(), 0.0);
  const int32_t* functions = &function_units_[static_cast<size_t>(slot) * function_count_];
  for (int f : m.applicable_functions()) {
    values.functions[f] = static_cast<double>(functions[f]) / m.function_scale(f);
  }
  for (int c : m.applicable_categories()) {
    values.categories[c] = static_cast<double>(category_units[c]) / m.category_scale(c);
  }
  return values;
}

size_t ScoreTable::MemoryBytes() const {
  size_t bytes = sizeof(*this) + cells_.capacity() + function_units_.capacity() * sizeof(int32_t) +
                 slots_.capacity() * sizeof(Slot) + free_slots_.capacity() * sizeof(int) +
                 changed_.capacity() * sizeof(int) + changed_mark_.capacity() / 8;
  for (const Slot& s : slots_) {
    if (s.id.capacity() > 15) bytes += s.id.capacity() + 1;
    bytes += (s.dependencies.capacity() + s.dependents.capacity()) * sizeof(int) +
             s.targets.capacity() * sizeof(Target);
  }
  // A flat_hash_map slot holds the key and value, plus one control byte.
  bytes += index_.capacity() * (sizeof(std::pair<std::string, int>) + 1);
  for (const auto& [id, slot] : index_) {
    if (id.capacity() > 15) bytes += id.capacity() + 1;
  }
  return bytes;
}

}  // namespace postura::collector
