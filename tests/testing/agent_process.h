#ifndef POSTURA_TESTS_TESTING_AGENT_PROCESS_H_
#define POSTURA_TESTS_TESTING_AGENT_PROCESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/testing/subprocess.h"

namespace postura::test {

// What agent/agent_daemon.cc logs once the agent runs.
inline constexpr absl::string_view kAgentStartedLine = " checks for assets of ";

// A postura-agent run as a host runs it, for the multi-process tests in tests/: its config
// file (postura/v1/agent_config.proto) written from these options, then the binary in a
// process of its own. Plain functions; call them from one thread.
struct AgentProcessOptions {
  std::string agent_id;
  std::string collector_address;  // host:port
  std::string ca_file;            // The collector's CA.
  // An enrollment token's text, left in a file the config names, for the agent's first
  // start; empty: none (the agent then needs the credential it saved in its spool).
  std::string enrollment_token;
  std::vector<std::string> assets;
  std::string pack;                     // A check-pack file.
  std::string root;                     // The fixture tree the checks read.
  std::string spool_dir;                // Created by the agent if missing.
  uint32_t evidence_ttl_intervals = 0;  // 0: the agent's default.
};

// Writes `dir`/<agent_id>.yaml (and `dir`/<agent_id>.token with the enrollment token) and
// starts `binary` with it, its output appended to AgentLogPath(dir, agent_id). Does not
// wait for it to enroll or deliver. Killed (SIGKILL) when the result is destroyed while
// it still runs. Internal if the files cannot be written or the process not started.
absl::StatusOr<std::unique_ptr<ChildProcess>> StartAgentProcess(const std::string& binary,
                                                                const std::string& dir,
                                                                const AgentProcessOptions& options);

std::string AgentLogPath(const std::string& dir, const std::string& agent_id);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_AGENT_PROCESS_H_
