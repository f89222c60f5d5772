#include "collector/api/alert_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

TEST(AlertMetricsTest, WritesRulesOutboxAndEverySinksDeliveriesExactly) {
  AlertingStats stats;
  stats.firing_by_rule = {{"below-target", 3}, {"silent", 0}};
  stats.transitions_by_rule = {{"below-target", 7}, {"silent", 2}};
  stats.outbox_depth = 4;
  stats.outbox_write_errors = 1;
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  AlertingStats::Sink webhook;
  webhook.outbox_depth = 4;
  webhook.deliveries_ok = 10;
  webhook.deliveries_failed = 5;
  webhook.deliveries_dropped = 1;
  webhook.oldest_waiting_unix_nanos = absl::ToUnixNanos(now - absl::Seconds(90));
  AlertingStats::Sink syslog;
  syslog.deliveries_ok = 12;
  stats.sinks = {{"webhook-1", webhook}, {"syslog-1", syslog}};

  PrometheusText out;
  WriteAlertingMetrics(stats, now, out);
  EXPECT_EQ(out.Take(),
            "# HELP postura_alerts_firing Alerts firing now, by rule.\n"
            "# TYPE postura_alerts_firing gauge\n"
            "postura_alerts_firing{rule=\"below-target\"} 3\n"
            "postura_alerts_firing{rule=\"silent\"} 0\n"
            "# HELP postura_alert_transitions_total Alert transitions (firing or resolved) "
            "recorded in the outbox, by rule.\n"
            "# TYPE postura_alert_transitions_total counter\n"
            "postura_alert_transitions_total{rule=\"below-target\"} 7\n"
            "postura_alert_transitions_total{rule=\"silent\"} 2\n"
            "# HELP postura_alert_outbox_pending Transitions in the durable outbox waiting for "
            "at least one sink.\n"
            "# TYPE postura_alert_outbox_pending gauge\n"
            "postura_alert_outbox_pending 4\n"
            "# HELP postura_alert_outbox_write_errors_total Failed writes of the outbox (the "
            "engine retries them).\n"
            "# TYPE postura_alert_outbox_write_errors_total counter\n"
            "postura_alert_outbox_write_errors_total 1\n"
            "# HELP postura_alert_sink_pending Transitions waiting for this sink.\n"
            "# TYPE postura_alert_sink_pending gauge\n"
            "postura_alert_sink_pending{sink=\"syslog-1\"} 0\n"
            "postura_alert_sink_pending{sink=\"webhook-1\"} 4\n"
            "# HELP postura_alert_sink_oldest_waiting_seconds How long the oldest transition "
            "waiting for this sink has waited (0: none waits).\n"
            "# TYPE postura_alert_sink_oldest_waiting_seconds gauge\n"
            "postura_alert_sink_oldest_waiting_seconds{sink=\"syslog-1\"} 0\n"
            "postura_alert_sink_oldest_waiting_seconds{sink=\"webhook-1\"} 90\n"
            "# HELP postura_alert_deliveries_total Delivery attempts by sink and result: ok, "
            "failed (retried), dropped (given up after max_attempts).\n"
            "# TYPE postura_alert_deliveries_total counter\n"
            "postura_alert_deliveries_total{sink=\"syslog-1\",result=\"ok\"} 12\n"
            "postura_alert_deliveries_total{sink=\"syslog-1\",result=\"failed\"} 0\n"
            "postura_alert_deliveries_total{sink=\"syslog-1\",result=\"dropped\"} 0\n"
            "postura_alert_deliveries_total{sink=\"webhook-1\",result=\"ok\"} 10\n"
            "postura_alert_deliveries_total{sink=\"webhook-1\",result=\"failed\"} 5\n"
            "postura_alert_deliveries_total{sink=\"webhook-1\",result=\"dropped\"} 1\n");
}

TEST(AlertMetricsTest, AnOldestTransitionDatedAfterNowCountsAsNotWaiting) {
  AlertingStats stats;
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  AlertingStats::Sink sink;
  sink.oldest_waiting_unix_nanos = absl::ToUnixNanos(now + absl::Seconds(5));  // Clock step.
  stats.sinks = {{"webhook-1", sink}};
  PrometheusText out;
  WriteAlertingMetrics(stats, now, out);
  EXPECT_THAT(out.Take(), ::testing::HasSubstr(
                              "postura_alert_sink_oldest_waiting_seconds{sink=\"webhook-1\"} 0\n"));
}

}  // namespace
}  // namespace postura::collector
