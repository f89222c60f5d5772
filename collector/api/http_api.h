#ifndef POSTURA_COLLECTOR_API_HTTP_API_H_
#define POSTURA_COLLECTOR_API_HTTP_API_H_

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

#include "collector/access/gatekeeper.h"
#include "collector/access/session_book.h"
#include "collector/alerting/alert_engine.h"
#include "collector/api/grpc_listener.h"
#include "collector/api/http_server.h"
#include "collector/api/past_queries.h"
#include "collector/api/score_queries.h"
#include "collector/api/workflow_reminders.h"
#include "collector/history/history_recorder.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/replication/replicated_ingest.h"
#include "collector/scoring/live_scorer.h"
#include "collector/sector/sector_feed.h"
#include "collector/sector/sector_publisher.h"
#include "collector/store/evidence_store.h"

namespace postura::collector {

// What the HTTP API reads. Everything borrowed must outlive the routes.
struct HttpApiSources {
  const ScoreQueries* queries = nullptr;
  const PastQueries* past = nullptr;  // For ?as_of= (past_routes.h has the other routes).
  LiveScorer* scorer = nullptr;
  const IngestWriter* writer = nullptr;
  const EvidenceStore* store = nullptr;  // For its memory figures.
  std::function<uint64_t()> open_streams;
  const Catalog* catalog = nullptr;
  const Gatekeeper* gate = nullptr;  // Admits every route but /healthz and the session.
  SessionBook* sessions = nullptr;   // The dashboard's sessions (the gate resumes them).
  // When the server's TLS certificate expires: exported, so that it can be alerted on.
  // When the served TLS certificate expires, now (a reload may replace it); null: none.
  std::function<absl::Time()> tls_certificate_not_after;
  // The alert engine's figures (alert_metrics.h); unset when alerting is not configured.
  std::function<std::optional<AlertingStats>()> alerting_stats;
  // The evidence workflow's reminders for one event stream; unset: none.
  std::function<std::unique_ptr<ReminderFeed>(const Principal&)> reminders;
  // The HTTPS listener's connection figures; nullopt before it listens. Unset: none.
  std::function<std::optional<HttpListenerStats>()> http_listener_stats;
  // The gRPC listener's connection figures. Unset: none.
  std::function<GrpcListenerStats()> grpc_listener_stats;
  // The history recorder's figures (history_metrics.h). Unset: none.
  std::function<HistoryRecorderStats()> history_stats;
  // Cluster mode's figures (replication_metrics.h). Unset: a single collector.
  std::function<ReplicationStats()> replication_stats;
  // Sector mode's view (sector_routes.h); null unless the collector is a sector's.
  const SectorFeed* sector_feed = nullptr;
  // The organisation's publisher to its sector (sector_metrics.h); null unless publishing.
  const SectorPublisher* sector_publisher = nullptr;
};

// http_listener_stats for a server published in `published` once it listens (null
// before); `published` must outlive the function.
std::function<std::optional<HttpListenerStats>()> PublishedListenerStats(
    const std::atomic<const HttpServer*>& published);

// The collector's HTTP surface, the same answers as QueryService as JSON, admitted and
// scoped as QueryService's (access_policy.h). Credentials: "Authorization: Bearer <token>"
// or the session cookie.
//   GET /healthz                                   "ok" (no credential)
//   POST /api/v1/session                           opens a session for the bearer token,
//                                                  once checked; the cookie names it (204)
//   DELETE /api/v1/session                         ends that session, clears the cookie (204)
//   GET /api/v1/whoami                              Credential: id, role, tenant
//   GET /api/v1/organization[?as_of=T]              OrganizationScore (as it was at T)
//   GET /api/v1/assets[?department=D&supplier=S]    ListAssetScoresResponse
//   GET /api/v1/assets/{asset_id}[?as_of=T]         AssetScore (T: past_routes.h)
//   GET /api/v1/assets/{asset_id}/gaps              Gaps
//   GET /api/v1/assets/{asset_id}/outcomes/{outcome_id}/evidence[?from=&to=&limit=]
//                                                   EvidenceHistory (times: Unix nanoseconds)
//   GET /api/v1/assets/{asset_id}/plan[?lock=OUTCOME...]  AssetPlan
//   GET /metrics                                    Prometheus text format
// and the live stream:
//   GET /api/v1/events[?asset=A&asset=B&department=D&supplier=S&only_target_transitions=1]
//   Server-Sent Events named "score", each a ScoreUpdate as JSON, and "reminder", each a
//   deadline of the evidence workflow the caller may see (workflow_reminders.h), whatever
//   the filters.
std::vector<HttpRoute> ApiRoutes(const HttpApiSources& sources);
std::vector<HttpStreamRoute> ApiStreamRoutes(const HttpApiSources& sources);

// The /metrics page.
std::string RenderMetrics(const HttpApiSources& sources);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HTTP_API_H_
