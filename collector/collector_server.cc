#include "collector/collector_server.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "collector/dashboard.h"
#include "collector/http_api.h"
#include "glog/logging.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace postura::collector {

absl::StatusOr<std::unique_ptr<CollectorServer>> CollectorServer::Start(
    const CollectorOptions& options, const Catalog& catalog, Clock& clock) {
  std::unique_ptr<CollectorServer> server(new CollectorServer);
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data_dir ", options.data_dir, ": ", error.message()));
  }
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open({.path = options.data_dir + "/store",
                           .retention = options.evidence_retention,
                           .clock = &clock});
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  absl::StatusOr<std::unique_ptr<Registry>> registry = Registry::Load(*server->store_, catalog);
  if (!registry.ok()) return registry.status();
  server->registry_ = *std::move(registry);
  server->scorer_ = std::make_unique<LiveScorer>(*server->store_, catalog, clock);
  server->registry_->SetObserver(server->scorer_.get());
  absl::StatusOr<absl::Duration> rebuilt = server->scorer_->Start();
  if (!rebuilt.ok()) return rebuilt.status();
  LOG(INFO) << "scores of " << server->scorer_->Stats().assets << " assets rebuilt in " << *rebuilt;
  LiveScorer* scorer = server->scorer_.get();
  absl::StatusOr<std::unique_ptr<IngestWriter>> writer = IngestWriter::Start(
      *server->store_, {.max_queued_bytes = options.max_queued_bytes,
                        .on_committed = [scorer](std::vector<SourceUpdate> updates) {
                          scorer->OnCommitted(std::move(updates));
                        }});
  if (!writer.ok()) return writer.status();
  server->writer_ = *std::move(writer);

  IngestServiceOptions ingest_options;
  ingest_options.max_batch_items = options.max_batch_items;
  ingest_options.max_unacknowledged_batches = options.max_unacknowledged_batches;
  ingest_options.validation.max_detail_bytes = options.max_detail_bytes;
  server->ingest_ = std::make_unique<IngestService>(catalog, *server->registry_, *server->writer_,
                                                    clock, ingest_options);
  IngestService* ingest = server->ingest_.get();
  server->admin_ = std::make_unique<AdminService>(*server->registry_, *server->writer_,
                                                  [ingest] { return ingest->open_streams(); });

  server->queries_ = std::make_unique<ScoreQueries>(*server->scorer_, *server->registry_,
                                                    *server->store_, catalog);
  server->query_ = std::make_unique<QueryService>(*server->queries_, *server->scorer_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  grpc::ResourceQuota quota("postura-collector");
  quota.Resize(options.max_grpc_memory_bytes);
  builder.SetResourceQuota(quota);
  builder.RegisterService(server->ingest_.get());
  builder.RegisterService(server->admin_.get());
  builder.RegisterService(server->query_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address));
  }
  const std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  server->address_ = absl::StrCat(host, ":", port);
  HttpApiSources http_sources{.queries = server->queries_.get(),
                              .scorer = server->scorer_.get(),
                              .writer = server->writer_.get(),
                              .open_streams = [ingest] { return ingest->open_streams(); },
                              .catalog = &catalog};
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start({.listen_address = options.http_listen_address, .max_connections = 16},
                        ApiRoutes(http_sources), ApiStreamRoutes(http_sources), DashboardRoutes());
  if (!http.ok()) return http.status();
  server->http_ = *std::move(http);
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  LOG(INFO) << "collector serving gRPC on " << server->address_ << ", HTTP on "
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
  http_.reset();
  // Reverse of construction: the writer drains its queue before the store closes.
  admin_.reset();
  ingest_.reset();
  query_.reset();
  writer_.reset();  // Hands its last commits to the scorer.
  registry_->SetObserver(nullptr);
  scorer_.reset();
  queries_.reset();
  registry_.reset();
  store_.reset();
  LOG(INFO) << "collector stopped";
}

CollectorServer::~CollectorServer() { Shutdown(); }

}  // namespace postura::collector
