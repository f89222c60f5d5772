#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_OUTBOX_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_OUTBOX_H_

// The durable outbox of alert transitions, in the store's "alerts" family. Record writes
// a transition once per sink, the alert's state (a firing alert's record, removed when it
// resolves) and the last sequence number in one synced write, before any delivery: once
// Record returns OK the transition survives a crash and will be delivered, and the
// alert's state matches it, so a restarted collector neither fires it again nor
// forgets to resolve it. Each sink's delivery thread takes its transitions in sequence
// order (Next) and removes each once delivered (Remove).
//
// Keys: "alert/<id>" -> the firing transition (v1::AlertTransition);
//       "outbox/<sink>\0<sequence, 8 bytes big-endian>" -> the transition;
//       "meta/sequence" -> the last sequence given (8 bytes big-endian).
//
// Threading: thread-safe. Record from the engine's thread; Next, Wait and Remove from each
// sink's delivery thread; Stats from any. `store` is borrowed and must outlive the outbox.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/store/evidence_store.h"
#include "postura/v1/alert.pb.h"

namespace postura::collector {

class AlertOutbox {
 public:
  // Loads the outbox and the firing alerts. Transitions waiting for a sink that is no
  // longer configured are deleted (and logged). DataLoss if a record is corrupt;
  // Unavailable if the store failed.
  static absl::StatusOr<std::unique_ptr<AlertOutbox>> Open(EvidenceStore& store,
                                                           std::vector<std::string> sinks);

  // The alerts that were firing when the outbox was opened.
  const std::vector<v1::AlertTransition>& firing_at_open() const { return firing_at_open_; }

  // Gives `transition` the next sequence and its idempotency key, and writes it for every
  // sink together with the alert's state. On error (the store's) nothing is written and
  // the sequence is not used.
  absl::Status Record(v1::AlertTransition& transition);

  // The oldest transition waiting for `sink`, waiting up to `timeout` for one; nullopt if
  // none came or the outbox is stopping. Unavailable / DataLoss if it could not be read.
  absl::StatusOr<std::optional<v1::AlertTransition>> Next(const std::string& sink,
                                                          absl::Duration timeout);
  // Removes a delivered (or abandoned) transition from `sink`'s queue.
  absl::Status Remove(const std::string& sink, uint64_t sequence);
  // Wakes every Next; later ones return at once.
  void Stop();
  // Waits up to `timeout` for Stop; true once stopping. For delivery threads' backoff.
  bool WaitForStop(absl::Duration timeout);

  struct SinkDepth {
    uint64_t waiting = 0;
    int64_t oldest_unix_nanos = 0;  // at_unix_nanos of the oldest waiting; 0 if none.
  };
  std::map<std::string, SinkDepth> Depths() const;
  // Transitions waiting for at least one sink.
  uint64_t depth() const;

  // Key layout, for tests.
  static std::string OutboxKey(absl::string_view sink, uint64_t sequence);

 private:
  explicit AlertOutbox(EvidenceStore& store) : store_(store) {}
  absl::Status Load(const std::vector<std::string>& sinks);

  struct Waiting {
    uint64_t sequence = 0;
    int64_t at_unix_nanos = 0;
  };
  EvidenceStore& store_;
  std::vector<v1::AlertTransition> firing_at_open_;
  mutable absl::Mutex mu_;
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::deque<Waiting>> queues_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, int> sinks_waiting_ ABSL_GUARDED_BY(mu_);  // By sequence.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_OUTBOX_H_
