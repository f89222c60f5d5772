#ifndef POSTURA_COLLECTOR_SCORING_WATCH_HUB_H_
#define POSTURA_COLLECTOR_SCORING_WATCH_HUB_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// Which score updates a watcher wants (see v1::WatchRequest).
struct WatchFilter {
  absl::flat_hash_set<std::string> asset_ids;  // Empty: every asset.
  std::string department_id;                   // Empty: any.
  std::string supplier_id;                     // Empty: any.
  bool only_target_transitions = false;

  static WatchFilter FromRequest(const v1::WatchRequest& request);
  // `initial` marks the snapshot sent when the watch starts, which ignores
  // only_target_transitions.
  bool Matches(const v1::ScoreUpdate& update, bool initial) const;
};

// One subscriber's queue of score updates, coalesced per asset: while an update waits,
// a newer one for the same asset replaces it in place, so the queue never holds more
// than one update per asset and a slow reader costs the publisher a map insert.
// Thread-safe.
class Watcher {
 public:
  // `on_ready`, if set, is called (without locks held) whenever the queue goes from empty
  // to non-empty.
  Watcher(WatchFilter filter, std::function<void()> on_ready);

  // Queues the update if the filter matches.
  void Offer(const v1::ScoreUpdate& update, bool initial = false);
  // The oldest waiting update, if any.
  std::optional<v1::ScoreUpdate> TryTake();
  // Waits up to `timeout` for an update; nullopt on timeout or once closed.
  std::optional<v1::ScoreUpdate> Take(absl::Duration timeout);
  // Wakes every Take; later Offers are ignored.
  void Close();
  bool closed() const;

  // Updates replaced by a newer one before they were taken.
  uint64_t coalesced() const;

 private:
  const WatchFilter filter_;
  const std::function<void()> on_ready_;
  mutable absl::Mutex mu_;
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);  // Asset ids, oldest first.
  absl::flat_hash_map<std::string, v1::ScoreUpdate> waiting_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t coalesced_ ABSL_GUARDED_BY(mu_) = 0;
};

// The set of live watchers. Thread-safe.
class WatchHub {
 public:
  void Add(std::shared_ptr<Watcher> watcher);
  void Remove(const Watcher* watcher);
  // Offers every update to every watcher.
  void Publish(const std::vector<v1::ScoreUpdate>& updates);
  // Closes every watcher (at shutdown).
  void CloseAll();
  int size() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_WATCH_HUB_H_
