#ifndef POSTURA_TESTS_FAULT_AGENTS_H_
#define POSTURA_TESTS_FAULT_AGENTS_H_

// Real agents for the fault tests (store_full_test.cc, collector_down_test.cc): a config
// written from a few options, the postura-agent binary in a process of its own, and its
// spool read back once it has stopped. Plain functions; call them from the test's thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testing/subprocess.h"

namespace postura::test {

struct FaultAgentOptions {
  std::string agent_id;
  std::string collector_address;
  std::string ca_file;           // The collector's CA.
  std::string enrollment_token;  // Its text, for the first start.
  std::vector<std::string> assets;
  std::string pack;              // A check-pack file.
  std::string root;              // The fixture tree the checks read.
  uint64_t spool_max_bytes = 0;  // 0: the agent's default.
};

// Writes `dir`/agent.yaml (spool in `dir`/spool, the token in `dir`/enrollment.token) and
// starts `binary`; its output goes to FaultAgentLog(dir).
absl::StatusOr<std::unique_ptr<ChildProcess>> StartFaultAgent(const std::string& binary,
                                                              const std::string& dir,
                                                              const FaultAgentOptions& options);
std::string FaultAgentLog(const std::string& dir);

// What a stopped agent's spool says: the last sequence it gave, what it still holds and
// what it dropped.
struct SpoolFigures {
  uint64_t last_sequence = 0;
  std::size_t pending_batches = 0;
  uint64_t dropped_items = 0;
};
absl::StatusOr<SpoolFigures> ReadStoppedSpool(const std::string& dir);

}  // namespace postura::test

#endif  // POSTURA_TESTS_FAULT_AGENTS_H_
