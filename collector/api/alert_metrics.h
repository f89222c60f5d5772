#ifndef POSTURA_COLLECTOR_API_ALERT_METRICS_H_
#define POSTURA_COLLECTOR_API_ALERT_METRICS_H_

// The alert engine's figures (AlertingStats, collector/alerting/alert_engine.h) on the
// /metrics page: alerts firing per rule, transitions, the outbox and each sink's
// deliveries. RenderMetrics (http_api.cc) calls it when alerting is configured; the
// shipped Prometheus rules (deploy/prometheus/postura-alerts.yml) alert on these names.
//
// Threading: a pure function of its arguments; `out` is the caller's.

#include "absl/time/time.h"
#include "collector/alerting/alert_engine.h"
#include "collector/api/prometheus_text.h"

namespace postura::collector {

// Writes every family below, with a sample per rule or sink of `stats`:
//   postura_alerts_firing{rule}                           gauge
//   postura_alert_transitions_total{rule}                 counter
//   postura_alert_outbox_pending                          gauge
//   postura_alert_outbox_write_errors_total               counter
//   postura_alert_sink_pending{sink}                      gauge
//   postura_alert_sink_oldest_waiting_seconds{sink}       gauge (0 when nothing waits)
//   postura_alert_deliveries_total{sink,result}           counter, result ok|failed|dropped
// `now` dates the oldest waiting transitions.
void WriteAlertingMetrics(const AlertingStats& stats, absl::Time now, PrometheusText& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_ALERT_METRICS_H_
