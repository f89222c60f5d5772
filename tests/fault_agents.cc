#include "tests/fault_agents.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/delivery/spool.h"
#include "common/transport/private_file.h"
#include "tests/testing/agent_process.h"

namespace postura::test {

std::string FaultAgentLog(const std::string& dir) { return dir + "/agent.log"; }

absl::StatusOr<std::unique_ptr<ChildProcess>> StartFaultAgent(const std::string& binary,
                                                              const std::string& dir,
                                                              const FaultAgentOptions& options) {
  const std::string token_file = dir + "/enrollment.token";
  if (absl::Status s = WritePrivateFile(token_file, options.enrollment_token); !s.ok()) return s;
  const std::string config = dir + "/agent.yaml";
  {
    std::ofstream out(config, std::ios::trunc);
    out << "agent_id: " << options.agent_id << "\ncollector_address: " << options.collector_address
        << "\nassets: [" << absl::StrJoin(options.assets, ", ") << "]\npacks: [" << options.pack
        << "]\nroot: " << options.root << "\nca_file: " << options.ca_file
        << "\nenrollment_token_file: " << token_file << "\nspool:\n  directory: " << dir
        << "/spool\n";
    if (options.spool_max_bytes > 0) out << "  max_bytes: " << options.spool_max_bytes << "\n";
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", config));
  }
  // Returns once the agent runs (it logs "... checks for assets of ..."), so that a SIGTERM
  // the test sends next finds it handling its stop signals.
  return StartAndWaitForLine({binary, "--config", config}, FaultAgentLog(dir), kAgentStartedLine,
                             absl::Seconds(60));
}

absl::StatusOr<SpoolFigures> ReadStoppedSpool(const std::string& dir) {
  agent::SpoolOptions options;
  options.directory = dir + "/spool";
  absl::StatusOr<std::unique_ptr<agent::Spool>> spool = agent::Spool::Open(options);
  if (!spool.ok()) return spool.status();
  SpoolFigures figures;
  figures.last_sequence = (*spool)->next_sequence() - 1;
  figures.pending_batches = (*spool)->pending_batches();
  figures.dropped_items = (*spool)->dropped_items_total();
  return figures;
}

}  // namespace postura::test
