#ifndef POSTURA_COLLECTOR_LIVE_RELOAD_H_
#define POSTURA_COLLECTOR_LIVE_RELOAD_H_

// Reload without restart (SIGHUP, OperationsService.Reload): the TLS identity both
// listeners serve, read again from its files, and the config keys that changed.
//
// gRPC serves through a certificate provider that watches copies of the certificate and
// key in `serving_dir` (grpc::experimental::FileWatcherCertificateProvider, checked every
// second); HTTPS through a TlsIdentity whose handshakes take the current one. ServingTls
// writes those copies only after the new files have been read and checked (they parse,
// key and certificate match), so a bad new file is refused and the old identity keeps
// serving on both listeners: gRPC's watcher never sees the bad file.
//
// Called by CollectorServer (Start and Reload). Threading: Reload and the accessors may
// run at once from any threads (one Reload at a time: a mutex).

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/api/tls_identity.h"
#include "common/transport/tls_files.h"
#include "grpcpp/security/server_credentials.h"
#include "postura/v1/collector_config.pb.h"

namespace postura::collector {

class ServingTls {
 public:
  // Serves `material`, read from `certificate_file` and `key_file`. Its copies for gRPC
  // go into `serving_dir` (created owner-only). Unavailable if they cannot be written;
  // InvalidArgument for material that does not parse.
  static absl::StatusOr<std::unique_ptr<ServingTls>> Start(const TlsMaterial& material,
                                                           const std::string& certificate_file,
                                                           const std::string& key_file,
                                                           const std::string& serving_dir);

  // For the gRPC listener: TLS from the watched copies; client certificates asked for,
  // optional, and checked by AgentAdmission.
  std::shared_ptr<grpc::ServerCredentials> GrpcCredentials() const;
  // For the HTTPS listener.
  std::shared_ptr<const TlsIdentity> http_identity() const { return http_; }
  // When the certificate served now expires (for /metrics).
  absl::Time not_after() const { return http_->not_after(); }

  // Reads `certificate_file` and `key_file` (the same files, or new paths) and serves
  // them: a line saying so, or that nothing changed. FailedPrecondition naming the file
  // and what is wrong if they cannot be read or do not match; the old identity then
  // keeps serving.
  absl::StatusOr<std::string> Reload(const std::string& certificate_file,
                                     const std::string& key_file);

 private:
  ServingTls(std::shared_ptr<TlsIdentity> http, std::string serving_dir)
      : http_(std::move(http)), serving_dir_(std::move(serving_dir)) {}
  // Writes the copies gRPC's watcher reads, each replaced atomically.
  absl::Status WriteServingCopies(const TlsMaterial& material) const;

  const std::shared_ptr<TlsIdentity> http_;
  const std::string serving_dir_;
  absl::Mutex mu_;
  TlsMaterial serving_ ABSL_GUARDED_BY(mu_);
  std::string certificate_file_ ABSL_GUARDED_BY(mu_);
};

// The config keys (dotted, to the second level: "limits.max_batch_items") whose values
// differ between `before` and `after`, in schema order.
std::vector<std::string> ChangedConfigKeys(const v1::CollectorConfig& before,
                                           const v1::CollectorConfig& after);

// The keys a reload applies while serving; every other changed key waits for a restart.
bool AppliesLive(const std::string& key);

// True for "alerting.rules" and the section's other keys: a reload replaces the engine.
bool IsAlertingKey(const std::string& key);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_LIVE_RELOAD_H_
