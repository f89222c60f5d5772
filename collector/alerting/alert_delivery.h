#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_DELIVERY_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_DELIVERY_H_

// One sink's delivery thread: takes the sink's transitions from the outbox in order,
// delivers each, removes it once the sink accepted it, and after a failure waits
// (exponential backoff, capped) and tries the same transition again. A sink that fails
// or hangs delays only its own queue: ingest and scoring never wait for deliveries, and
// the engine only appends to the outbox. Built and owned by the alert engine.
//
// Threading: thread-safe. `outbox` and `sink` are borrowed and must outlive it.

#include <cstdint>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_outbox.h"
#include "collector/alerting/alert_sink.h"

namespace postura::collector {

struct DeliveryPolicy {
  uint32_t max_attempts = 0;  // Per transition; 0: never give up.
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
};

struct DeliveryCounters {
  uint64_t ok = 0;
  uint64_t failed = 0;   // Failed attempts.
  uint64_t dropped = 0;  // Transitions given up after max_attempts.
};

class AlertDelivery {
 public:
  // Starts the thread.
  AlertDelivery(AlertOutbox& outbox, AlertSink& sink, DeliveryPolicy policy);
  // Joins the thread. REQUIRES: outbox.Stop() was called (or is called concurrently).
  ~AlertDelivery();
  // The same, earlier; the counters stay readable.
  void Join();

  DeliveryCounters counters() const;
  const std::string& sink_name() const { return sink_name_; }

  // The wait after `failures` failed attempts in a row (failures >= 1).
  static absl::Duration Backoff(const DeliveryPolicy& policy, uint32_t failures);

 private:
  void Run();
  // Delivers one transition, retrying until it is delivered, dropped, or the outbox stops.
  void DeliverOne(const v1::AlertTransition& transition);

  AlertOutbox& outbox_;
  AlertSink& sink_;
  const std::string sink_name_;
  const DeliveryPolicy policy_;
  mutable absl::Mutex mu_;
  DeliveryCounters counters_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_DELIVERY_H_
