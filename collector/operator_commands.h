#ifndef POSTURA_COLLECTOR_OPERATOR_COMMANDS_H_
#define POSTURA_COLLECTOR_OPERATOR_COMMANDS_H_

// The operator's subcommands of postura-collector that do not serve: `backup` (asks the
// running collector for a snapshot over OperationsService) and `restore` (with the
// collector stopped, puts a backup in place). Called by main.cc, once per process; they
// write what they did to `out` and why they failed to `err`, and return the exit status.

#include <ostream>
#include <string>

namespace postura::collector {

struct BackupCommand {
  std::string config_path;  // The running collector's config: address, CA, admin token.
  std::string directory;    // Where the backup goes, on the collector's host.
  std::string address;      // Overrides the config's listen_address.
  std::string ca_file;      // Overrides <data_dir>/tls/ca.crt.
  std::string token_file;   // Overrides the config's admin_token_file.
};

// 0 once the backup is complete; 1 if the collector refused or failed it; 2 for a bad
// config or argument.
int RunBackupCommand(const BackupCommand& command, std::ostream& out, std::ostream& err);

struct RestoreCommand {
  std::string from;      // A backup's directory (what `backup --to` made).
  std::string data_dir;  // The collector's data_dir, to restore into.
  bool force = false;    // Replace a store that is there (kept aside, never deleted).
};

// 0 once the backup's store (and its TLS files) are in place and open as a store; 1 if
// it refused (a store is there and not --force, the collector is running, the backup is
// newer than this collector) or failed.
int RunRestoreCommand(const RestoreCommand& command, std::ostream& out, std::ostream& err);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_OPERATOR_COMMANDS_H_
