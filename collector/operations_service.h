#ifndef POSTURA_COLLECTOR_OPERATIONS_SERVICE_H_
#define POSTURA_COLLECTOR_OPERATIONS_SERVICE_H_

// OperationsService (postura/v1/operations.proto): online backup and reload of a running
// collector, for `postura-collector backup` and `reload`. Built by CollectorServer.
//
// Threading: gRPC calls it from its threads. A backup runs on a thread of the service's
// own (a checkpoint flushes and links files: too slow for a gRPC thread), one at a time;
// the destructor waits for it. Reload runs on the calling gRPC thread (it reads a few
// small files). Everything borrowed must outlive the service.

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/access/gatekeeper.h"
#include "collector/store/evidence_store.h"
#include "postura/v1/operations.grpc.pb.h"

namespace postura::collector {

// Re-reads what can change live; returns a line per change, or why nothing changed.
using Reloader = std::function<absl::StatusOr<std::vector<std::string>>()>;

class OperationsService final : public v1::OperationsService::CallbackService {
 public:
  // `data_dir`: its tls/ (the local CA, when the collector made it) and admin.token go
  // into each backup beside the store, so that agents keep trusting a restored collector
  // and its admin keeps the token.
  OperationsService(const Gatekeeper& gate, const EvidenceStore& store, std::string data_dir,
                    Reloader reload);
  ~OperationsService() override;

  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const v1::BackupRequest* request,
                                   v1::BackupResponse* response) override;
  grpc::ServerUnaryReactor* Reload(grpc::CallbackServerContext* context,
                                   const v1::ReloadRequest* request,
                                   v1::ReloadResponse* response) override;

 private:
  // The backup itself, on the backup thread: the store's checkpoint and the TLS files.
  absl::Status RunBackup(const std::string& directory, v1::BackupResponse& response);

  const Gatekeeper& gate_;
  const EvidenceStore& store_;
  const std::string data_dir_;
  Reloader reload_;
  absl::Mutex mu_;
  bool backup_running_ ABSL_GUARDED_BY(mu_) = false;
  std::thread backup_thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_OPERATIONS_SERVICE_H_
