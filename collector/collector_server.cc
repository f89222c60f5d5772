#include "collector/collector_server.h"

#include <filesystem>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "collector/access/admin_token.h"
#include "collector/api/all_routes.h"
#include "collector/api/answers_routes.h"
#include "collector/api/crosswalk_routes.h"
#include "collector/api/dashboard.h"
#include "collector/api/exceptions_service.h"
#include "collector/api/http_api.h"
#include "collector/api/profile_routes.h"
#include "collector/api/requests_upload.h"
#include "common/config/yaml_config.h"
#include "common/transport/local_ca.h"
#include "common/transport/private_file.h"
#include "glog/logging.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace postura::collector {
namespace {

// The TLS identity both listeners present, and where its files are.
struct ServerTls {
  TlsMaterial material;
  std::string certificate_file;
  std::string key_file;
  std::string ca_file;  // What clients pin; empty when the operator provided the files.
};

// The operator's certificate files if configured; otherwise the local CA in
// tls.local_ca_dir (default <data_dir>/tls), created on first start.
absl::StatusOr<ServerTls> PrepareTls(const CollectorOptions& options) {
  ServerTls tls;
  if (!options.tls_certificate_file.empty()) {
    absl::StatusOr<TlsMaterial> material =
        LoadTlsMaterial(options.tls_certificate_file, options.tls_key_file, "");
    if (!material.ok()) return material.status();
    tls.material = *std::move(material);
    tls.certificate_file = options.tls_certificate_file;
    tls.key_file = options.tls_key_file;
    return tls;
  }
  const std::filesystem::path directory = LocalCaDir(options);
  absl::StatusOr<TlsMaterial> material =
      EnsureLocalCertificateAuthority(directory, options.tls_server_names);
  if (!material.ok()) return material.status();
  tls.material = *std::move(material);
  tls.certificate_file = directory / "server.crt";
  tls.key_file = directory / "server.key";
  tls.ca_file = directory / "ca.crt";
  return tls;
}

// Creates an admin API token and writes it to `path`, owner-only, so that the operator
// can log in. In cluster mode a token still on its way through the log (DeadlineExceeded:
// this collector is catching up) counts: it is made, and works once applied.
absl::Status WriteFirstAdminToken(CredentialStore& credentials, const std::string& path) {
  absl::StatusOr<std::string> id = IssueAdminToken(credentials, path, "first admin token");
  if (absl::IsDeadlineExceeded(id.status())) {
    LOG(WARNING) << "no admin token existed: one was made and written to " << path
                 << "; it works once this collector has applied the cluster's log up to it";
    return absl::OkStatus();
  }
  if (!id.ok()) return id.status();
  LOG(INFO) << "no admin token existed: created " << *id << ", written to " << path
            << " (owner-only)";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CollectorServer>> CollectorServer::Start(
    const CollectorOptions& options, const Catalog& catalog, Clock& clock,
    std::string config_path) {
  // The operator's mapping files first: a bad one stops the start before anything opens.
  absl::StatusOr<std::shared_ptr<const CrosswalkSet>> crosswalks =
      LoadCrosswalks(catalog, options.crosswalk_mappings);
  if (!crosswalks.ok()) return crosswalks.status();
  std::unique_ptr<CollectorServer> server(new CollectorServer);
  std::error_code error;
  // A new data directory is the owner's alone: it holds evidence, keys and tokens.
  if (std::filesystem::create_directories(options.data_dir, error)) {
    std::filesystem::permissions(options.data_dir, std::filesystem::perms::owner_all, error);
  }
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data_dir ", options.data_dir, ": ", error.message()));
  }
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open({.path = options.data_dir + "/store",
                           .retention = options.evidence_retention,
                           .clock = &clock,
                           .memtable_bytes = options.store_memtable_bytes,
                           .block_cache_bytes = options.store_block_cache_bytes});
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  absl::StatusOr<std::unique_ptr<Registry>> registry = Registry::Load(*server->store_, catalog);
  if (!registry.ok()) return registry.status();
  server->registry_ = *std::move(registry);
  absl::StatusOr<std::unique_ptr<HistoryRecorder>> history =
      HistoryRecorder::Start(*server->store_, clock, {.retention = options.history});
  if (!history.ok()) return history.status();
  server->history_ = *std::move(history);
  server->scorer_ =
      std::make_unique<LiveScorer>(*server->store_, catalog, clock, server->history_.get());
  server->registry_->SetObserver(server->scorer_.get());
  absl::StatusOr<absl::Duration> rebuilt = server->scorer_->Start();
  if (!rebuilt.ok()) return rebuilt.status();
  LOG(INFO) << "scores of " << server->scorer_->Stats().assets << " assets rebuilt in " << *rebuilt;
  absl::StatusOr<std::unique_ptr<LiveAlerting>> alerting = LiveAlerting::Start(
      *server->store_, *server->scorer_, *server->registry_, catalog, clock, options.alerting);
  if (!alerting.ok()) return alerting.status();
  server->alerts_ = *std::move(alerting);
  LiveScorer* scorer = server->scorer_.get();
  LiveAlerting* alerts = server->alerts_.get();
  absl::StatusOr<std::unique_ptr<IngestWriter>> writer = IngestWriter::Start(
      *server->store_,
      {.recent_batches = std::max<uint32_t>(64, 2 * options.max_unacknowledged_batches),
       .max_queued_bytes = options.max_queued_bytes,
       .on_committed =
           [scorer](std::vector<SourceUpdate> updates) { scorer->OnCommitted(std::move(updates)); },
       .on_agents_heard =
           [alerts](const std::vector<std::string>& agents) { alerts->OnBatchesCommitted(agents); },
       .on_conflict =
           [alerts](const SequenceConflict& conflict) {
             alerts->OnSequenceConflict({.agent_id = conflict.agent_id,
                                         .last_at = conflict.at,
                                         .peer = conflict.peer,
                                         .sequence = conflict.sequence,
                                         .conflicts = conflict.agent_conflicts});
           }});
  if (!writer.ok()) return writer.status();
  server->writer_ = *std::move(writer);
  absl::StatusOr<std::unique_ptr<CredentialStore>> credentials =
      CredentialStore::Load(*server->store_, clock);
  if (!credentials.ok()) return credentials.status();
  server->credentials_ = *std::move(credentials);
  // While no live admin token exists (first start, or all revoked or expired), one is made.
  // Asked of this store before it applies the cluster's log, so that each collector's first
  // start writes its admin token file whatever the others made meanwhile.
  const bool first_admin_token = !server->credentials_->HasLiveAdminToken();
  if (options.cluster.enabled()) {
    absl::StatusOr<std::unique_ptr<ClusterIngest>> cluster = ClusterIngest::Start(
        options.cluster, *server->writer_, *server->registry_, *server->credentials_);
    if (!cluster.ok()) return cluster.status();
    server->cluster_ = *std::move(cluster);
  }
  absl::StatusOr<std::unique_ptr<SectorFederation>> sector =
      SectorFederation::Start(options.sector_publish, options.sector, *server->scorer_, catalog);
  if (!sector.ok()) return sector.status();
  server->sector_ = *std::move(sector);

  const std::string admin_token_file = options.admin_token_file.empty()
                                           ? options.data_dir + "/admin.token"
                                           : options.admin_token_file;
  if (first_admin_token) {
    if (absl::Status bootstrap = WriteFirstAdminToken(*server->credentials_, admin_token_file);
        !bootstrap.ok()) {
      return bootstrap;
    }
  }
  server->sessions_ = std::make_unique<SessionBook>(*server->credentials_, clock, options.sessions);
  server->gate_ = std::make_unique<Gatekeeper>(*server->credentials_, server->sessions_.get());
  server->auth_throttle_ = std::make_unique<AuthThrottle>(clock, options.failed_authentication);
  server->gate_->set_throttle(server->auth_throttle_.get());
  server->access_ = std::make_unique<AccessService>(*server->gate_, *server->credentials_,
                                                    *server->registry_, clock);
  absl::StatusOr<AgentIdentityServices> agents =
      StartAgentIdentity(options, *server->gate_, *server->credentials_, *server->registry_, clock);
  if (!agents.ok()) return agents.status();
  server->agents_ = *std::move(agents);

  IngestServiceOptions ingest_options;
  ingest_options.max_batch_items = options.max_batch_items;
  ingest_options.max_unacknowledged_batches = options.max_unacknowledged_batches;
  ingest_options.max_streams_per_agent = options.max_streams_per_agent;
  ingest_options.max_message_bytes = options.max_message_bytes;
  ingest_options.validation.max_detail_bytes = options.max_detail_bytes;
  server->ingest_ = std::make_unique<IngestService>(
      *server->agents_.admission, catalog, *server->registry_,
      server->cluster_ ? server->cluster_->sink() : *server->writer_, clock, ingest_options);
  IngestService* ingest = server->ingest_.get();
  server->admin_ =
      std::make_unique<AdminService>(*server->gate_, *server->credentials_, *server->registry_,
                                     *server->writer_, [ingest] { return ingest->open_streams(); });

  absl::StatusOr<std::unique_ptr<RequestBook>> requests =
      RequestBook::Load(*server->store_, *server->registry_, catalog, clock,
                        {.max_document_bytes = options.max_document_bytes,
                         .max_request_document_bytes = options.max_request_document_bytes,
                         .max_detail_bytes = options.max_detail_bytes},
                        IngestEvidenceSink(*server->writer_, clock));
  if (!requests.ok()) return requests.status();
  server->requests_ = *std::move(requests);
  server->requests_service_ =
      std::make_unique<RequestsService>(*server->gate_, *server->credentials_, *server->requests_);
  absl::StatusOr<std::unique_ptr<ExceptionBook>> exceptions =
      ExceptionBook::Load(*server->store_, *server->registry_, catalog, clock, *server->requests_);
  if (!exceptions.ok()) return exceptions.status();
  server->exceptions_ = *std::move(exceptions);
  // The evidence workflow's deadlines: alert rules and the event stream's reminders.
  const WorkflowSource workflow = [requests = server->requests_.get(),
                                   exceptions = server->exceptions_.get()] {
    return WorkflowDeadlines(*requests, *exceptions);
  };
  AlertSources sources{.workflow = workflow};
  if (server->sector_) sources.sector = server->sector_->DegradationSource(catalog, clock);
  server->alerts_->SetSources(std::move(sources));

  server->operations_ =
      std::make_unique<OperationsService>(*server->gate_, *server->store_, options.data_dir,
                                          [server = server.get()] { return server->Reload(); });

  server->queries_ = std::make_unique<ScoreQueries>(*server->scorer_, *server->registry_,
                                                    *server->store_, catalog);
  server->past_ = std::make_unique<PastQueries>(
      PastQueriesSources{.queries = server->queries_.get(),
                         .scorer = server->scorer_.get(),
                         .registry = server->registry_.get(),
                         .store = server->store_.get(),
                         .catalog = &catalog,
                         .clock = &clock,
                         .began = server->history_->began(),
                         .evidence_retention = options.evidence_retention});
  server->remediation_ =
      std::make_unique<RemediationQueries>(RemediationSources{.registry = server->registry_.get(),
                                                              .store = server->store_.get(),
                                                              .catalog = &catalog,
                                                              .clock = &clock});
  server->proofs_ = std::make_unique<ProofExporter>(*server->store_, *server->registry_,
                                                    server->agents_.agent_ca_certificate_pem);
  server->query_ =
      std::make_unique<QueryService>(*server->gate_, *server->queries_, *server->past_,
                                     *server->remediation_, *server->proofs_, *server->scorer_);
  server->tiers_ =
      std::make_unique<TierQueries>(TierQueriesSources{.queries = server->queries_.get(),
                                                       .scorer = server->scorer_.get(),
                                                       .registry = server->registry_.get(),
                                                       .store = server->store_.get(),
                                                       .remediation = server->remediation_.get(),
                                                       .catalog = &catalog,
                                                       .clock = &clock});
  server->tiers_service_ = std::make_unique<TiersService>(*server->gate_, *server->tiers_);
  server->exceptions_service_ = std::make_unique<ExceptionsService>(
      *server->gate_, *server->credentials_, *server->exceptions_, *server->queries_);
  server->profiles_ =
      std::make_unique<ProfileQueries>(*server->scorer_, *server->registry_, *server->queries_,
                                       server->tiers_.get(), catalog, clock);
  server->profile_service_ = std::make_unique<ProfileService>(*server->gate_, *server->profiles_);

  absl::StatusOr<ServerTls> tls = PrepareTls(options);
  if (!tls.ok()) return tls.status();
  server->ca_file_ = tls->ca_file;
  absl::StatusOr<std::unique_ptr<ServingTls>> serving = ServingTls::Start(
      tls->material, tls->certificate_file, tls->key_file, options.data_dir + "/tls-serving");
  if (!serving.ok()) return serving.status();
  server->tls_ = *std::move(serving);
  server->data_dir_ = options.data_dir;
  server->local_ca_dir_ = LocalCaDir(options);
  server->config_path_ = std::move(config_path);
  if (!server->config_path_.empty()) {
    absl::MutexLock lock(&server->reload_mu_);
    if (absl::Status s = ReadYamlConfigFile(server->config_path_, server->config_); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<absl::Time> not_after = CertificateNotAfter(tls->material.certificate_chain_pem);
  if (!not_after.ok()) return not_after.status();
  LogCertificateExpiry(tls->certificate_file, *not_after);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  absl::StatusOr<std::unique_ptr<GrpcListener>> listener =
      GrpcListener::Bind(options.listen_address, static_cast<int>(options.max_grpc_connections),
                         builder, server->tls_->GrpcCredentials());
  if (!listener.ok()) return listener.status();
  server->grpc_listener_ = *std::move(listener);
  SetGrpcServerLimits({.max_message_bytes = static_cast<int>(options.max_message_bytes),
                       .memory_bytes = options.max_grpc_memory_bytes,
                       .stream_window_bytes = static_cast<int>(options.grpc_stream_window_bytes)},
                      builder);
  for (grpc::Service* service : std::initializer_list<grpc::Service*>{
           server->ingest_.get(), server->admin_.get(), server->query_.get(), server->access_.get(),
           server->agents_.enrollment.get(), server->operations_.get(),
           server->requests_service_.get(), server->tiers_service_.get(),
           server->exceptions_service_.get(), server->profile_service_.get()}) {
    builder.RegisterService(service);
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on ", options.listen_address));
  }
  server->grpc_listener_->Start();
  const std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  server->address_ = absl::StrCat(host, ":", server->grpc_listener_->port());
  HttpApiSources http_sources{
      .queries = server->queries_.get(),
      .past = server->past_.get(),
      .scorer = server->scorer_.get(),
      .writer = server->writer_.get(),
      .store = server->store_.get(),
      .open_streams = [ingest] { return ingest->open_streams(); },
      .catalog = &catalog,
      .gate = server->gate_.get(),
      .sessions = server->sessions_.get(),
      .tls_certificate_not_after = [tls = server->tls_.get()] { return tls->not_after(); },
      .alerting_stats = [alerts] { return alerts->Stats(); },
      .reminders =
          [workflow, &clock, notice = options.renewal_notice](const Principal& principal) {
            return std::make_unique<ReminderFeed>(workflow, principal, clock, notice);
          },
      .http_listener_stats = PublishedListenerStats(server->http_for_metrics_),
      .grpc_listener_stats = std::bind_front(&GrpcListener::stats, server->grpc_listener_.get()),
      .history_stats = std::bind_front(&HistoryRecorder::Stats, server->history_.get()),
      .replication_stats = server->cluster_
                               ? std::bind_front(&ClusterIngest::stats, server->cluster_.get())
                               : std::function<ReplicationStats()>(),
      .sector_feed = server->sector_ ? server->sector_->feed() : nullptr,
      .sector_publisher = server->sector_ ? server->sector_->publisher() : nullptr,
  };
  std::vector<HttpRoute> routes =
      ApiAndPastRoutes(http_sources, *server->remediation_, *server->tiers_, *server->requests_,
                       *server->credentials_, *std::move(crosswalks));
  AppendRoutes(routes, ProfileRoutes(*server->profiles_, *server->gate_));
  // Risk exceptions and the accepted-risk counts (exceptions_service.h).
  AppendRoutes(routes, ExceptionsRoutes(*server->exceptions_, *server->queries_, *server->gate_,
                                        *server->credentials_));
  // The dashboard's Requests page: each outcome's answers on an asset (answers_routes.h).
  AppendRoutes(routes, AnswersRoutes(*server->requests_, *server->registry_, *server->store_,
                                     catalog, *server->gate_, *server->credentials_));
  absl::StatusOr<std::unique_ptr<HttpServer>> http = HttpServer::Start(
      {.listen_address = options.http_listen_address,
       .limits = options.http,
       .tls_identity = server->tls_->http_identity()},
      std::move(routes), ApiStreamRoutes(http_sources), DashboardRoutes(),
      RequestsUploadRoutes(*server->requests_, *server->gate_, *server->credentials_));
  if (!http.ok()) return http.status();
  server->http_ = *std::move(http);
  server->http_for_metrics_.store(server->http_.get());
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  LOG(INFO) << "collector serving gRPC (TLS) on " << server->address_ << ", HTTPS on "
            << server->http_->address() << ", store " << options.data_dir;
  return server;
}

void CollectorServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  // Streams acknowledge what they have read and end; waiting for gRPC's own graceful
  // shutdown instead would also wait out idle client connections.
  ingest_->Drain();
  if (http_ != nullptr) http_->Shutdown();
  const absl::Time deadline = absl::Now() + grace;
  while (ingest_->open_streams() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  server_->Wait();
  server_.reset();
  http_for_metrics_.store(nullptr);
  http_.reset();
  // Reverse of construction: the writer drains its queue before the store closes.
  operations_.reset();  // Waits for a backup that is running.
  admin_.reset();
  requests_service_.reset();
  exceptions_service_.reset();
  alerts_->SetSources({});  // Waits for the engine's reading of the books and the sector.
  exceptions_.reset();      // Before the request book, which keeps its audit trail.
  requests_.reset();        // Before the writer, which its approvals use.
  access_.reset();
  agents_.enrollment.reset();
  ingest_.reset();
  cluster_.reset();  // Appends what it holds, then stops applying the log to the writer.
  sector_.reset();   // Before the scorer its publisher reads.
  query_.reset();
  proofs_.reset();
  tiers_service_.reset();
  profile_service_.reset();
  profiles_.reset();
  writer_.reset();  // Hands its last commits to the scorer.
  alerts_.reset();  // After the writer, which tells it of batches; before the scorer.
  registry_->SetObserver(nullptr);
  past_.reset();
  tiers_.reset();
  remediation_.reset();
  scorer_.reset();
  history_.reset();  // After the scorer, which records into it: writes what is queued.
  queries_.reset();
  gate_.reset();
  sessions_.reset();  // Before the credentials it asks about.
  credentials_.reset();
  registry_.reset();
  store_.reset();
  LOG(INFO) << "collector stopped";
}

absl::StatusOr<std::vector<std::string>> CollectorServer::Reload() {
  absl::MutexLock lock(&reload_mu_);
  std::vector<std::string> changes;
  CollectorOptions options;
  v1::CollectorConfig config = config_;
  if (!config_path_.empty()) {
    absl::StatusOr<CollectorOptions> fresh = LoadCollectorConfig(config_path_);
    if (!fresh.ok()) {
      LOG(ERROR) << "reload refused, the running config stays: " << fresh.status().message();
      return absl::FailedPreconditionError(
          absl::StrCat("config not reloaded: ", fresh.status().message()));
    }
    options = *std::move(fresh);
    if (absl::Status s = ReadYamlConfigFile(config_path_, config); !s.ok()) return s;
  }
  // The operator's files if the config names them, else the local CA's server files.
  const std::string local = local_ca_dir_ + "/";
  const std::string certificate_file = config.tls().certificate_file().empty()
                                           ? local + "server.crt"
                                           : config.tls().certificate_file();
  const std::string key_file =
      config.tls().key_file().empty() ? local + "server.key" : config.tls().key_file();
  absl::StatusOr<std::string> tls = tls_->Reload(certificate_file, key_file);
  if (!tls.ok()) {
    LOG(ERROR) << "reload refused: " << tls.status().message();
    return tls.status();
  }
  changes.push_back(*tls);
  LogCertificateExpiry(certificate_file, tls_->not_after());
  if (!config_path_.empty()) {  // Document caps: the next upload takes them.
    requests_->SetLimits({.max_document_bytes = options.max_document_bytes,
                          .max_request_document_bytes = options.max_request_document_bytes,
                          .max_detail_bytes = options.max_detail_bytes});
  }
  const std::vector<std::string> changed = ChangedConfigKeys(config_, config);
  if (!config_path_.empty() &&
      (absl::c_any_of(changed, IsAlertingKey) || alerts_->WebhookSecretsDiffer(options.alerting))) {
    absl::StatusOr<std::string> alerting = alerts_->Replace(options.alerting);
    if (!alerting.ok()) {
      LOG(ERROR) << "reload refused: " << alerting.status().message();
      return alerting.status();
    }
    changes.push_back(*alerting);
  }
  for (const std::string& key : changed) {
    changes.push_back(AppliesLive(key) ? absl::StrCat(key, ": applied")
                                       : absl::StrCat(key, ": changed in ", config_path_,
                                                      "; takes effect at the next start"));
  }
  config_ = std::move(config);
  for (const std::string& change : changes) LOG(INFO) << "reload: " << change;
  return changes;
}

CollectorServer::~CollectorServer() {
  // A start that failed half-way never ran Shutdown's order: the engine's thread must stop
  // reading the books and the sector before they go.
  if (alerts_ != nullptr) alerts_->SetSources({});
  Shutdown();
}

}  // namespace postura::collector
