#ifndef POSTURA_AGENT_DELIVERY_SPOOL_SUPERSEDE_H_
#define POSTURA_AGENT_DELIVERY_SPOOL_SUPERSEDE_H_

// What a full spool may give up first: items that a newer item of the same source (the
// same check on the same asset and outcome) has superseded. The collector keeps only each
// source's newest report for scoring, so a superseded item costs the evidence log one
// entry, where dropping a source's newest item would leave its outcome unreported.
//
// Used by Spool (agent/delivery/spool.cc) under its lock; not thread-safe itself. The
// functions are pure.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::agent {

// Gives each source a small number, so the spool can remember the source of every item it
// holds in 4 bytes rather than by its ids. Numbers are never reused.
class SourceIds {
 public:
  // The number of `item`'s source (check, asset and outcome).
  uint32_t IdOf(const v1::Evidence& item);
  // The numbers of the items of `batch`, in item order.
  std::vector<uint32_t> IdsOf(const v1::Batch& batch);
  std::size_t size() const { return ids_.size(); }

 private:
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

// For each source, the sequence of the newest spooled batch that holds one of its items.
using NewestBatchOfSource = absl::flat_hash_map<uint32_t, uint64_t>;

// Notes the items of batch `sequence` (their sources in `sources`); batches must be noted
// oldest first.
void NoteBatch(uint64_t sequence, const std::vector<uint32_t>& sources,
               NewestBatchOfSource& newest);

// How many items of batch `sequence` a newer batch supersedes.
uint32_t CountSuperseded(uint64_t sequence, const std::vector<uint32_t>& sources,
                         const NewestBatchOfSource& newest);

// Removes the superseded items from `batch` (their sources in `sources`, updated to match
// what is left). Returns how many it removed.
uint32_t RemoveSuperseded(v1::Batch& batch, std::vector<uint32_t>& sources,
                          const NewestBatchOfSource& newest);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_SPOOL_SUPERSEDE_H_
