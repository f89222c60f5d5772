#ifndef POSTURA_TESTS_TESTING_COLLECTOR_PROCESS_H_
#define POSTURA_TESTS_TESTING_COLLECTOR_PROCESS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/transport/collector_channel.h"
#include "tests/testing/subprocess.h"

namespace postura::test {

// A postura-collector running as a separate process, with its config, data directory,
// ready file and log inside `dir`. Killed (SIGKILL) on destruction if still running.
class CollectorProcess {
 public:
  // Writes dir/collector.yaml (data_dir dir/data, listen_address, then `extra_yaml`),
  // starts `binary` and waits until it serves. Unavailable if it does not come up in 30 s;
  // the message then includes the end of its log. `local_ca_dir`: the tls.local_ca_dir
  // that `extra_yaml` sets, if it does.
  static absl::StatusOr<std::unique_ptr<CollectorProcess>> Start(
      const std::string& binary, const std::string& dir,
      const std::string& listen_address = "127.0.0.1:0", const std::string& extra_yaml = "",
      const std::string& local_ca_dir = "");

  // The address it serves on, host:port.
  const std::string& address() const { return address_; }
  const std::string& http_address() const { return http_address_; }
  pid_t pid() const { return process_->pid(); }
  const std::string& data_dir() const { return data_dir_; }
  // The local CA clients pin, and the first admin token's file (both in the data dir).
  std::string ca_file() const { return local_ca_dir_ + "/ca.crt"; }
  std::string admin_token_file() const { return data_dir_ + "/admin.token"; }
  // The CA and the admin token, read when it came up.
  const CollectorTrust& admin() const { return admin_; }

  // SIGKILL, and wait for it to die.
  void Kill();
  // SIGTERM, and wait: the process's exit status.
  int Stop();
  // Sends a signal without waiting; Wait() reaps the process.
  void Signal(int signal_number) { process_->Signal(signal_number); }
  int Wait() { return process_->Wait(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string address_;
  std::string http_address_;
  std::string data_dir_;
  std::string local_ca_dir_;
  CollectorTrust admin_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_COLLECTOR_PROCESS_H_
