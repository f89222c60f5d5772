#ifndef POSTURA_COLLECTOR_SCORING_SCORING_INBOX_H_
#define POSTURA_COLLECTOR_SCORING_SCORING_INBOX_H_

// The hand-over between the threads that produce scoring work and LiveScorer's scoring
// thread: reports the ingest writer made durable, assets whose stored reports must be
// read again, and when the next stored report expires. Producers (the ingest writer, the
// registry's observer calls, tests through LiveScorer::Flush) never wait on scoring;
// the scoring thread takes everything handed over as one round.
//
// A report supersedes an earlier one from the same source (the same state key) that is
// still waiting: scoring reads the newest state anyway, so only the newest is kept. While
// scoring keeps up this changes nothing; when it falls behind, the inbox holds at most one
// report per source instead of every report since the last round, and the scoring thread
// catches up by skipping work whose result would be overwritten at once.
//
// The waiting reports take at most max_pending_bytes (PendingBytes each). A report that
// finds the inbox full is not kept: its asset is marked for a resync instead, which reads
// the asset's newest state from the store (every report handed over is committed there).
// The marks are one per asset, so however far scoring falls behind, the inbox holds at most
// the budget and the asset ids; scores then lag by a pass over the marked assets.
//
// Thread-safe. Take and Finish are for the one consumer thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/store/evidence_records.h"
#include "common/base/clock.h"

namespace postura::collector {

// `clock` is borrowed and must outlive the inbox; it decides when an expiry is due.
class ScoringInbox {
 public:
  // Everything handed over since the previous round.
  struct Round {
    // In commit order of each source's first waiting report; each source's newest only.
    std::vector<SourceUpdate> updates;
    uint64_t superseded = 0;  // Reports handed over and replaced by newer ones.
    // Asset ids: those handed over (in that order), then those whose reports found the
    // inbox full. Scoring applies them after `updates`, as they read the newest state.
    std::vector<std::string> resyncs;
    uint64_t overflowed = 0;  // Reports not kept because the inbox was full.
    // When the oldest of `updates` was handed over (real time); unset if there are none.
    absl::Time updates_since;
    uint64_t ticket = 0;  // Pass to Finish once the round is applied.
  };

  static constexpr size_t kDefaultMaxPendingBytes = 8 << 20;

  explicit ScoringInbox(Clock& clock, size_t max_pending_bytes = kDefaultMaxPendingBytes)
      : clock_(clock), max_pending_bytes_(max_pending_bytes) {}

  // The memory one waiting report takes: the entry, its key's heap and its index entry.
  static size_t PendingBytes(const SourceUpdate& update);

  // Hands over reports just made durable, and brings the next expiry forward to theirs.
  // Each replaces a waiting report with the same state key.
  void AddUpdates(std::vector<SourceUpdate> updates);
  // Asks for the asset's stored reports to be read again.
  void AddResync(std::string asset_id);
  // Blocks until every piece of work handed over before the call is finished, or Stop
  // was called.
  void Flush();
  // Ends the rounds: Take returns nullopt from now on, and Flush returns.
  void Stop();

  // Waits at most `max_wait`, less if the next expiry comes sooner, for work, a due
  // expiry or Stop. Then returns the round (possibly empty), or nullopt after Stop.
  std::optional<Round> Take(absl::Duration max_wait);
  // Marks the work of a round taken with `ticket` as finished, releasing Flush calls.
  void Finish(uint64_t ticket);

  // True if the next expiry is due at `now_unix_nanos`.
  bool ExpiryDue(int64_t now_unix_nanos);
  // The PendingBytes of the reports waiting now.
  size_t pending_bytes() const;

  // Sets when the next expiry is due; INT64_MAX for never.
  void SetNextExpiry(int64_t unix_nanos);
  // The same with the time `next` returns, called under the inbox's lock so that an
  // expiry handed over meanwhile (AddUpdates) is not lost. `next` must be quick-ish and
  // must not call back into the inbox.
  void SetNextExpiry(absl::FunctionRef<int64_t()> next);

 private:
  int64_t NowNanos() const { return absl::ToUnixNanos(clock_.TimeNow()); }

  // Adds `update` to pending_, or replaces the waiting report of the same source, or
  // marks its asset for a resync when pending_ is full.
  void AddOne(SourceUpdate& update) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  const size_t max_pending_bytes_;
  mutable absl::Mutex mu_;
  size_t pending_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Assets whose reports found pending_ full, and how many reports did.
  absl::flat_hash_set<std::string> overflowed_assets_ ABSL_GUARDED_BY(mu_);
  uint64_t overflowed_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<SourceUpdate> pending_ ABSL_GUARDED_BY(mu_);
  // Position in pending_ by hash of the state key. Two keys with the same hash are rare
  // and harmless: the second is appended unindexed, and scoring applies both.
  absl::flat_hash_map<size_t, uint32_t> pending_by_key_hash_ ABSL_GUARDED_BY(mu_);
  uint64_t superseded_ ABSL_GUARDED_BY(mu_) = 0;  // Since the last Take.
  std::vector<std::string> pending_resyncs_ ABSL_GUARDED_BY(mu_);
  int64_t next_expiry_ ABSL_GUARDED_BY(mu_) = INT64_MAX;
  absl::Time pending_since_ ABSL_GUARDED_BY(mu_);  // Hand-over of the oldest pending.
  uint64_t handed_over_ ABSL_GUARDED_BY(mu_) = 0;  // Pieces of work received.
  uint64_t finished_ ABSL_GUARDED_BY(mu_) = 0;     // Pieces of work applied.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_SCORING_INBOX_H_
