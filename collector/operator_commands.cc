#include "collector/operator_commands.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/collector_config.h"
#include "collector/store/evidence_store.h"
#include "collector/store/store_backup.h"
#include "common/transport/collector_channel.h"
#include "common/transport/grpc_status.h"
#include "postura/v1/operations.grpc.pb.h"

namespace postura::collector {
namespace {

namespace fs = std::filesystem;

// A backup can take long on a large store on slow disks; past this the command gives up
// waiting (the collector finishes it anyway).
constexpr absl::Duration kBackupDeadline = absl::Hours(2);

// Where this host reaches a collector listening on `listen_address`: a wildcard host
// (0.0.0.0, [::] or none) is reached on the loopback address.
std::string LocalAddress(const std::string& listen_address) {
  const size_t colon = listen_address.rfind(':');
  const std::string host = listen_address.substr(0, colon);
  if (host.empty() || host == "0.0.0.0" || host == "[::]") {
    return absl::StrCat("127.0.0.1", listen_address.substr(colon));
  }
  return listen_address;
}

// The admin's trust, from the flags or else the config: the local CA (none when the
// operator provided the TLS files: the system's roots) and the admin token file.
absl::StatusOr<CollectorTrust> AdminTrust(const BackupCommand& command,
                                          const CollectorOptions& options) {
  std::string ca_file = command.ca_file;
  if (ca_file.empty() && options.tls_certificate_file.empty()) {
    ca_file = (fs::path(LocalCaDir(options)) / "ca.crt").string();
  }
  return LoadCollectorTrust(
      ca_file, command.token_file.empty() ? options.admin_token_file : command.token_file);
}

// Moves `path` aside, to `path`.replaced-<unix seconds>, if it exists; what it became.
absl::StatusOr<std::string> MoveAside(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return std::string();
  const std::string aside =
      absl::StrCat(path.string(), ".replaced-", absl::ToUnixSeconds(absl::Now()));
  fs::rename(path, aside, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot move ", path.string(), " aside: ", error.message()));
  }
  return aside;
}

// Copies the backup's TLS files, if it has any, into `to` (which must not exist).
absl::Status RestoreTlsFiles(const fs::path& from, const fs::path& to) {
  std::error_code error;
  if (!fs::is_directory(from, error)) return absl::OkStatus();
  return CopyStore(from.string(), to.string());  // Owner-only, each file synced.
}

// Refuses to go on if `path` holds something and --force was not given.
absl::Status RefuseToReplace(const fs::path& path, bool force) {
  std::error_code error;
  const bool occupied = fs::exists(path, error) && !fs::is_empty(path, error);
  if (occupied && !force) {
    return absl::FailedPreconditionError(absl::StrCat(
        path.string(), " is not empty: pass --force to replace it (it is moved aside, kept)"));
  }
  return absl::OkStatus();
}

absl::Status Restore(const RestoreCommand& command, std::ostream& out) {
  const fs::path backup_store = fs::path(command.from) / "store";
  absl::StatusOr<int> version = CheckStoreCopy(backup_store.string());
  if (!version.ok()) return version.status();
  const fs::path data_dir(command.data_dir);
  const fs::path store = data_dir / "store";
  const fs::path tls = data_dir / "tls";
  if (absl::Status s = CheckStoreUnused(store.string()); !s.ok()) return s;
  for (const fs::path& path : {store, tls}) {
    if (absl::Status s = RefuseToReplace(path, command.force); !s.ok()) return s;
  }
  std::error_code error;
  if (fs::create_directories(data_dir, error)) {
    fs::permissions(data_dir, fs::perms::owner_all, error);
  }
  for (const fs::path& path : {store, tls}) {
    absl::StatusOr<std::string> aside = MoveAside(path);
    if (!aside.ok()) return aside.status();
    if (!aside->empty()) out << "moved the existing " << path.string() << " to " << *aside << "\n";
  }
  if (absl::Status s = CopyStore(backup_store.string(), store.string()); !s.ok()) return s;
  if (absl::Status s = RestoreTlsFiles(fs::path(command.from) / "tls", tls); !s.ok()) return s;
  const fs::path token = fs::path(command.from) / "admin.token";
  if (fs::exists(token, error) && !fs::exists(data_dir / "admin.token", error)) {
    fs::copy_file(token, data_dir / "admin.token", error);
    fs::permissions(data_dir / "admin.token", fs::perms::owner_read | fs::perms::owner_write,
                    error);
  }
  // Opening it once checks it and migrates an older format, so the collector starts on a
  // store it can use.
  absl::StatusOr<std::unique_ptr<EvidenceStore>> opened =
      EvidenceStore::Open({.path = store.string()});
  if (!opened.ok()) return opened.status();
  absl::StatusOr<StoreSnapshot> copied = MeasureStoreCopy(store.string());
  if (!copied.ok()) return copied.status();
  out << "restored " << command.from << " into " << command.data_dir << ": store format version "
      << *version << ", " << copied->files << " files, " << copied->bytes << " bytes\n";
  return absl::OkStatus();
}

}  // namespace

int RunBackupCommand(const BackupCommand& command, std::ostream& out, std::ostream& err) {
  absl::StatusOr<CollectorOptions> options = LoadCollectorConfig(command.config_path);
  if (!options.ok()) {
    err << "postura-collector backup: " << options.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<CollectorTrust> trust = AdminTrust(command, *options);
  if (!trust.ok()) {
    err << "postura-collector backup: " << trust.status().message() << "\n";
    return 2;
  }
  const std::string address =
      command.address.empty() ? LocalAddress(options->listen_address) : command.address;
  std::error_code error;
  v1::BackupRequest request;
  request.set_directory(fs::absolute(command.directory, error).lexically_normal().string());
  auto operations = v1::OperationsService::NewStub(CreateCollectorChannel(address, *trust));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kBackupDeadline));
  v1::BackupResponse response;
  if (grpc::Status s = operations->Backup(&context, request, &response); !s.ok()) {
    err << "postura-collector backup: " << address << ": " << FromGrpcStatus(s).message() << "\n";
    return 1;
  }
  out << "backup of " << address << " in " << request.directory() << ": store " << response.files()
      << " files, " << response.bytes() << " bytes, sequence " << response.sequence()
      << ", format version " << response.store_format_version() << ", taken in "
      << absl::FormatDuration(absl::Nanoseconds(response.duration_nanos())) << "\n";
  return 0;
}

int RunRestoreCommand(const RestoreCommand& command, std::ostream& out, std::ostream& err) {
  if (absl::Status s = Restore(command, out); !s.ok()) {
    err << "postura-collector restore: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace postura::collector
