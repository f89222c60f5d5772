#include "collector/scoring/gap_feed.h"

#include <utility>

#include "common/model/target.h"

namespace postura::collector {
namespace {

// Open episodes written to the store per write while reconciling at start.
constexpr size_t kEventsPerWrite = 8192;

// Writes `events` and empties it. Keeps the first error in `status`.
void WriteNow(EvidenceStore& store, std::vector<GapEvent>& events, absl::Status& status) {
  if (events.empty()) return;
  absl::StatusOr<GapWriteStats> written = WriteGapEvents(store, events);
  if (!written.ok() && status.ok()) status = written.status();
  events.clear();
}

// The same for openings of gaps that have no open record (no read needed).
void OpenNow(EvidenceStore& store, std::vector<GapEvent>& events, absl::Status& status) {
  if (events.empty()) return;
  absl::Status written = WriteNewOpenGaps(store, events);
  if (!written.ok() && status.ok()) status = written;
  events.clear();
}

}  // namespace

bool IsGap(const ScoreTable& table, int slot, int outcome, const Cell& cell) {
  if (cell.state == CellState::kNoEvidence) return false;
  if (!table.model(slot).OutcomeApplies(outcome)) return false;
  for (const Target& target : table.targets(slot)) {
    if (target.scope.kind == ScopeKind::kOutcome && target.scope.index == outcome) {
      return !EvaluateTarget(target.op, target.threshold, LevelValue(cell.level)).met;
    }
  }
  return cell.level != Level::kDli100;
}

absl::Status GapFeed::Start(const ScoreTable& table, EvidenceStore& store, int64_t now) {
  tracking_ = recorder_ != nullptr;
  if (!tracking_) return absl::OkStatus();
  const int outcomes = static_cast<int>(catalog_.outcomes().size());
  int slot_end = 0;
  for (int slot : table.Slots()) slot_end = std::max(slot_end, slot + 1);
  // The gaps found open in the store, one bit per cell.
  std::vector<bool> recorded(static_cast<size_t>(slot_end) * outcomes, false);
  std::vector<GapEvent> events;
  absl::Status status = ForEachOpenGap(store, [&](const GapEpisode& episode) {
    std::optional<int> slot = table.FindSlot(episode.asset_id);
    std::optional<int> outcome = catalog_.FindOutcome(episode.outcome_id);
    GapTransition transition = GapTransition::kDropped;
    if (slot && outcome && table.model(*slot).OutcomeApplies(*outcome)) {
      if (IsGap(table, *slot, *outcome, table.cell(*slot, *outcome))) {
        recorded[static_cast<size_t>(*slot) * outcomes + *outcome] = true;
        return true;  // Still open: keeps its time.
      }
      transition = GapTransition::kClosed;
    }
    events.push_back({.asset_id = episode.asset_id,
                      .outcome_id = episode.outcome_id,
                      .unix_nanos = now,
                      .transition = transition});
    return true;
  });
  WriteNow(store, events, status);
  for (int slot : table.Slots()) {
    for (int outcome : table.model(slot).applicable_outcomes()) {
      if (recorded[static_cast<size_t>(slot) * outcomes + outcome]) continue;
      if (!IsGap(table, slot, outcome, table.cell(slot, outcome))) continue;
      events.push_back({.asset_id = table.id(slot),
                        .outcome_id = catalog_.outcomes()[outcome].id,
                        .unix_nanos = now,
                        .transition = GapTransition::kOpened});
      if (events.size() >= kEventsPerWrite) OpenNow(store, events, status);
    }
  }
  OpenNow(store, events, status);
  return status;
}

void GapFeed::Add(const std::string& asset_id, int outcome, int64_t now, GapTransition transition) {
  pending_.push_back({.asset_id = asset_id,
                      .outcome_id = catalog_.outcomes()[outcome].id,
                      .unix_nanos = now,
                      .transition = transition});
}

void GapFeed::OnCellChanged(const ScoreTable& table, int slot, int outcome, const Cell& before,
                            int64_t now) {
  if (!tracking_) return;
  const bool was = IsGap(table, slot, outcome, before);
  const bool is = IsGap(table, slot, outcome, table.cell(slot, outcome));
  if (was == is) return;
  Add(table.id(slot), outcome, now, is ? GapTransition::kOpened : GapTransition::kClosed);
}

std::vector<bool> GapFeed::AssetGaps(const ScoreTable& table, int slot) const {
  const int outcomes = static_cast<int>(catalog_.outcomes().size());
  std::vector<bool> gaps(outcomes, false);
  if (!tracking_) return gaps;
  for (int outcome : table.model(slot).applicable_outcomes()) {
    gaps[outcome] = IsGap(table, slot, outcome, table.cell(slot, outcome));
  }
  return gaps;
}

void GapFeed::OnAssetPut(const ScoreTable& table, int slot, const std::vector<bool>& before,
                         int64_t now) {
  if (!tracking_) return;
  const std::vector<bool> after = AssetGaps(table, slot);
  for (size_t outcome = 0; outcome < after.size(); ++outcome) {
    const bool was = outcome < before.size() && before[outcome];
    if (was == after[outcome]) continue;
    GapTransition transition = GapTransition::kOpened;
    if (was) {
      // No longer applicable: forgotten; still applicable: met by a changed target.
      transition = table.model(slot).OutcomeApplies(static_cast<int>(outcome))
                       ? GapTransition::kClosed
                       : GapTransition::kDropped;
    }
    Add(table.id(slot), static_cast<int>(outcome), now, transition);
  }
}

void GapFeed::OnAssetRemoved(const std::string& asset_id, const std::vector<bool>& before,
                             int64_t now) {
  if (!tracking_) return;
  for (size_t outcome = 0; outcome < before.size(); ++outcome) {
    if (before[outcome]) Add(asset_id, static_cast<int>(outcome), now, GapTransition::kDropped);
  }
}

void GapFeed::HandOver() {
  if (recorder_ == nullptr || pending_.empty()) return;
  recorder_->RecordGaps(std::move(pending_));
  pending_.clear();
}

}  // namespace postura::collector
