#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_SINK_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_SINK_H_

// A receiver of alert transitions: a webhook (webhook_sink.h), syslog (syslog_sink.h).
// The alert engine's delivery threads (alert_delivery.h) call Deliver for each transition
// in the outbox, in order, one sink per thread, and retry with backoff until it returns OK.
//
// Threading: Deliver is called from one delivery thread at a time; name() from any thread.

#include <string>

#include "absl/status/status.h"
#include "postura/v1/alert.pb.h"

namespace postura::collector {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Stable across restarts (the outbox keys each sink's queue by it), e.g. "webhook-1".
  virtual std::string name() const = 0;
  // Delivers one transition; OK only once the receiver accepted it. Must return within its
  // configured timeout. Any error means "try again later" (the code and message are logged
  // and counted); the same transition, with the same idempotency key, comes again.
  virtual absl::Status Deliver(const v1::AlertTransition& transition) = 0;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_SINK_H_
