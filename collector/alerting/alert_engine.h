#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_ENGINE_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_ENGINE_H_

// The alert engine: evaluates the configured rules against live scoring and the agents'
// last batches, records each transition (after its hold-down) in the store's durable
// outbox together with the alert's state, and hands the outbox to one delivery thread per
// sink. Built by the collector's composition root after the live scorer and stopped
// before it; the API renders Stats() on /metrics.
//
// Threading: Stats() from any thread.

#include <cstdint>
#include <map>
#include <string>

namespace postura::collector {

// What the engine exposes for /metrics (collector/api renders it; it knows no format).
struct AlertingStats {
  // Alerts firing now, by rule name (every configured rule present, 0 when none fire).
  std::map<std::string, uint64_t> firing_by_rule;
  // Transitions ever recorded, by rule name, since start.
  std::map<std::string, uint64_t> transitions_by_rule;
  // Per sink (by AlertSink::name()).
  struct Sink {
    uint64_t outbox_depth = 0;              // Transitions waiting for this sink.
    uint64_t deliveries_ok = 0;             // Since start.
    uint64_t deliveries_failed = 0;         // Failed attempts since start (each retry counts).
    uint64_t deliveries_dropped = 0;        // Given up after max_attempts, since start.
    int64_t oldest_waiting_unix_nanos = 0;  // Of the oldest waiting transition; 0 if none.
  };
  std::map<std::string, Sink> sinks;
  // Transitions waiting in the outbox for at least one sink.
  uint64_t outbox_depth = 0;
  // Failed writes of the outbox (the engine retries them).
  uint64_t outbox_write_errors = 0;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_ENGINE_H_
