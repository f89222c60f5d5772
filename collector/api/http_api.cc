#include "collector/api/http_api.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/api/alert_metrics.h"
#include "collector/api/history_metrics.h"
#include "collector/api/http_admit.h"
#include "collector/api/memory_metrics.h"
#include "collector/api/past_routes.h"
#include "collector/api/prometheus_text.h"
#include "collector/api/replication_metrics.h"
#include "collector/api/sector_metrics.h"
#include "google/protobuf/util/json_util.h"

namespace postura::collector {
namespace {

// Parses an integer query parameter (absent: 0).
absl::StatusOr<int64_t> IntParam(const HttpRequest& request, const std::string& name) {
  const std::string text = QueryParam(request, name);
  int64_t value = 0;
  if (!text.empty() && !absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "query parameter ", name, " must be an integer, not '", text.substr(0, 40), "'"));
  }
  return value;
}

HttpResponse EvidenceHistory(const ScoreQueries& queries, const Principal& principal,
                             const HttpRequest& request) {
  v1::GetEvidenceHistoryRequest query;
  query.set_asset_id(request.path_params.at("asset_id"));
  query.set_outcome_id(request.path_params.at("outcome_id"));
  for (const auto& [name, setter] :
       std::vector<std::pair<std::string, std::function<void(int64_t)>>>{
           {"from", [&](int64_t v) { query.set_from_unix_nanos(v); }},
           {"to", [&](int64_t v) { query.set_to_unix_nanos(v); }},
           {"limit", [&](int64_t v) {
              query.set_limit(static_cast<uint32_t>(std::clamp<int64_t>(v, 0, UINT32_MAX)));
            }}}) {
    absl::StatusOr<int64_t> value = IntParam(request, name);
    if (!value.ok()) return ErrorResponse(value.status());
    setter(*value);
  }
  return JsonOrError(queries.GetEvidenceHistory(principal, query));
}

// A watch as an event stream: each update is one "score" event; the evidence workflow's
// reminders the principal may see come between them as "reminder" events
// (workflow_reminders.h).
class ScoreEventSource : public SseSource {
 public:
  // Streams to `principal` for as long as its credential stays live and, when a dashboard
  // session admitted it, that session stays open (`sessions`). `reminders` may be null.
  ScoreEventSource(LiveScorer& scorer, const ScoreQueries& queries, WatchFilter filter,
                   const Gatekeeper& gate, const SessionBook* sessions, Principal principal,
                   std::unique_ptr<ReminderFeed> reminders)
      : scorer_(scorer),
        queries_(queries),
        gate_(gate),
        sessions_(sessions),
        principal_(std::move(principal)),
        reminders_(std::move(reminders)),
        watcher_(scorer.Watch(std::move(filter), nullptr)) {}
  ~ScoreEventSource() override {
    scorer_.Unwatch(watcher_.get());
    watcher_->Close();
  }

  std::optional<SseEvent> Next(absl::Duration timeout) override {
    if (!gate_.StillAdmitted(principal_) || !SessionStillOpen()) {
      revoked_ = true;
      return std::nullopt;
    }
    if (reminders_ != nullptr) {
      if (std::optional<SseEvent> reminder = reminders_->Next()) return reminder;
    }
    std::optional<v1::ScoreUpdate> update = watcher_->Take(timeout);
    if (!update) return std::nullopt;
    queries_.AddName(*update->mutable_summary());
    HideForeignLimit(principal_, *update->mutable_summary());
    SseEvent event;
    event.event = "score";
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(*update, &event.data, options).ok()) {
      return std::nullopt;
    }
    return event;
  }
  bool Done() const override { return revoked_ || watcher_->closed(); }

 private:
  bool SessionStillOpen() const {
    return principal_.session_key.empty() ||
           (sessions_ != nullptr && sessions_->IsLive(principal_.session_key));
  }

  LiveScorer& scorer_;
  const ScoreQueries& queries_;
  const Gatekeeper& gate_;
  const SessionBook* const sessions_;
  const Principal principal_;
  std::unique_ptr<ReminderFeed> reminders_;
  bool revoked_ = false;
  std::shared_ptr<Watcher> watcher_;
};

absl::StatusOr<std::unique_ptr<SseSource>> OpenScoreEvents(const HttpApiSources& sources,
                                                           const Principal& principal,
                                                           const HttpRequest& request) {
  v1::WatchRequest watch;
  for (auto [it, end] = request.query_params.equal_range("asset"); it != end; ++it) {
    watch.add_asset_ids(it->second);
  }
  watch.set_department_id(QueryParam(request, "department"));
  watch.set_supplier_id(QueryParam(request, "supplier"));
  const std::string transitions = QueryParam(request, "only_target_transitions");
  if (!transitions.empty() && transitions != "0" && transitions != "1" && transitions != "true" &&
      transitions != "false") {
    return absl::InvalidArgumentError("only_target_transitions must be 0, 1, true or false");
  }
  watch.set_only_target_transitions(transitions == "1" || transitions == "true");
  absl::StatusOr<WatchFilter> filter = sources.queries->ScopedWatchFilter(principal, watch);
  if (!filter.ok()) return filter.status();
  return std::make_unique<ScoreEventSource>(
      *sources.scorer, *sources.queries, *std::move(filter), *sources.gate, sources.sessions,
      principal, sources.reminders ? sources.reminders(principal) : nullptr);
}

// The session the request's cookie names; empty if none.
absl::string_view SessionIdOf(const HttpRequest& request) {
  const std::string* cookie = HeaderValue(request, "cookie");
  return cookie == nullptr ? absl::string_view() : CookieValue(*cookie, kSessionCookie);
}

// POST /api/v1/session: checks the bearer token and opens a session for it, named by an
// HttpOnly cookie, so that the dashboard's page and event stream need no script access to
// a secret, and the token itself never sits in the browser's cookie jar. The session the
// browser had before, if any, ends.
HttpResponse OpenSession(const Gatekeeper& gate, SessionBook& sessions,
                         const HttpRequest& request) {
  const std::string* authorization = HeaderValue(request, "authorization");
  absl::StatusOr<Principal> principal = gate.AdmitToken(
      authorization == nullptr ? "" : BearerToken(*authorization), Permission::kIdentify);
  if (!principal.ok()) return ErrorResponse(principal.status());
  absl::StatusOr<std::string> id = sessions.Open(*principal);
  if (!id.ok()) return ErrorResponse(id.status());
  sessions.Close(SessionIdOf(request));
  HttpResponse response{204, "text/plain", "", {}};
  response.headers.emplace_back(
      "Set-Cookie",
      absl::StrCat(kSessionCookie, "=", *id, "; Path=/; Secure; HttpOnly; SameSite=Strict"));
  return response;
}

// DELETE /api/v1/session: ends the session the cookie names, whoever asks (knowing the id
// is what a session needs), and clears the cookie.
HttpResponse CloseSession(SessionBook& sessions, const HttpRequest& request) {
  sessions.Close(SessionIdOf(request));
  HttpResponse response{204, "text/plain", "", {}};
  response.headers.emplace_back(
      "Set-Cookie",
      absl::StrCat(kSessionCookie, "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"));
  return response;
}

void WriteAssetMetrics(const HttpApiSources& sources, PrometheusText& out) {
  absl::StatusOr<v1::ListAssetScoresResponse> assets =
      sources.queries->ListAssetScores(v1::ListAssetScoresRequest());
  if (!assets.ok()) return;
  struct Gauge {
    const char* name;
    const char* help;
    double (*value)(const v1::AssetSummary&);
  };
  const Gauge gauges[] = {
      {"postura_asset_value", "CyberTOMP asset value A (0-1).",
       [](const v1::AssetSummary& a) { return a.value(); }},
      {"postura_asset_adjusted_value", "Dependency-adjusted asset value A_eff (0-1).",
       [](const v1::AssetSummary& a) { return a.adjusted_value(); }},
      {"postura_asset_coverage", "Share of applicable outcomes with live evidence (0-1).",
       [](const v1::AssetSummary& a) { return a.coverage(); }},
      {"postura_asset_targets_met", "1 if the asset meets all its strategic targets.",
       [](const v1::AssetSummary& a) { return a.targets_met() ? 1.0 : 0.0; }},
      {"postura_asset_target_coverage", "FLECO target coverage: mean credit (0-1).",
       [](const v1::AssetSummary& a) { return a.target_coverage(); }},
  };
  for (const Gauge& gauge : gauges) {
    out.Family(gauge.name, gauge.help, "gauge");
    for (const v1::AssetSummary& asset : assets->assets()) {
      out.Sample(gauge.name,
                 {{"asset", asset.asset_id()},
                  {"ig", v1::ImplementationGroup_Name(asset.implementation_group())},
                  {"department", asset.department_id()},
                  {"supplier", asset.supplier_id()}},
                 gauge.value(asset));
    }
  }
  out.Family("postura_asset_function_value", "CyberTOMP function value per asset (0-1).", "gauge");
  for (const v1::AssetSummary& asset : assets->assets()) {
    std::optional<AssetSnapshot> snapshot = sources.scorer->Snapshot(asset.asset_id());
    if (!snapshot) continue;
    const ScoringModel& model = sources.catalog->model(snapshot->group);
    for (int f : model.applicable_functions()) {
      out.Sample("postura_asset_function_value",
                 {{"asset", asset.asset_id()}, {"function", sources.catalog->functions()[f].id}},
                 snapshot->values.functions[f]);
    }
  }
}

void WriteOrganizationMetrics(const HttpApiSources& sources, PrometheusText& out) {
  const v1::OrganizationScore organization = sources.queries->GetOrganizationScore();
  out.Family("postura_organization_index", "Criticality-weighted mean asset value (0-1).", "gauge");
  out.Sample("postura_organization_index", {{"adjusted", "false"}}, organization.index());
  out.Sample("postura_organization_index", {{"adjusted", "true"}}, organization.adjusted_index());
  out.Family("postura_function_index", "Mean function value over assets (0-1).", "gauge");
  for (const v1::Rollup& function : organization.functions()) {
    out.Sample("postura_function_index", {{"function", function.key()}}, function.index());
  }
  out.Family("postura_assets", "Registered assets.", "gauge");
  out.Sample("postura_assets", {}, organization.asset_count());
  // "n of m assets with targets": an asset without targets is in neither figure.
  out.Family("postura_assets_with_targets", "Assets with at least one strategic target.", "gauge");
  out.Sample("postura_assets_with_targets", {}, organization.assets_with_targets());
  out.Family("postura_assets_meeting_targets",
             "Assets with targets that meet all of them (assets without targets excluded).",
             "gauge");
  out.Sample("postura_assets_meeting_targets", {}, organization.assets_meeting_targets());
}

// The gRPC listener's connections (limits.max_grpc_connections).
void WriteGrpcListenerMetrics(const GrpcListenerStats& stats, PrometheusText& out) {
  out.Family("postura_grpc_connections_accepted_total", "gRPC connections served.", "counter");
  out.Sample("postura_grpc_connections_accepted_total", {}, static_cast<double>(stats.accepted));
  out.Family("postura_grpc_connections_refused_total",
             "gRPC connections closed at once: limits.max_grpc_connections were open.", "counter");
  out.Sample("postura_grpc_connections_refused_total", {}, static_cast<double>(stats.refused));
  out.Family("postura_grpc_connections_open", "gRPC connections open now.", "gauge");
  out.Sample("postura_grpc_connections_open", {}, static_cast<double>(stats.open));
}

// The HTTPS listener's connections (docs/security.md, "Slow and flooding clients").
void WriteListenerMetrics(const std::optional<HttpListenerStats>& stats, PrometheusText& out) {
  if (!stats) return;
  out.Family("postura_http_connections_accepted_total", "HTTPS connections taken to be served.",
             "counter");
  out.Sample("postura_http_connections_accepted_total", {}, static_cast<double>(stats->accepted));
  out.Family("postura_http_connections_refused_total",
             "HTTPS connections closed at once: their address (per_peer) or the listener "
             "(total) had as many open as http.max_connections_per_peer or max_connections.",
             "counter");
  out.Sample("postura_http_connections_refused_total", {{"limit", "per_peer"}},
             static_cast<double>(stats->refused_per_peer));
  out.Sample("postura_http_connections_refused_total", {{"limit", "total"}},
             static_cast<double>(stats->refused_total));
  out.Family("postura_http_connections_timed_out_total",
             "HTTPS connections closed because a request missed its deadline "
             "(http.request_timeout).",
             "counter");
  out.Sample("postura_http_connections_timed_out_total", {}, static_cast<double>(stats->timed_out));
  out.Family("postura_http_connections_open", "HTTPS connections open now.", "gauge");
  out.Sample("postura_http_connections_open", {}, static_cast<double>(stats->open));
}

void WriteServiceMetrics(const HttpApiSources& sources, PrometheusText& out) {
  const v1::IngestStats ingest = sources.writer->Stats();
  const std::pair<const char*, uint64_t> counters[] = {
      {"postura_ingest_batches_stored_total", ingest.batches_stored()},
      {"postura_ingest_batches_duplicate_total", ingest.batches_duplicate()},
      {"postura_ingest_items_stored_total", ingest.items_stored()},
      {"postura_ingest_items_rejected_total", ingest.items_rejected()},
      {"postura_ingest_commits_total", ingest.commits()},
      {"postura_ingest_wal_syncs_total", ingest.wal_syncs()},
  };
  for (const auto& [name, value] : counters) {
    out.Family(name, "Ingest counter since the collector started.", "counter");
    out.Sample(name, {}, static_cast<double>(value));
  }
  out.Family("postura_ingest_batches_refused_total",
             "Batches refused, unstored, because the store could not write.", "counter");
  out.Sample("postura_ingest_batches_refused_total", {},
             static_cast<double>(ingest.batches_refused()));
  out.Family("postura_ingest_sequence_conflicts_total",
             "Batches refused because another batch of the same agent holds their sequence: its "
             "credential may be in use elsewhere (postura agents list names the agent).",
             "counter");
  out.Sample("postura_ingest_sequence_conflicts_total", {},
             static_cast<double>(ingest.batches_conflicting()));
  out.Family("postura_ingest_signature_refusals_total",
             "Batches refused because their signature was missing or did not verify against "
             "the agent certificate of their stream (the log names agent and peer).",
             "counter");
  out.Sample("postura_ingest_signature_refusals_total", {},
             static_cast<double>(ingest.batches_signature_refused()));
  if (const AuthThrottle* throttle = sources.gate->throttle(); throttle != nullptr) {
    const AuthThrottleStats figures = throttle->Stats();
    out.Family("postura_auth_failures_total",
               "Bearer tokens that failed to authenticate (gRPC and HTTPS), counted per peer "
               "address for the backoff.",
               "counter");
    out.Sample("postura_auth_failures_total", {}, static_cast<double>(figures.failures));
    out.Family("postura_auth_refusals_total",
               "Calls refused without a credential check: their address failed too often.",
               "counter");
    out.Sample("postura_auth_refusals_total", {}, static_cast<double>(figures.refusals));
    out.Family("postura_auth_blocked_addresses", "Peer addresses refused now.", "gauge");
    out.Sample("postura_auth_blocked_addresses", {},
               static_cast<double>(figures.blocked_addresses));
  }
  if (sources.http_listener_stats) WriteListenerMetrics(sources.http_listener_stats(), out);
  if (sources.grpc_listener_stats) WriteGrpcListenerMetrics(sources.grpc_listener_stats(), out);
  out.Family("postura_store_write_stopped",
             "1 while the store cannot write (full disk or I/O error): ingest refuses batches.",
             "gauge");
  out.Sample("postura_store_write_stopped", {}, ingest.store_write_stopped() ? 1 : 0);
  out.Family("postura_agent_dropped_items_total",
             "Items the agents dropped (spool full, or set aside), as they last reported.",
             "counter");
  out.Sample("postura_agent_dropped_items_total", {},
             static_cast<double>(ingest.agent_dropped_items()));
  out.Family("postura_ingest_queued_bytes", "Bytes of batches waiting for the writer.", "gauge");
  out.Sample("postura_ingest_queued_bytes", {}, static_cast<double>(ingest.queued_bytes()));
  out.Family("postura_ingest_open_streams", "Open agent streams.", "gauge");
  out.Sample("postura_ingest_open_streams", {}, static_cast<double>(sources.open_streams()));
  const LiveScorerStats scoring = sources.scorer->Stats();
  out.Family("postura_scoring_updates_total", "Evidence reports applied to scores.", "counter");
  out.Sample("postura_scoring_updates_total", {}, static_cast<double>(scoring.updates_applied));
  out.Family("postura_scoring_updates_superseded_total",
             "Evidence reports replaced by a newer report of the same source before scoring "
             "reached them (scoring was behind).",
             "counter");
  out.Sample("postura_scoring_updates_superseded_total", {},
             static_cast<double>(scoring.updates_superseded));
  out.Family("postura_scoring_updates_overflowed_total",
             "Evidence reports that found the scoring inbox full: their assets were re-read "
             "from the store instead (scoring was far behind).",
             "counter");
  out.Sample("postura_scoring_updates_overflowed_total", {},
             static_cast<double>(scoring.updates_overflowed));
  out.Family("postura_scoring_inbox_bytes", "Memory of the reports waiting for scoring.", "gauge");
  out.Sample("postura_scoring_inbox_bytes", {}, static_cast<double>(scoring.inbox_bytes));
  out.Family("postura_scoring_expiries_total", "Outcomes re-scored because evidence expired.",
             "counter");
  out.Sample("postura_scoring_expiries_total", {}, static_cast<double>(scoring.expiries_applied));
  out.Family("postura_scoring_state_bytes", "Memory of the live scoring state.", "gauge");
  out.Sample("postura_scoring_state_bytes", {}, static_cast<double>(scoring.memory_bytes));
  out.Family("postura_watchers", "Open watch streams (gRPC and HTTP).", "gauge");
  out.Sample("postura_watchers", {}, scoring.watchers);
  if (sources.tls_certificate_not_after != nullptr) {
    out.Family("postura_tls_certificate_expiry_timestamp_seconds",
               "When the server's TLS certificate expires (Unix time).", "gauge");
    out.Sample("postura_tls_certificate_expiry_timestamp_seconds", {},
               absl::ToDoubleSeconds(sources.tls_certificate_not_after() - absl::UnixEpoch()));
    out.Family("postura_tls_certificate_expiry_seconds",
               "Seconds until the server's TLS certificate expires; negative once expired.",
               "gauge");
    out.Sample("postura_tls_certificate_expiry_seconds", {},
               absl::ToDoubleSeconds(sources.tls_certificate_not_after() - absl::Now()));
  }
  out.Histogram("postura_ingest_commit_seconds", "Duration of each synced ingest commit.", {},
                sources.writer->commit_latency().Figures());
  out.Histogram("postura_scoring_delay_seconds",
                "From an ingest commit to its score changes reaching watchers.", {},
                scoring.scoring_delay);
}

}  // namespace

std::function<std::optional<HttpListenerStats>()> PublishedListenerStats(
    const std::atomic<const HttpServer*>& published) {
  return [&published]() -> std::optional<HttpListenerStats> {
    const HttpServer* http = published.load();
    if (http == nullptr) return std::nullopt;
    return http->listener_stats();
  };
}

std::string RenderMetrics(const HttpApiSources& sources) {
  PrometheusText out;
  WriteOrganizationMetrics(sources, out);
  WriteAssetMetrics(sources, out);
  WriteServiceMetrics(sources, out);
  WriteMemoryMetrics(sources.store, out);
  if (sources.history_stats) WriteHistoryMetrics(sources.history_stats(), out);
  if (sources.replication_stats) WriteReplicationMetrics(sources.replication_stats(), out);
  if (sources.sector_publisher) WriteSectorPublisherMetrics(sources.sector_publisher->stats(), out);
  if (sources.sector_feed) WriteSectorFeedMetrics(sources.sector_feed->stats(), out);
  if (sources.alerting_stats) {
    if (std::optional<AlertingStats> stats = sources.alerting_stats()) {
      WriteAlertingMetrics(*stats, absl::Now(), out);
    }
  }
  return out.Take();
}

std::vector<HttpRoute> ApiRoutes(const HttpApiSources& sources) {
  const ScoreQueries& queries = *sources.queries;
  const Gatekeeper& gate = *sources.gate;
  return {
      {"GET", "/healthz",
       [](const HttpRequest&) {
         return HttpResponse{200, "text/plain", "ok\n", {}};
       }},
      {"POST", "/api/v1/session",
       [&gate, sessions = sources.sessions](const HttpRequest& request) {
         return OpenSession(gate, *sessions, request);
       }},
      {"DELETE", "/api/v1/session",
       [sessions = sources.sessions](const HttpRequest& request) {
         return CloseSession(*sessions, request);
       }},
      {"GET", "/api/v1/whoami",
       Admitted(gate, Permission::kIdentify,
                [](const Principal& principal, const HttpRequest&) {
                  v1::Credential credential;
                  credential.set_id(principal.credential_id);
                  credential.set_role(principal.role);
                  credential.set_tenant_id(principal.tenant_id);
                  credential.set_agent_id(principal.agent_id);
                  credential.set_department_id(principal.department_id);
                  return JsonResponse(credential);
                })},
      {"GET", "/api/v1/organization",
       Admitted(gate, Permission::kReadOrganization,
                [&queries, past = sources.past](const Principal&, const HttpRequest& request) {
                  absl::StatusOr<int64_t> as_of = TimeParam(request, "as_of");
                  if (!as_of.ok()) return ErrorResponse(as_of.status());
                  if (*as_of == 0) return JsonResponse(queries.GetOrganizationScore());
                  v1::GetOrganizationScoreRequest query;
                  query.set_as_of_unix_nanos(*as_of);
                  return JsonOrError(past->GetOrganizationScore(query));
                })},
      {"GET", "/api/v1/assets",
       Admitted(gate, Permission::kReadScores,
                [&queries](const Principal& principal, const HttpRequest& request) {
                  v1::ListAssetScoresRequest query;
                  query.set_department_id(QueryParam(request, "department"));
                  query.set_supplier_id(QueryParam(request, "supplier"));
                  return JsonOrError(queries.ListAssetScores(principal, query));
                })},
      {"GET", "/api/v1/assets/{asset_id}",
       Admitted(
           gate, Permission::kReadScores,
           [&queries, past = sources.past](const Principal& principal, const HttpRequest& request) {
             v1::GetAssetScoreRequest query;
             query.set_asset_id(request.path_params.at("asset_id"));
             absl::StatusOr<int64_t> as_of = TimeParam(request, "as_of");
             if (!as_of.ok()) return ErrorResponse(as_of.status());
             if (*as_of == 0) return JsonOrError(queries.GetAssetScore(principal, query));
             query.set_as_of_unix_nanos(*as_of);
             return JsonOrError(past->GetAssetScore(principal, query));
           })},
      {"GET", "/api/v1/assets/{asset_id}/gaps",
       Admitted(gate, Permission::kReadScores,
                [&queries](const Principal& principal, const HttpRequest& request) {
                  v1::GetGapsRequest query;
                  query.set_asset_id(request.path_params.at("asset_id"));
                  return JsonOrError(queries.GetGaps(principal, query));
                })},
      {"GET", "/api/v1/assets/{asset_id}/outcomes/{outcome_id}/evidence",
       Admitted(gate, Permission::kReadEvidence,
                [&queries](const Principal& principal, const HttpRequest& request) {
                  return EvidenceHistory(queries, principal, request);
                })},
      {"GET", "/api/v1/assets/{asset_id}/plan",
       Admitted(gate, Permission::kReadScores,
                [&queries](const Principal& principal, const HttpRequest& request) {
                  v1::PlanAssetRequest query;
                  query.set_asset_id(request.path_params.at("asset_id"));
                  for (auto [it, end] = request.query_params.equal_range("lock"); it != end; ++it) {
                    query.add_locked_outcome_ids(it->second);
                  }
                  return JsonOrError(queries.PlanAsset(principal, query));
                })},
      {"GET", "/metrics",
       Admitted(gate, Permission::kReadOrganization,
                [sources](const Principal&, const HttpRequest&) {
                  return HttpResponse{200, "text/plain; version=0.0.4", RenderMetrics(sources), {}};
                })},
  };
}

std::vector<HttpStreamRoute> ApiStreamRoutes(const HttpApiSources& sources) {
  return {{"/api/v1/events",
           [sources](const HttpRequest& request) -> absl::StatusOr<std::unique_ptr<SseSource>> {
             absl::StatusOr<Principal> principal =
                 AdmitPrincipal(request, *sources.gate, Permission::kWatch);
             if (!principal.ok()) return principal.status();
             return OpenScoreEvents(sources, *principal, request);
           }}};
}

}  // namespace postura::collector
