#include "collector/scoring/live_scorer.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "collector/store/store_keys.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// Reports applied under one hold of the table lock, so queries wait at most that long.
constexpr size_t kUpdatesPerLock = 1024;
// Assets resynced between two publications of the changes (each a summary per changed
// asset and the rollups: more than an asset's cells cost to set).
constexpr size_t kAssetsPerPublish = 64;
// Expiry entries read at a time.
constexpr size_t kExpiriesPerRead = 4096;
// The scoring thread looks at the clock at least this often, whatever else happens.
constexpr absl::Duration kMaxSleep = absl::Milliseconds(250);

}  // namespace

LiveScorer::LiveScorer(EvidenceStore& store, const Catalog& catalog, Clock& clock,
                       HistoryRecorder* history, size_t max_inbox_bytes)
    : store_(store),
      catalog_(catalog),
      outcome_ids_(SortedOutcomeIds(catalog)),
      clock_(clock),
      history_(catalog, history),
      gaps_(catalog, history),
      table_(catalog),
      inbox_(clock, max_inbox_bytes) {}

LiveScorer::~LiveScorer() { Stop(); }

int64_t LiveScorer::NowNanos() const { return absl::ToUnixNanos(clock_.TimeNow()); }

absl::StatusOr<absl::Duration> LiveScorer::Start() {
  const absl::Time started = absl::Now();
  const int64_t now = NowNanos();
  {
    absl::MutexLock lock(&mu_);
    // State records come in key order, so the sources of one (asset, outcome) are adjacent.
    std::vector<v1::SourceState> group;
    auto flush_group = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (group.empty()) return;
      std::optional<int> slot = table_.FindSlot(group.front().asset_id());
      std::optional<int> outcome = catalog_.FindOutcome(group.front().outcome_id());
      if (slot && outcome) {
        table_.SetCell(*slot, *outcome, CellFromSources(group, now));
        for (const v1::SourceState& source : group) {
          table_.NoteEvidence(*slot, source.observed_at_unix_nanos());
        }
      }
      group.clear();
    };
    absl::Status scanned = store_.ForEachState([&](const v1::SourceState& source) {
      if (!group.empty() && (group.front().asset_id() != source.asset_id() ||
                             group.front().outcome_id() != source.outcome_id())) {
        flush_group();
      }
      group.push_back(source);
    });
    if (!scanned.ok()) return scanned;
    flush_group();
    // Not fatal: scores are right without the episodes, and the next start reconciles.
    if (absl::Status reconciled = gaps_.Start(table_, store_, now); !reconciled.ok()) {
      LOG(ERROR) << "cannot reconcile the open gap episodes: " << reconciled;
    }
    PublishChanges();
  }
  absl::StatusOr<std::optional<int64_t>> next = store_.NextExpiry();
  if (!next.ok()) return next.status();
  inbox_.SetNextExpiry(next->value_or(INT64_MAX));
  thread_ = std::thread([this] { Run(); });
  return absl::Now() - started;
}

void LiveScorer::Stop() {
  inbox_.Stop();
  if (thread_.joinable()) thread_.join();
  hub_.CloseAll();
}

void LiveScorer::OnAssetPut(const v1::Asset& asset, const std::vector<Target>& targets) {
  bool created = false;
  {
    absl::MutexLock lock(&mu_);
    std::optional<int> slot = table_.FindSlot(asset.id());
    created = !slot.has_value();
    const std::vector<bool> gaps_before =
        created ? std::vector<bool>() : gaps_.AssetGaps(table_, *slot);
    table_.PutAsset(DefinitionFromProto(asset, targets));
    gaps_.OnAssetPut(table_, *table_.FindSlot(asset.id()), gaps_before, NowNanos());
    PublishChanges();
    history_.RecordAllRollups(table_, NowNanos());  // The asset may have moved between sets.
  }
  // Reports may predate the asset's registration (or its re-creation): read them.
  if (created) inbox_.AddResync(asset.id());
}

void LiveScorer::OnAssetDeleted(const std::string& asset_id) {
  absl::MutexLock lock(&mu_);
  if (std::optional<int> slot = table_.FindSlot(asset_id)) {
    const std::vector<bool> gaps_before = gaps_.AssetGaps(table_, *slot);
    table_.RemoveAsset(asset_id);
    gaps_.OnAssetRemoved(asset_id, gaps_before, NowNanos());
  }
  v1::ScoreUpdate removal;
  removal.mutable_summary()->set_asset_id(asset_id);
  removal.set_removed(true);
  removal.set_computed_at_unix_nanos(NowNanos());
  PublishChanges();
  history_.RecordAllRollups(table_, NowNanos());
  hub_.Publish({removal});
}

void LiveScorer::OnCommitted(std::vector<SourceUpdate> updates) {
  inbox_.AddUpdates(std::move(updates));
}

void LiveScorer::Flush() { inbox_.Flush(); }

void LiveScorer::Run() {
  NameThisThread("scoring");
  while (std::optional<ScoringInbox::Round> round = inbox_.Take(kMaxSleep)) {
    ApplyUpdates(round->updates);
    // After the updates: a resync reads the newest state, which an older update of the
    // same round must not overwrite.
    ResyncAssets(round->resyncs);
    if (round->superseded > 0 || round->overflowed > 0) {
      absl::MutexLock lock(&mu_);
      stats_.updates_superseded += round->superseded;
      stats_.updates_overflowed += round->overflowed;
    }
    if (!round->updates.empty()) scoring_delay_.Observe(absl::Now() - round->updates_since);
    ApplyExpiries();
    inbox_.Finish(round->ticket);
  }
}

void LiveScorer::ApplyUpdates(std::vector<SourceUpdate>& updates) {
  // Cells whose new level needs their sources read: each is read once, after the round's
  // other reports, whatever number of its reports the round holds. The store already has
  // every report of the round (they were committed before they were handed over).
  std::vector<std::pair<std::string, int>> stale;        // Asset id, outcome position.
  absl::flat_hash_set<std::pair<int, int>> stale_cells;  // Slot, outcome position.
  for (size_t begin = 0; begin < updates.size(); begin += kUpdatesPerLock) {
    const size_t end = std::min(updates.size(), begin + kUpdatesPerLock);
    const int64_t now = NowNanos();
    absl::MutexLock lock(&mu_);
    for (size_t i = begin; i < end; ++i) {
      const SourceUpdate& update = updates[i];
      std::optional<StateKeyParts> parts = ParseStateKey(update.state_key);
      if (!parts) continue;
      std::optional<int> slot = table_.FindSlot(parts->asset);
      std::optional<int> outcome = catalog_.FindOutcome(parts->outcome);
      if (!slot || !outcome) continue;  // Deleted since, or another catalog's outcome.
      ++stats_.updates_applied;
      table_.NoteEvidence(*slot, update.observed_at_unix_nanos);
      if (stale_cells.contains({*slot, *outcome})) continue;
      // The new report decides the level without reading the other sources when it is
      // live and does not raise the level: the minimum is then the new report's level.
      const Cell old = table_.cell(*slot, *outcome);
      const Level level = LevelFromWire(update.level);
      if (update.expires_at_unix_nanos > now) {
        if (old.state != CellState::kLive || level < old.level) {
          SetCell(*slot, *outcome, Cell{level, CellState::kLive, update.attested});
          continue;
        }
        if (level == old.level && (!update.attested || old.attested)) {
          SetCell(*slot, *outcome, Cell{level, CellState::kLive, update.attested});
          continue;
        }
      }
      stale_cells.insert({*slot, *outcome});
      stale.emplace_back(parts->asset, *outcome);
    }
    PublishChanges();
  }
  for (size_t begin = 0; begin < stale.size(); begin += kUpdatesPerLock) {
    const size_t end = std::min(stale.size(), begin + kUpdatesPerLock);
    absl::MutexLock lock(&mu_);
    for (size_t i = begin; i < end; ++i) {
      const auto& [asset_id, outcome] = stale[i];
      std::optional<int> slot = table_.FindSlot(asset_id);
      if (!slot) continue;  // Deleted meanwhile.
      ++stats_.slow_path_reads;
      RecomputeCell(*slot, outcome, asset_id, catalog_.outcomes()[outcome].id);
    }
    PublishChanges();
  }
}

void LiveScorer::SetCell(int slot, int outcome, Cell cell) {
  const Cell before = table_.cell(slot, outcome);
  table_.SetCell(slot, outcome, cell);
  const bool evidence_came_or_went =
      (cell.state == CellState::kNoEvidence) != (before.state == CellState::kNoEvidence);
  if (cell.level != before.level || evidence_came_or_went) {
    gaps_.OnCellChanged(table_, slot, outcome, before, NowNanos());
  }
}

void LiveScorer::RecomputeCell(int slot, int outcome, absl::string_view asset_id,
                               absl::string_view outcome_id) {
  absl::StatusOr<std::vector<v1::SourceState>> sources = store_.ReadSources(asset_id, outcome_id);
  if (!sources.ok()) {
    LOG_EVERY_N(ERROR, 100) << "scoring cannot read sources of " << asset_id << "/" << outcome_id
                            << ": " << sources.status();
    return;
  }
  SetCell(slot, outcome, CellFromSources(*sources, NowNanos()));
}

void LiveScorer::ApplyExpiries() {
  const int64_t now = NowNanos();
  if (!inbox_.ExpiryDue(now)) return;
  while (true) {
    absl::StatusOr<std::vector<std::string>> due =
        store_.ReadDueExpiries(expiry_floor_, now, kExpiriesPerRead);
    if (!due.ok()) {
      LOG_EVERY_N(ERROR, 100) << "scoring cannot read expiries: " << due.status();
      RetryExpiriesLater(now);
      return;
    }
    // Only the reports still current matter; the others were replaced by newer reports.
    std::vector<std::pair<std::string, std::string>> cells;
    for (const std::string& key : *due) {
      std::optional<ExpiryKeyParts> expiry = ParseExpiryKey(key);
      if (!expiry) continue;
      absl::StatusOr<std::optional<v1::SourceState>> source = store_.ReadSource(expiry->state_key);
      if (!source.ok() || !source->has_value() ||
          (*source)->expires_at_unix_nanos() != expiry->expires_at_unix_nanos) {
        continue;
      }
      cells.emplace_back((*source)->asset_id(), (*source)->outcome_id());
    }
    std::sort(cells.begin(), cells.end());
    cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [asset_id, outcome_id] : cells) {
        std::optional<int> slot = table_.FindSlot(asset_id);
        std::optional<int> outcome = catalog_.FindOutcome(outcome_id);
        if (!slot || !outcome) continue;
        ++stats_.expiries_applied;
        RecomputeCell(*slot, *outcome, asset_id, outcome_id);
      }
      PublishChanges();
    }
    if (absl::Status deleted = store_.DeleteExpiries(*due); !deleted.ok()) {
      LOG_EVERY_N(ERROR, 100) << "scoring cannot delete expiries: " << deleted;
      RetryExpiriesLater(now);
      return;
    }
    if (!due->empty()) {
      // Entries sort by time, so everything before the last one read is gone now.
      std::optional<ExpiryKeyParts> last = ParseExpiryKey(due->back());
      if (last) expiry_floor_ = std::max(expiry_floor_, last->expires_at_unix_nanos);
    }
    if (due->size() < kExpiriesPerRead) break;
  }
  // Read under the inbox's lock, so that an expiry handed over meanwhile is not lost.
  inbox_.SetNextExpiry([&] {
    absl::StatusOr<std::optional<int64_t>> next = store_.NextExpiry(expiry_floor_);
    return next.ok() ? next->value_or(INT64_MAX) : now + absl::ToInt64Nanoseconds(kMaxSleep);
  });
}

void LiveScorer::RetryExpiriesLater(int64_t now) {
  inbox_.SetNextExpiry(now + absl::ToInt64Nanoseconds(absl::Seconds(1)));
}

void LiveScorer::ResyncAssets(const std::vector<std::string>& asset_ids) {
  for (size_t i = 0; i < asset_ids.size(); ++i) {
    ResyncAsset(asset_ids[i]);
    if ((i + 1) % kAssetsPerPublish == 0 || i + 1 == asset_ids.size()) {
      absl::MutexLock lock(&mu_);
      PublishChanges();
    }
  }
}

void LiveScorer::ResyncAsset(const std::string& asset_id) {
  absl::StatusOr<std::vector<v1::SourceState>> sources =
      store_.ReadAssetSources(asset_id, outcome_ids_);
  if (!sources.ok()) {
    LOG(ERROR) << "scoring cannot read the sources of asset " << asset_id << ": "
               << sources.status();
    return;
  }
  const int64_t now = NowNanos();
  absl::MutexLock lock(&mu_);
  std::optional<int> slot = table_.FindSlot(asset_id);
  if (!slot) return;
  size_t begin = 0;
  while (begin < sources->size()) {
    size_t end = begin;
    std::vector<v1::SourceState> group;
    while (end < sources->size() &&
           (*sources)[end].outcome_id() == (*sources)[begin].outcome_id()) {
      group.push_back((*sources)[end]);
      table_.NoteEvidence(*slot, (*sources)[end].observed_at_unix_nanos());
      ++end;
    }
    if (std::optional<int> outcome = catalog_.FindOutcome(group.front().outcome_id())) {
      SetCell(*slot, *outcome, CellFromSources(group, now));
    }
    begin = end;
  }
}

void LiveScorer::PublishChanges() {
  gaps_.HandOver();
  std::vector<int> changed = table_.TakeChanged();
  if (changed.empty()) return;
  std::vector<v1::ScoreUpdate> updates;
  updates.reserve(changed.size());
  const int64_t now = NowNanos();
  for (int slot : changed) {
    if (static_cast<int>(published_targets_met_.size()) <= slot) {
      published_targets_met_.resize(slot + 1, true);
    }
    v1::ScoreUpdate& update = updates.emplace_back();
    *update.mutable_summary() = SummaryFromTable(table_, slot);
    const bool met = update.summary().targets_met();
    update.set_targets_met_changed(met != published_targets_met_[slot]);
    published_targets_met_[slot] = met;
    update.set_computed_at_unix_nanos(now);
  }
  history_.RecordChanges(table_, changed, now);
  hub_.Publish(updates);
}

std::optional<v1::AssetSummary> LiveScorer::Summary(const std::string& asset_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::optional<int> slot = table_.FindSlot(asset_id);
  if (!slot) return std::nullopt;
  return SummaryFromTable(table_, *slot);
}

std::vector<v1::AssetSummary> LiveScorer::Summaries(const std::string& department_id,
                                                    const std::string& supplier_id) const {
  std::vector<v1::AssetSummary> summaries;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (int slot : table_.Slots()) {
      if (!department_id.empty() && table_.department_id(slot) != department_id) continue;
      if (!supplier_id.empty() && table_.supplier_id(slot) != supplier_id) continue;
      summaries.push_back(SummaryFromTable(table_, slot));
    }
  }
  std::sort(summaries.begin(), summaries.end(),
            [](const v1::AssetSummary& a, const v1::AssetSummary& b) {
              return a.asset_id() < b.asset_id();
            });
  return summaries;
}

std::optional<AssetSnapshot> LiveScorer::Snapshot(const std::string& asset_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::optional<int> slot = table_.FindSlot(asset_id);
  if (!slot) return std::nullopt;
  AssetSnapshot snapshot;
  snapshot.summary = SummaryFromTable(table_, *slot);
  snapshot.values = table_.Values(*slot);
  snapshot.targets = table_.targets(*slot);
  snapshot.group = table_.group(*slot);
  snapshot.taken_at_unix_nanos = NowNanos();
  const int outcomes = static_cast<int>(catalog_.outcomes().size());
  snapshot.cells.reserve(outcomes);
  for (int outcome = 0; outcome < outcomes; ++outcome) {
    snapshot.cells.push_back(table_.cell(*slot, outcome));
  }
  return snapshot;
}

v1::OrganizationScore LiveScorer::Organization() const {
  absl::ReaderMutexLock lock(&mu_);
  return OrganizationFromTable(table_, catalog_);
}

std::vector<AssetDefinition> LiveScorer::Definitions(const std::string& asset_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<int> roots;
  if (asset_id.empty()) {
    roots = table_.Slots();
    std::sort(roots.begin(), roots.end(),
              [&](int a, int b) { return table_.id(a) < table_.id(b); });
  } else if (std::optional<int> slot = table_.FindSlot(asset_id)) {
    roots.push_back(*slot);
  }
  // Depth-first, each asset after its dependencies.
  std::vector<AssetDefinition> definitions;
  std::vector<bool> done;
  std::function<void(int)> visit = [&](int slot) {
    if (static_cast<int>(done.size()) <= slot) done.resize(slot + 1, false);
    if (done[slot]) return;
    done[slot] = true;
    for (int dependency : table_.dependencies(slot)) visit(dependency);
    AssetDefinition& definition = definitions.emplace_back();
    definition.id = table_.id(slot);
    definition.group = table_.group(slot);
    definition.department_id = table_.department_id(slot);
    definition.supplier_id = table_.supplier_id(slot);
    for (int dependency : table_.dependencies(slot)) {
      definition.dependency_ids.push_back(table_.id(dependency));
    }
    definition.targets = table_.targets(slot);
  };
  for (int root : roots) visit(root);
  return definitions;
}

std::shared_ptr<Watcher> LiveScorer::Watch(WatchFilter filter, std::function<void()> on_ready) {
  auto watcher = std::make_shared<Watcher>(std::move(filter), std::move(on_ready));
  // Subscribing and queueing the snapshot under the table lock orders the snapshot before
  // every later change.
  absl::ReaderMutexLock lock(&mu_);
  hub_.Add(watcher);
  const int64_t now = NowNanos();
  for (int slot : table_.Slots()) {
    v1::ScoreUpdate update;
    *update.mutable_summary() = SummaryFromTable(table_, slot);
    update.set_computed_at_unix_nanos(now);
    watcher->Offer(update, /*initial=*/true);
  }
  return watcher;
}

void LiveScorer::Unwatch(const Watcher* watcher) { hub_.Remove(watcher); }

LiveScorerStats LiveScorer::Stats() const {
  const size_t inbox_bytes = inbox_.pending_bytes();  // Not under mu_: the inbox's lock is first.
  absl::ReaderMutexLock lock(&mu_);
  LiveScorerStats stats = stats_;
  stats.inbox_bytes = inbox_bytes;
  stats.memory_bytes = table_.MemoryBytes();
  stats.assets = table_.asset_count();
  stats.watchers = hub_.size();
  stats.scoring_delay = scoring_delay_.Figures();
  return stats;
}

}  // namespace postura::collector
