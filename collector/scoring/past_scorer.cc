#include "collector/scoring/past_scorer.h"

#include <algorithm>
#include <map>
#include <utility>

#include "collector/scoring/score_wire.h"
#include "collector/store/store_keys.h"

namespace postura::collector {
namespace {

// Whether `a` was committed after `b`: reports of one source come from one agent, whose
// batches commit in sequence order, items in index order.
bool CommittedAfter(const v1::StoredEvidence& a, const v1::StoredEvidence& b) {
  return a.sequence() != b.sequence() ? a.sequence() > b.sequence() : a.index() > b.index();
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

absl::Status PastScorer::FillAsset(ScoreTable& table, int slot, const std::string& asset_id,
                                   int64_t at, std::vector<v1::SourceState>* sources) const {
  // Each source's last report received by `at`, by state key (so by outcome, then source).
  std::map<std::string, v1::StoredEvidence> current;
  absl::Status read = store_.ForEachAssetEvidence(asset_id, [&](const v1::StoredEvidence& r) {
    if (r.received_at_unix_nanos() > at) return;
    table.NoteEvidence(slot, r.evidence().observed_at_unix_nanos());
    std::string key =
        StateKey(asset_id, r.evidence().outcome_id(), r.agent_id(), r.evidence().check_id());
    auto [it, inserted] = current.try_emplace(std::move(key), r);
    if (!inserted && CommittedAfter(r, it->second)) it->second = r;
  });
  if (!read.ok()) return read;
  std::vector<v1::SourceState> group;
  auto flush = [&] {
    if (group.empty()) return;
    if (std::optional<int> outcome = catalog_.FindOutcome(group.front().outcome_id())) {
      table.SetCell(slot, *outcome, CellFromSources(group, at));
    }
    if (sources != nullptr) sources->insert(sources->end(), group.begin(), group.end());
    group.clear();
  };
  for (const auto& [key, record] : current) {
    if (!group.empty() && group.front().outcome_id() != record.evidence().outcome_id()) flush();
    group.push_back(StateOf(record));
  }
  flush();
  return absl::OkStatus();
}

absl::Status PastScorer::Fill(ScoreTable& table, const std::vector<AssetDefinition>& definitions,
                              int64_t at, const std::string* keep_sources_of,
                              std::vector<v1::SourceState>* sources) const {
  for (const AssetDefinition& definition : definitions) table.PutAsset(definition);
  for (const AssetDefinition& definition : definitions) {
    std::optional<int> slot = table.FindSlot(definition.id);
    if (!slot) continue;
    const bool keep = keep_sources_of != nullptr && *keep_sources_of == definition.id;
    if (absl::Status s = FillAsset(table, *slot, definition.id, at, keep ? sources : nullptr);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PastAsset> PastScorer::Asset(const std::vector<AssetDefinition>& definitions,
                                            absl::Time at) const {
  const int64_t at_nanos = absl::ToUnixNanos(at);
  const std::string& asset_id = definitions.back().id;
  ScoreTable table(catalog_);
  PastAsset past;
  if (absl::Status s = Fill(table, definitions, at_nanos, &asset_id, &past.sources); !s.ok()) {
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
  if (absl::Status s = Fill(table, definitions, absl::ToUnixNanos(at), nullptr, nullptr); !s.ok()) {
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
