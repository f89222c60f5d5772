#include "agent/delivery/spool_supersede.h"

#include "absl/strings/str_cat.h"

namespace postura::agent {
namespace {

bool Superseded(uint64_t sequence, uint32_t source, const NewestBatchOfSource& newest) {
  auto it = newest.find(source);
  return it != newest.end() && it->second > sequence;
}

}  // namespace

uint32_t SourceIds::IdOf(const v1::Evidence& item) {
  // Ids hold no '\0' (the collector refuses them), so the key is unambiguous.
  std::string key = absl::StrCat(item.check_id(), absl::string_view("\0", 1), item.asset_id(),
                                 absl::string_view("\0", 1), item.outcome_id());
  return ids_.try_emplace(std::move(key), static_cast<uint32_t>(ids_.size())).first->second;
}

std::vector<uint32_t> SourceIds::IdsOf(const v1::Batch& batch) {
  std::vector<uint32_t> sources;
  sources.reserve(batch.items_size());
  for (const v1::Evidence& item : batch.items()) sources.push_back(IdOf(item));
  return sources;
}

void NoteBatch(uint64_t sequence, const std::vector<uint32_t>& sources,
               NewestBatchOfSource& newest) {
  for (uint32_t source : sources) newest[source] = sequence;
}

uint32_t CountSuperseded(uint64_t sequence, const std::vector<uint32_t>& sources,
                         const NewestBatchOfSource& newest) {
  uint32_t count = 0;
  for (uint32_t source : sources) count += Superseded(sequence, source, newest) ? 1 : 0;
  return count;
}

uint32_t RemoveSuperseded(v1::Batch& batch, std::vector<uint32_t>& sources,
                          const NewestBatchOfSource& newest) {
  if (static_cast<std::size_t>(batch.items_size()) != sources.size()) return 0;
  v1::Batch kept;
  kept.set_sequence(batch.sequence());
  kept.set_dropped_items_total(batch.dropped_items_total());
  std::vector<uint32_t> kept_sources;
  for (int i = 0; i < batch.items_size(); ++i) {
    if (Superseded(batch.sequence(), sources[i], newest)) continue;
    *kept.add_items() = std::move(*batch.mutable_items(i));
    kept_sources.push_back(sources[i]);
  }
  const uint32_t removed = static_cast<uint32_t>(batch.items_size() - kept.items_size());
  batch = std::move(kept);
  sources = std::move(kept_sources);
  return removed;
}

}  // namespace postura::agent
