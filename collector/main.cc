// postura-collector: reads its config, starts the collector and serves until SIGTERM or
// SIGINT, then drains and closes cleanly.

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "collector/access/admin_token.h"
#include "collector/collector_config.h"
#include "collector/collector_server.h"
#include "collector/operator_commands.h"
#include "common/base/heap.h"
#include "common/model/catalog.h"
#include "common/transport/grpc_lifetime.h"
#include "glog/logging.h"

namespace {

// Writes the bound address to `path` atomically, so a script can wait for the file.
bool WriteReadyFile(const std::string& path, const std::string& address) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << address << "\n";
    if (!out.good()) return false;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  return !error;
}

// tcmalloc's thread caches, all threads together (its default: 32 MiB). With freed spans
// returned at once, this took the RSS after scoring_bench's simulated hour from 179 to
// 103 MiB (bench/README.md).
constexpr size_t kMaxThreadCacheBytes = 4 << 20;

// `--check-config FILE`: every problem of the file on stderr, each with its line; 0 if none.
int CheckConfig(const std::string& path) {
  const std::vector<postura::ConfigProblem> problems =
      postura::collector::CheckCollectorConfigFile(path);
  if (!problems.empty()) {
    std::cerr << postura::FormatConfigProblems(path, problems);
    return 1;
  }
  std::cout << path << ": OK\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"postura-collector: ingests agents' evidence, keeps CyberTOMP scores live."};
  std::string config_path, ready_file, catalog_path;
  app.add_option("--config", config_path, "Collector config file (YAML); required to serve");
  std::string check_config_path;
  app.add_option("--check-config", check_config_path,
                 "Check this config file without starting: print each bad key with its line, "
                 "exit 0 if it is good, 1 if not");
  app.add_option("--ready-file", ready_file,
                 "Once serving, write the bound gRPC host:port and, on a second line, the HTTP "
                 "host:port to this file (for scripts to wait on)");
  app.add_option("--catalog", catalog_path, "Outcome catalog (YAML); default: built-in ULEO v1");
  std::string recovery_token_file;
  app.add_option("--issue-admin-token", recovery_token_file,
                 "Recovery, with the collector stopped: issue a new admin token into this file "
                 "(owner-only) and exit; existing tokens stay valid");
  postura::collector::BackupCommand backup;
  CLI::App* backup_command = app.add_subcommand(
      "backup", "Ask the running collector for a consistent snapshot of its store");
  backup_command->add_option("--config", backup.config_path, "The collector's config file")
      ->required();
  backup_command
      ->add_option("--to", backup.directory,
                   "Directory on this host to write the backup into (new or empty)")
      ->required();
  backup_command->add_option("--address", backup.address,
                             "The collector's gRPC host:port; default: from the config");
  backup_command->add_option("--ca-file", backup.ca_file,
                             "CA to trust; default: the local CA's ca.crt (tls.local_ca_dir)");
  backup_command->add_option("--token-file", backup.token_file,
                             "Admin token file; default: the config's admin_token_file");
  postura::collector::RestoreCommand restore;
  CLI::App* restore_command =
      app.add_subcommand("restore", "With the collector stopped, put a backup's store in place");
  restore_command->add_option("--from", restore.from, "The backup's directory")->required();
  restore_command->add_option("--data-dir", restore.data_dir, "The collector's data_dir")
      ->required();
  restore_command->add_flag("--force", restore.force,
                            "Replace a store that is there (moved aside, never deleted)");
  CLI11_PARSE(app, argc, argv);
  if (!check_config_path.empty()) return CheckConfig(check_config_path);
  if (backup_command->parsed()) {
    return postura::collector::RunBackupCommand(backup, std::cout, std::cerr);
  }
  if (restore_command->parsed()) {
    FLAGS_logtostderr = true;
    google::InitGoogleLogging(argv[0]);
    return postura::collector::RunRestoreCommand(restore, std::cout, std::cerr);
  }
  if (config_path.empty()) {
    std::cerr << "postura-collector: --config is required\n";
    return 2;
  }

  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  // Before the threads start, so that their caches are small from the first allocation.
  postura::KeepHeapSmall(kMaxThreadCacheBytes);

  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t waited_signals = stop_signals;  // And SIGHUP: reload.
  sigaddset(&waited_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &waited_signals, nullptr);
  // After the mask, so gRPC's threads inherit it; before any channel or server.
  postura::GrpcLifetime grpc_lifetime;

  absl::StatusOr<postura::collector::CollectorOptions> options =
      postura::collector::LoadCollectorConfig(config_path);
  if (!options.ok()) {
    std::cerr << "postura-collector: " << options.status().message() << "\n";
    return 2;
  }
  if (!recovery_token_file.empty()) {
    absl::StatusOr<std::string> id = postura::collector::IssueAdminTokenOffline(
        options->data_dir, options->evidence_retention, recovery_token_file,
        postura::Clock::GetRealClock());
    if (!id.ok()) {
      std::cerr << "postura-collector: " << id.status().message() << "\n";
      return 1;
    }
    std::cout << "issued admin token " << *id << " into " << recovery_token_file << "\n";
    return 0;
  }

  std::unique_ptr<postura::Catalog> loaded_catalog;
  const postura::Catalog* catalog = &postura::Catalog::Builtin();
  if (!catalog_path.empty()) {
    absl::StatusOr<postura::Catalog> from_file = postura::Catalog::FromFile(catalog_path);
    if (!from_file.ok()) {
      std::cerr << "postura-collector: " << from_file.status().message() << "\n";
      return 2;
    }
    loaded_catalog = std::make_unique<postura::Catalog>(*std::move(from_file));
    catalog = loaded_catalog.get();
  }

  absl::StatusOr<std::unique_ptr<postura::collector::CollectorServer>> server =
      postura::collector::CollectorServer::Start(*options, *catalog, postura::Clock::GetRealClock(),
                                                 config_path);
  if (!server.ok()) {
    std::cerr << "postura-collector: " << server.status().message() << "\n";
    return 1;
  }
  if (!ready_file.empty() &&
      !WriteReadyFile(ready_file, (*server)->address() + "\n" + (*server)->http_address())) {
    std::cerr << "postura-collector: cannot write ready file " << ready_file << "\n";
    return 1;
  }

  // Ingest frees as much as it allocates; without this the allocator keeps the pages of
  // every burst (about 30 MiB after 10,000 records/s; bench/README.md, "Memory").
  postura::HeapReleaser heap_releaser(absl::Seconds(1));

  int signal_number = 0;
  while (sigwait(&waited_signals, &signal_number) == 0 && signal_number == SIGHUP) {
    LOG(INFO) << "received SIGHUP: reloading";
    // Reload logs what it changed, or why it refused and what keeps serving.
    (*server)->Reload().IgnoreError();
  }
  LOG(INFO) << "received " << strsignal(signal_number) << ", draining";
  (*server)->Shutdown();
  return 0;
}
