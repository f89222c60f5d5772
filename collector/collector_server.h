#ifndef POSTURA_COLLECTOR_COLLECTOR_SERVER_H_
#define POSTURA_COLLECTOR_COLLECTOR_SERVER_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/access/session_book.h"
#include "collector/agent_identity.h"
#include "collector/api/access_service.h"
#include "collector/api/admin_service.h"
#include "collector/api/exceptions_service.h"
#include "collector/api/grpc_listener.h"
#include "collector/api/http_server.h"
#include "collector/api/past_queries.h"
#include "collector/api/profile_queries.h"
#include "collector/api/profile_service.h"
#include "collector/api/query_service.h"
#include "collector/api/remediation_queries.h"
#include "collector/api/requests_service.h"
#include "collector/api/score_queries.h"
#include "collector/api/tier_queries.h"
#include "collector/api/tiers_service.h"
#include "collector/cluster_ingest.h"
#include "collector/collector_config.h"
#include "collector/history/history_recorder.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/live_alerting.h"
#include "collector/live_reload.h"
#include "collector/operations_service.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "collector/sector_federation.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "common/transport/tls_files.h"
#include "grpcpp/server.h"

namespace postura::collector {

// A running collector: the store, the registry, the ingest writer and the gRPC services,
// built in dependency order and torn down in reverse. `catalog` and `clock` are borrowed
// and must outlive the server.
class CollectorServer {
 public:
  // Opens the store in options.data_dir and starts serving on options.listen_address,
  // with TLS on both listeners. On first start (no admin token yet) writes an admin API
  // token to options.admin_token_file.
  static absl::StatusOr<std::unique_ptr<CollectorServer>> Start(const CollectorOptions& options,
                                                                const Catalog& catalog,
                                                                Clock& clock,
                                                                std::string config_path = "");
  // Shuts down if Shutdown has not run.
  ~CollectorServer();

  // The address actually bound, "host:port" (the port resolved when 0 was asked for).
  const std::string& address() const { return address_; }
  // The same for the HTTP API.
  const std::string& http_address() const { return http_->address(); }
  // The CA certificate file clients pin: the local CA's; empty when the operator
  // provided the certificate files.
  const std::string& ca_file() const { return ca_file_; }

  // Reload without restart (SIGHUP, OperationsService.Reload): reads the config file
  // again (when the server was started with its path) and the TLS certificate and key,
  // and serves the new certificate on both listeners. The keys live_reload.h's
  // AppliesLive names take effect at once (alerting: the engine is replaced, see
  // live_alerting.h); other changed keys are reported as waiting for the next start.
  // Returns a line per change. FailedPrecondition, logged, if the config, the TLS files or
  // the new alert sinks are bad: the old ones keep serving.
  absl::StatusOr<std::vector<std::string>> Reload();

  // Stops taking streams, lets open streams receive the acknowledgements of batches
  // already read (waiting at most `grace`), writes everything queued, closes the store.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  CollectorServer() = default;

  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<CredentialStore> credentials_;
  std::unique_ptr<SessionBook> sessions_;        // The dashboard's; in memory only.
  std::unique_ptr<AuthThrottle> auth_throttle_;  // Outlives the gatekeeper that uses it.
  std::unique_ptr<Gatekeeper> gate_;
  std::unique_ptr<AccessService> access_;
  AgentIdentityServices agents_;  // Agents' admission and enrollment.
  std::unique_ptr<HistoryRecorder> history_;
  std::unique_ptr<LiveScorer> scorer_;
  std::unique_ptr<LiveAlerting> alerts_;
  std::unique_ptr<ScoreQueries> queries_;
  std::unique_ptr<PastQueries> past_;
  std::unique_ptr<RemediationQueries> remediation_;
  std::unique_ptr<TierQueries> tiers_;
  std::unique_ptr<TiersService> tiers_service_;
  std::unique_ptr<ProofExporter> proofs_;
  std::unique_ptr<QueryService> query_;
  std::unique_ptr<ProfileQueries> profiles_;
  std::unique_ptr<ProfileService> profile_service_;
  std::unique_ptr<IngestWriter> writer_;
  std::unique_ptr<ClusterIngest> cluster_;    // In cluster mode only.
  std::unique_ptr<SectorFederation> sector_;  // With a sector_publish or sector section.
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<OperationsService> operations_;
  std::unique_ptr<RequestBook> requests_;
  std::unique_ptr<RequestsService> requests_service_;
  std::unique_ptr<ExceptionBook> exceptions_;
  std::unique_ptr<ExceptionsService> exceptions_service_;
  std::unique_ptr<GrpcListener> grpc_listener_;  // Outlives server_: declared before it.
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HttpServer> http_;
  // http_, once it is set (its figures are read by /metrics on the listener's threads).
  std::atomic<const HttpServer*> http_for_metrics_{nullptr};
  std::string address_;
  std::string ca_file_;
  std::unique_ptr<ServingTls> tls_;
  std::string data_dir_;
  std::string local_ca_dir_;  // As at start: a reload does not move the local CA.
  std::string config_path_;
  absl::Mutex reload_mu_;
  v1::CollectorConfig config_ ABSL_GUARDED_BY(reload_mu_);  // As last read.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_COLLECTOR_SERVER_H_
