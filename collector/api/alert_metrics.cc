#include "collector/api/alert_metrics.h"

#include <algorithm>

namespace postura::collector {
namespace {

void WriteRuleMetrics(const AlertingStats& stats, PrometheusText& out) {
  out.Family("postura_alerts_firing", "Alerts firing now, by rule.", "gauge");
  for (const auto& [rule, firing] : stats.firing_by_rule) {
    out.Sample("postura_alerts_firing", {{"rule", rule}}, static_cast<double>(firing));
  }
  out.Family("postura_alert_transitions_total",
             "Alert transitions (firing or resolved) recorded in the outbox, by rule.", "counter");
  for (const auto& [rule, transitions] : stats.transitions_by_rule) {
    out.Sample("postura_alert_transitions_total", {{"rule", rule}},
               static_cast<double>(transitions));
  }
}

// How long the oldest transition waiting for a sink has waited; 0 when none waits.
double OldestWaitingSeconds(const AlertingStats::Sink& sink, absl::Time now) {
  if (sink.oldest_waiting_unix_nanos == 0) return 0;
  const absl::Duration waited = now - absl::FromUnixNanos(sink.oldest_waiting_unix_nanos);
  return std::max(0.0, absl::ToDoubleSeconds(waited));
}

void WriteSinkMetrics(const AlertingStats& stats, absl::Time now, PrometheusText& out) {
  out.Family("postura_alert_sink_pending", "Transitions waiting for this sink.", "gauge");
  for (const auto& [name, sink] : stats.sinks) {
    out.Sample("postura_alert_sink_pending", {{"sink", name}},
               static_cast<double>(sink.outbox_depth));
  }
  out.Family("postura_alert_sink_oldest_waiting_seconds",
             "How long the oldest transition waiting for this sink has waited (0: none waits).",
             "gauge");
  for (const auto& [name, sink] : stats.sinks) {
    out.Sample("postura_alert_sink_oldest_waiting_seconds", {{"sink", name}},
               OldestWaitingSeconds(sink, now));
  }
  out.Family("postura_alert_deliveries_total",
             "Delivery attempts by sink and result: ok, failed (retried), dropped (given up "
             "after max_attempts).",
             "counter");
  for (const auto& [name, sink] : stats.sinks) {
    out.Sample("postura_alert_deliveries_total", {{"sink", name}, {"result", "ok"}},
               static_cast<double>(sink.deliveries_ok));
    out.Sample("postura_alert_deliveries_total", {{"sink", name}, {"result", "failed"}},
               static_cast<double>(sink.deliveries_failed));
    out.Sample("postura_alert_deliveries_total", {{"sink", name}, {"result", "dropped"}},
               static_cast<double>(sink.deliveries_dropped));
  }
}

}  // namespace

void WriteAlertingMetrics(const AlertingStats& stats, absl::Time now, PrometheusText& out) {
  WriteRuleMetrics(stats, out);
  out.Family("postura_alert_outbox_pending",
             "Transitions in the durable outbox waiting for at least one sink.", "gauge");
  out.Sample("postura_alert_outbox_pending", {}, static_cast<double>(stats.outbox_depth));
  out.Family("postura_alert_outbox_write_errors_total",
             "Failed writes of the outbox (the engine retries them).", "counter");
  out.Sample("postura_alert_outbox_write_errors_total", {},
             static_cast<double>(stats.outbox_write_errors));
  WriteSinkMetrics(stats, now, out);
}

}  // namespace postura::collector
