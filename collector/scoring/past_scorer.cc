#include "collector/scoring/past_scorer.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "collector/scoring/score_wire.h"
#include "collector/store/evidence_records.h"

namespace postura::collector {
namespace {

// Whether `a` was committed after `b`: reports of one source come from one agent, whose
// batches commit in sequence order, items in index order.
// A source's name within one (asset, outcome): agent \0 check (ids hold no '\0').
std::string SourceName(absl::string_view agent_id, absl::string_view check_id) {
  return absl::StrCat(agent_id, absl::string_view("\0", 1), check_id);
}

int64_t SaturatingAdd(int64_t unix_nanos, absl::Duration duration) {
  const int64_t nanos = absl::ToInt64Nanoseconds(duration);
  return unix_nanos > std::numeric_limits<int64_t>::max() - nanos
             ? std::numeric_limits<int64_t>::max()
             : unix_nanos + nanos;
}

v1::SourceState StateOf(const v1::StoredEvidence& record) {
  const v1::Evidence& item = record.evidence();
  v1::SourceState state;
  state.set_asset_id(item.asset_id());
  state.set_outcome_id(item.outcome_id());
  state.set_agent_id(record.agent_id());
  state.set_check_id(item.check_id());
  state.set_level(item.level());
  state.set_kind(item.kind());
  state.set_observed_at_unix_nanos(item.observed_at_unix_nanos());
  state.set_expires_at_unix_nanos(item.expires_at_unix_nanos());
  state.set_sequence(record.sequence());
  state.set_index(record.index());
  return state;
}

}  // namespace

// Why this is exact: a source's reports come from one agent's check, which observes them
// in order, and the agent's batches commit in sequence order, so a source's reports sorted
// by observed time are sorted by receipt too. The report a source had at `at` is then its
// current one if that was received by `at`, and otherwise the newest-observed report
// received by `at`, found by reading its outcome's log backward from the last instant such
// a report can have been observed at. The state family lists every source that ever
// reported (its entries go only with the asset), so no source is missed.
absl::Status PastScorer::FillAsset(ScoreTable& table, EvidenceCursor& cursor, int slot,
                                   const std::string& asset_id, int64_t at,
                                   std::vector<v1::SourceState> current,
                                   std::vector<v1::SourceState>* sources) const {
  std::vector<v1::SourceState> reports;  // Each source's report at `at`.
  // Sources whose current report came after `at` (or at an unrecorded time), by outcome.
  std::map<std::string, absl::flat_hash_set<std::string>> pending;
  for (v1::SourceState& source : current) {
    const int64_t received = source.received_at_unix_nanos();
    if (received != 0 && received <= at) {
      reports.push_back(std::move(source));
    } else {
      pending[source.outcome_id()].insert(SourceName(source.agent_id(), source.check_id()));
    }
  }
  std::vector<std::string> outcomes;
  std::vector<absl::flat_hash_set<std::string>*> waiting;
  for (auto& [outcome, names] : pending) {
    outcomes.push_back(outcome);
    waiting.push_back(&names);
  }
  absl::Status read = cursor.ForEachOutcomeEvidenceBackward(
      asset_id, outcomes, SaturatingAdd(at, kMaxObservedAheadOfReceipt),
      [&](size_t outcome, const v1::StoredEvidence& record) {
        if (record.received_at_unix_nanos() > at) return true;
        absl::flat_hash_set<std::string>& names = *waiting[outcome];
        auto source = names.find(SourceName(record.agent_id(), record.evidence().check_id()));
        if (source == names.end()) return true;
        names.erase(source);
        reports.push_back(StateOf(record));
        return !names.empty();
      });
  if (!read.ok()) return read;
  SetCells(table, slot, at, reports, sources);
  return absl::OkStatus();
}

void PastScorer::SetCells(ScoreTable& table, int slot, int64_t at,
                          std::vector<v1::SourceState>& reports,
                          std::vector<v1::SourceState>* sources) const {
  // In state key order: by outcome, then source.
  std::sort(reports.begin(), reports.end(), [](const v1::SourceState& a, const v1::SourceState& b) {
    return std::tie(a.outcome_id(), a.agent_id(), a.check_id()) <
           std::tie(b.outcome_id(), b.agent_id(), b.check_id());
  });
  for (const v1::SourceState& report : reports) {
    table.NoteEvidence(slot, report.observed_at_unix_nanos());
  }
  std::vector<v1::SourceState> group;
  auto flush = [&] {
    if (group.empty()) return;
    if (std::optional<int> outcome = catalog_.FindOutcome(group.front().outcome_id())) {
      table.SetCell(slot, *outcome, CellFromSources(group, at));
    }
    if (sources != nullptr) sources->insert(sources->end(), group.begin(), group.end());
    group.clear();
  };
  for (v1::SourceState& report : reports) {
    if (!group.empty() && group.front().outcome_id() != report.outcome_id()) flush();
    group.push_back(std::move(report));
  }
  flush();
}

absl::Status PastScorer::Fill(ScoreTable& table, const std::vector<AssetDefinition>& definitions,
                              int64_t at, bool whole_state, const std::string* keep_sources_of,
                              std::vector<v1::SourceState>* sources) const {
  for (const AssetDefinition& definition : definitions) table.PutAsset(definition);
  const std::unique_ptr<EvidenceCursor> cursor = store_.NewEvidenceCursor();
  auto fill = [&](const std::string& asset_id, std::vector<v1::SourceState> current) {
    std::optional<int> slot = table.FindSlot(asset_id);
    if (!slot) return absl::OkStatus();
    const bool keep = keep_sources_of != nullptr && *keep_sources_of == asset_id;
    return FillAsset(table, *cursor, *slot, asset_id, at, std::move(current),
                     keep ? sources : nullptr);
  };
  if (!whole_state) {
    for (const AssetDefinition& definition : definitions) {
      absl::StatusOr<std::vector<v1::SourceState>> current =
          store_.ReadAssetSources(definition.id, outcome_ids_);
      if (!current.ok()) return current.status();
      if (absl::Status s = fill(definition.id, *std::move(current)); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // One pass over the whole state, which comes asset by asset (reading each asset's state
  // on its own sorts the state family's memtable every time).
  absl::Status status;
  std::string asset_id;
  std::vector<v1::SourceState> current;
  absl::Status read = store_.ForEachState([&](const v1::SourceState& source) {
    if (source.asset_id() != asset_id) {
      if (status.ok() && !current.empty()) status = fill(asset_id, std::move(current));
      current.clear();
      asset_id = source.asset_id();
    }
    current.push_back(source);
  });
  if (status.ok() && !current.empty()) status = fill(asset_id, std::move(current));
  return read.ok() ? status : read;
}

absl::StatusOr<PastAsset> PastScorer::Asset(const std::vector<AssetDefinition>& definitions,
                                            absl::Time at) const {
  const int64_t at_nanos = absl::ToUnixNanos(at);
  const std::string& asset_id = definitions.back().id;
  ScoreTable table(catalog_);
  PastAsset past;
  if (absl::Status s =
          Fill(table, definitions, at_nanos, /*whole_state=*/false, &asset_id, &past.sources);
      !s.ok()) {
    return s;
  }
  const int slot = *table.FindSlot(asset_id);
  AssetSnapshot& snapshot = past.snapshot;
  snapshot.summary = SummaryFromTable(table, slot);
  snapshot.values = table.Values(slot);
  snapshot.targets = table.targets(slot);
  snapshot.group = table.group(slot);
  snapshot.taken_at_unix_nanos = at_nanos;
  const int outcomes = static_cast<int>(catalog_.outcomes().size());
  snapshot.cells.reserve(outcomes);
  for (int outcome = 0; outcome < outcomes; ++outcome) {
    snapshot.cells.push_back(table.cell(slot, outcome));
  }
  return past;
}

absl::StatusOr<PastOrganization> PastScorer::Organization(
    const std::vector<AssetDefinition>& definitions, absl::Time at) const {
  ScoreTable table(catalog_);
  if (absl::Status s =
          Fill(table, definitions, absl::ToUnixNanos(at), /*whole_state=*/true, nullptr, nullptr);
      !s.ok()) {
    return s;
  }
  PastOrganization past;
  past.score = OrganizationFromTable(table, catalog_);
  for (const AssetDefinition& definition : definitions) {
    if (std::optional<int> slot = table.FindSlot(definition.id)) {
      past.summaries.push_back(SummaryFromTable(table, *slot));
    }
  }
  std::sort(past.summaries.begin(), past.summaries.end(),
            [](const v1::AssetSummary& a, const v1::AssetSummary& b) {
              return a.asset_id() < b.asset_id();
            });
  return past;
}

}  // namespace postura::collector
