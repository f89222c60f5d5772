#include "collector/operations_service.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "collector/store/store_backup.h"
#include "collector/store/store_format.h"
#include "common/transport/grpc_status.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

namespace fs = std::filesystem;

// Makes `directory` ready to receive a backup: absolute, and empty or new (created
// owner-only; its parent must exist).
absl::Status PrepareBackupDirectory(const std::string& directory) {
  if (directory.empty() || directory[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("backup directory '", directory, "' is not an absolute path"));
  }
  std::error_code error;
  if (fs::exists(directory, error)) {
    if (!fs::is_directory(directory, error) || !fs::is_empty(directory, error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("backup directory ", directory, " exists and is not an empty directory"));
    }
  } else if (!fs::create_directory(directory, error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create backup directory ", directory, ": ", error.message()));
  }
  fs::permissions(directory, fs::perms::owner_all, error);
  return absl::OkStatus();
}

// Copies the regular files of `from` (the local CA's tls/) into `to`, owner-only.
absl::Status CopyTlsFiles(const fs::path& from, const fs::path& to) {
  std::error_code error;
  if (!fs::is_directory(from, error)) return absl::OkStatus();  // Operator-provided TLS.
  if (!fs::create_directory(to, error)) {
    return absl::UnavailableError(absl::StrCat("creating ", to.string(), ": ", error.message()));
  }
  fs::permissions(to, fs::perms::owner_all, error);
  for (const fs::directory_entry& entry : fs::directory_iterator(from, error)) {
    if (!entry.is_regular_file()) continue;
    fs::copy_file(entry.path(), to / entry.path().filename(), error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("copying ", entry.path().string(), ": ", error.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

OperationsService::OperationsService(const Gatekeeper& gate, const EvidenceStore& store,
                                     std::string data_dir, Reloader reload)
    : gate_(gate), store_(store), data_dir_(std::move(data_dir)), reload_(std::move(reload)) {}

OperationsService::~OperationsService() {
  std::thread last;
  {
    absl::MutexLock lock(&mu_);
    last = std::move(backup_thread_);
  }
  if (last.joinable()) last.join();  // Unlocked: the backup thread takes mu_ as it ends.
}

absl::Status OperationsService::RunBackup(const std::string& directory,
                                          v1::BackupResponse& response) {
  const absl::Time start = absl::Now();
  const std::string store_directory = (fs::path(directory) / "store").string();
  absl::StatusOr<StoreSnapshot> snapshot = store_.Checkpoint(store_directory);
  if (!snapshot.ok()) return snapshot.status();
  const absl::Duration took = absl::Now() - start;
  if (absl::Status s = CopyTlsFiles(fs::path(data_dir_) / "tls", fs::path(directory) / "tls");
      !s.ok()) {
    return s;
  }
  // The first admin token's file, where the collector wrote it: a restored collector
  // knows the token (its record is in the store), so the file goes with it.
  std::error_code error;
  const fs::path token = fs::path(data_dir_) / "admin.token";
  if (fs::exists(token, error)) {
    fs::copy_file(token, fs::path(directory) / "admin.token", error);
    if (error) return absl::UnavailableError(absl::StrCat("copying ", token.string()));
  }
  response.set_store_directory(store_directory);
  response.set_sequence(snapshot->sequence);
  response.set_files(snapshot->files);
  response.set_bytes(snapshot->bytes);
  response.set_store_format_version(kStoreFormatVersion);
  response.set_duration_nanos(absl::ToInt64Nanoseconds(took));
  LOG(INFO) << "backup into " << directory << ": " << snapshot->files << " files, "
            << snapshot->bytes << " bytes, sequence " << snapshot->sequence << ", in "
            << absl::FormatDuration(took);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* OperationsService::Backup(grpc::CallbackServerContext* context,
                                                    const v1::BackupRequest* request,
                                                    v1::BackupResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // A backup holds every credential's record: admins only.
  if (absl::StatusOr<Principal> admitted = gate_.Admit(*context, Permission::kManageCredentials);
      !admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted.status()));
    return reactor;
  }
  absl::MutexLock lock(&mu_);
  if (backup_running_) {
    reactor->Finish(ToGrpcStatus(absl::FailedPreconditionError("a backup is running already")));
    return reactor;
  }
  if (absl::Status s = PrepareBackupDirectory(request->directory()); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  if (backup_thread_.joinable()) backup_thread_.join();  // The last one, finished.
  backup_running_ = true;
  backup_thread_ = std::thread([this, reactor, request, response] {
    absl::Status done = RunBackup(request->directory(), *response);
    if (!done.ok()) LOG(ERROR) << "backup into " << request->directory() << ": " << done;
    {
      absl::MutexLock lock(&mu_);
      backup_running_ = false;
    }
    reactor->Finish(ToGrpcStatus(done));
  });
  return reactor;
}

grpc::ServerUnaryReactor* OperationsService::Reload(grpc::CallbackServerContext* context,
                                                    const v1::ReloadRequest* /*request*/,
                                                    v1::ReloadResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    absl::StatusOr<std::vector<std::string>> changes = reload_();
    if (!changes.ok()) return changes.status();
    for (const std::string& change : *changes) response->add_changes(change);
    return absl::OkStatus();
  });
}

}  // namespace postura::collector
