#include "collector/live_scorer.h"

#include <algorithm>
#include <utility>

#include "collector/store_keys.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// Reports applied under one hold of the table lock, so queries wait at most that long.
constexpr size_t kUpdatesPerLock = 1024;
// Expiry entries read at a time.
constexpr size_t kExpiriesPerRead = 4096;
// The scoring thread looks at the clock at least this often, whatever else happens.
constexpr absl::Duration kMaxSleep = absl::Milliseconds(250);

Level FromWire(v1::Level level) {
  return static_cast<Level>(std::clamp(static_cast<int>(level) - 1, 0, 3));
}

v1::ImplementationGroup ToWire(ImplementationGroup group) {
  return static_cast<v1::ImplementationGroup>(IndexOf(group) + 1);
}

}  // namespace

Cell CellFromSources(const std::vector<v1::SourceState>& sources, int64_t now_unix_nanos) {
  if (sources.empty()) return Cell{Level::kDli0, CellState::kNoEvidence, false};
  std::optional<Level> minimum;
  bool attested = true;
  for (const v1::SourceState& source : sources) {
    if (source.expires_at_unix_nanos() <= now_unix_nanos) continue;
    const Level level = FromWire(source.level());
    const bool source_attested = source.kind() == v1::ATTESTED;
    if (!minimum || level < *minimum) {
      minimum = level;
      attested = source_attested;
    } else if (level == *minimum) {
      attested = attested && source_attested;
    }
  }
  if (!minimum) return Cell{Level::kDli0, CellState::kStale, false};
  return Cell{*minimum, CellState::kLive, attested};
}

LiveScorer::LiveScorer(EvidenceStore& store, const Catalog& catalog, Clock& clock)
    : store_(store), catalog_(catalog), clock_(clock), table_(catalog) {}

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
    PublishChanges();
  }
  absl::StatusOr<std::optional<int64_t>> next = store_.NextExpiry();
  if (!next.ok()) return next.status();
  {
    absl::MutexLock lock(&input_mu_);
    next_expiry_ = next->value_or(INT64_MAX);
  }
  thread_ = std::thread([this] { Run(); });
  return absl::Now() - started;
}

void LiveScorer::Stop() {
  {
    absl::MutexLock lock(&input_mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  hub_.CloseAll();
}

void LiveScorer::OnAssetPut(const v1::Asset& asset, const std::vector<Target>& targets) {
  bool created = false;
  {
    absl::MutexLock lock(&mu_);
    created = !table_.FindSlot(asset.id()).has_value();
    table_.PutAsset(DefinitionFromProto(asset, targets));
    PublishChanges();
  }
  if (created) {
    // Reports may predate the asset's registration (or its re-creation): read them.
    absl::MutexLock lock(&input_mu_);
    pending_resyncs_.push_back(asset.id());
    ++handed_over_;
  }
}

void LiveScorer::OnAssetDeleted(const std::string& asset_id) {
  absl::MutexLock lock(&mu_);
  table_.RemoveAsset(asset_id);
  v1::ScoreUpdate removal;
  removal.mutable_summary()->set_asset_id(asset_id);
  removal.set_removed(true);
  removal.set_computed_at_unix_nanos(NowNanos());
  PublishChanges();
  hub_.Publish({removal});
}

void LiveScorer::OnCommitted(std::vector<SourceUpdate> updates) {
  absl::MutexLock lock(&input_mu_);
  for (const SourceUpdate& update : updates) {
    next_expiry_ = std::min(next_expiry_, update.expires_at_unix_nanos);
  }
  if (pending_.empty()) {
    pending_since_ = absl::Now();
    pending_ = std::move(updates);
  } else {
    pending_.insert(pending_.end(), std::make_move_iterator(updates.begin()),
                    std::make_move_iterator(updates.end()));
  }
  ++handed_over_;
}

void LiveScorer::Flush() {
  absl::MutexLock lock(&input_mu_);
  const uint64_t target = ++handed_over_;
  auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(input_mu_) {
    return finished_ >= target || stopping_;
  };
  input_mu_.Await(absl::Condition(&done));
}

void LiveScorer::Run() {
  while (true) {
    std::vector<SourceUpdate> updates;
    std::vector<std::string> resyncs;
    uint64_t taken = 0;
    absl::Time since;
    {
      absl::MutexLock lock(&input_mu_);
      auto has_work = [&]() ABSL_SHARED_LOCKS_REQUIRED(input_mu_) {
        return stopping_ || handed_over_ != finished_ || next_expiry_ <= NowNanos();
      };
      const int64_t until_expiry = next_expiry_ - NowNanos();
      input_mu_.AwaitWithTimeout(
          absl::Condition(&has_work),
          std::min(kMaxSleep, absl::Nanoseconds(std::max<int64_t>(until_expiry, 0))));
      if (stopping_) return;
      updates.swap(pending_);
      since = pending_since_;
      resyncs.swap(pending_resyncs_);
      taken = handed_over_;
    }
    for (const std::string& asset_id : resyncs) ResyncAsset(asset_id);
    ApplyUpdates(updates);
    if (!updates.empty()) scoring_delay_.Observe(absl::Now() - since);
    ApplyExpiries();
    absl::MutexLock lock(&input_mu_);
    finished_ = taken;
  }
}

void LiveScorer::ApplyUpdates(std::vector<SourceUpdate>& updates) {
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
      // The new report decides the level without reading the other sources when it is
      // live and does not raise the level: the minimum is then the new report's level.
      const Cell old = table_.cell(*slot, *outcome);
      const Level level = FromWire(update.level);
      if (update.expires_at_unix_nanos > now) {
        if (old.state != CellState::kLive || level < old.level) {
          table_.SetCell(*slot, *outcome, Cell{level, CellState::kLive, update.attested});
          continue;
        }
        if (level == old.level && (!update.attested || old.attested)) {
          table_.SetCell(*slot, *outcome, Cell{level, CellState::kLive, update.attested});
          continue;
        }
      }
      ++stats_.slow_path_reads;
      RecomputeCell(*slot, *outcome, parts->asset, parts->outcome);
    }
    PublishChanges();
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
  table_.SetCell(slot, outcome, CellFromSources(*sources, NowNanos()));
}

void LiveScorer::ApplyExpiries() {
  const int64_t now = NowNanos();
  {
    absl::MutexLock lock(&input_mu_);
    if (next_expiry_ > now) return;
  }
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
  // Read under the input lock, so that an expiry handed over meanwhile is not lost.
  absl::MutexLock lock(&input_mu_);
  absl::StatusOr<std::optional<int64_t>> next = store_.NextExpiry(expiry_floor_);
  next_expiry_ = next.ok() ? next->value_or(INT64_MAX) : now + absl::ToInt64Nanoseconds(kMaxSleep);
}

void LiveScorer::RetryExpiriesLater(int64_t now) {
  absl::MutexLock lock(&input_mu_);
  next_expiry_ = now + absl::ToInt64Nanoseconds(absl::Seconds(1));
}

void LiveScorer::ResyncAsset(const std::string& asset_id) {
  absl::StatusOr<std::vector<v1::SourceState>> sources = store_.ReadAssetSources(asset_id);
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
      table_.SetCell(*slot, *outcome, CellFromSources(group, now));
    }
    begin = end;
  }
  PublishChanges();
}

void LiveScorer::PublishChanges() {
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
    *update.mutable_summary() = SummaryOf(slot);
    const bool met = update.summary().targets_met();
    update.set_targets_met_changed(met != published_targets_met_[slot]);
    published_targets_met_[slot] = met;
    update.set_computed_at_unix_nanos(now);
  }
  hub_.Publish(updates);
}

v1::AssetSummary LiveScorer::SummaryOf(int slot) const {
  const AssetHeadline headline = table_.Headline(slot);
  v1::AssetSummary summary;
  summary.set_asset_id(table_.id(slot));
  summary.set_implementation_group(ToWire(table_.group(slot)));
  summary.set_department_id(table_.department_id(slot));
  summary.set_supplier_id(table_.supplier_id(slot));
  summary.set_value(headline.value);
  summary.set_adjusted_value(headline.adjusted_value);
  if (headline.limiting_slot >= 0) {
    summary.set_limiting_asset_id(table_.id(headline.limiting_slot));
    summary.set_limiting_supplier_id(table_.supplier_id(headline.limiting_slot));
  }
  summary.set_coverage(
      headline.applicable == 0 ? 0 : static_cast<double>(headline.live) / headline.applicable);
  summary.set_outcomes_live(headline.live);
  summary.set_outcomes_stale(headline.stale);
  summary.set_outcomes_no_evidence(headline.no_evidence);
  summary.set_outcomes_observed(headline.live - headline.attested);
  summary.set_outcomes_attested(headline.attested);
  summary.set_target_count(static_cast<uint32_t>(table_.targets(slot).size()));
  summary.set_targets_met(headline.targets_met);
  summary.set_target_coverage(headline.target_coverage);
  summary.set_last_evidence_observed_at_unix_nanos(headline.last_evidence_unix_nanos);
  return summary;
}

std::optional<v1::AssetSummary> LiveScorer::Summary(const std::string& asset_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::optional<int> slot = table_.FindSlot(asset_id);
  if (!slot) return std::nullopt;
  return SummaryOf(*slot);
}

std::vector<v1::AssetSummary> LiveScorer::Summaries(const std::string& department_id,
                                                    const std::string& supplier_id) const {
  std::vector<v1::AssetSummary> summaries;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (int slot : table_.Slots()) {
      if (!department_id.empty() && table_.department_id(slot) != department_id) continue;
      if (!supplier_id.empty() && table_.supplier_id(slot) != supplier_id) continue;
      summaries.push_back(SummaryOf(slot));
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
  snapshot.summary = SummaryOf(*slot);
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

namespace {

void AddSetRollup(const Rollups& rollups, const SetSums& set, const std::string& key,
                  google::protobuf::RepeatedPtrField<v1::Rollup>* out) {
  if (set.total_count() == 0) return;
  v1::Rollup& rollup = *out->Add();
  rollup.set_key(key);
  rollup.set_asset_count(set.total_count());
  rollup.set_index(rollups.Index(set));
  rollup.set_adjusted_index(rollups.AdjustedIndex(set));
}

}  // namespace

v1::OrganizationScore LiveScorer::Organization() const {
  absl::ReaderMutexLock lock(&mu_);
  const Rollups& rollups = table_.rollups();
  const SetSums& organization = rollups.organization();
  v1::OrganizationScore score;
  score.set_asset_count(organization.total_count());
  score.set_index(rollups.Index(organization));
  score.set_adjusted_index(rollups.AdjustedIndex(organization));
  for (ImplementationGroup group : kAllImplementationGroups) {
    v1::Rollup& tier = *score.add_implementation_groups();
    tier.set_key(std::string(ImplementationGroupName(group)));
    tier.set_asset_count(organization.count[IndexOf(group)]);
    tier.set_index(rollups.GroupIndex(organization, group));
    tier.set_adjusted_index(rollups.GroupAdjustedIndex(organization, group));
  }
  for (size_t i = 0; i < rollups.departments().size(); ++i) {
    AddSetRollup(rollups, rollups.departments()[i], table_.department_ids()[i],
                 score.mutable_departments());
  }
  for (size_t i = 0; i < rollups.suppliers().size(); ++i) {
    AddSetRollup(rollups, rollups.suppliers()[i], table_.supplier_ids()[i],
                 score.mutable_suppliers());
  }
  for (size_t f = 0; f < catalog_.functions().size(); ++f) {
    int assets = 0;
    const double mean = rollups.FunctionMean(static_cast<int>(f), &assets);
    if (assets == 0) continue;
    v1::Rollup& rollup = *score.add_functions();
    rollup.set_key(catalog_.functions()[f].id);
    rollup.set_name(catalog_.functions()[f].name);
    rollup.set_asset_count(assets);
    rollup.set_index(mean);
  }
  for (size_t c = 0; c < catalog_.categories().size(); ++c) {
    int assets = 0;
    const double mean = rollups.CategoryMean(static_cast<int>(c), &assets);
    if (assets == 0) continue;
    v1::Rollup& rollup = *score.add_categories();
    rollup.set_key(catalog_.categories()[c].id);
    rollup.set_name(catalog_.categories()[c].name);
    rollup.set_asset_count(assets);
    rollup.set_index(mean);
  }
  for (size_t a = 0; a < catalog_.functional_areas().size(); ++a) {
    int open_gaps = 0;
    const double achievement = rollups.AreaAchievement(static_cast<int>(a), &open_gaps);
    if (achievement < 0) continue;
    v1::FunctionalAreaRollup& area = *score.add_functional_areas();
    area.set_id(catalog_.functional_areas()[a].id);
    area.set_name(catalog_.functional_areas()[a].name);
    area.set_achievement(achievement);
    area.set_open_gaps(open_gaps);
  }
  if (organization.total_count() > 0) {
    score.set_share_meeting_targets(static_cast<double>(organization.targets_met) /
                                    organization.total_count());
  }
  score.set_coverage(rollups.Coverage());
  return score;
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
    *update.mutable_summary() = SummaryOf(slot);
    update.set_computed_at_unix_nanos(now);
    watcher->Offer(update, /*initial=*/true);
  }
  return watcher;
}

void LiveScorer::Unwatch(const Watcher* watcher) { hub_.Remove(watcher); }

LiveScorerStats LiveScorer::Stats() const {
  absl::ReaderMutexLock lock(&mu_);
  LiveScorerStats stats = stats_;
  stats.memory_bytes = table_.MemoryBytes();
  stats.assets = table_.asset_count();
  stats.watchers = hub_.size();
  return stats;
}

}  // namespace postura::collector
