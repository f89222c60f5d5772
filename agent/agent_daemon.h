#ifndef POSTURA_AGENT_AGENT_DAEMON_H_
#define POSTURA_AGENT_AGENT_DAEMON_H_

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/check_runner.h"
#include "agent/config/agent_config.h"
#include "agent/delivery/spool.h"
#include "agent/delivery/uploader.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"

namespace postura::agent {

// Turns check results into evidence for every bound asset and outcome of the check:
// level from the result, expiring after `ttl_intervals` of the check's interval. Error
// and not-applicable results give none.
std::vector<v1::Evidence> EvidenceFromResults(const std::vector<CheckResult>& results,
                                              const std::vector<Check>& checks,
                                              const std::vector<std::string>& assets,
                                              uint32_t ttl_intervals);

// The running agent: checks on their intervals, evidence into the spool, the uploader
// delivering it. `clock` must outlive it. Not thread-safe: one thread calls RunDueChecks.
class AgentDaemon {
 public:
  // Loads the packs, opens the spool and starts the uploader. InvalidArgument for a bad
  // pack (naming check and key), or the spool's error.
  static absl::StatusOr<std::unique_ptr<AgentDaemon>> Start(const AgentOptions& options,
                                                            const Catalog& catalog, Clock& clock);

  // Runs every check whose interval has come (all of them the first time), spools their
  // evidence as one batch and wakes the uploader. Returns the number of checks run.
  absl::StatusOr<int> RunDueChecks();

  // Moves attestations left by `postura-agent attest` into the spool and wakes the
  // uploader. Returns how many.
  absl::StatusOr<int> AcceptAttestations();

  Spool& spool() { return *spool_; }
  const Uploader& uploader() const { return *uploader_; }

 private:
  AgentDaemon(const AgentOptions& options, Clock& clock) : options_(options), clock_(clock) {}

  const AgentOptions options_;
  Clock& clock_;
  std::vector<Check> checks_;
  absl::flat_hash_map<std::string, absl::Time> next_due_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<CheckRunner> runner_;
  std::unique_ptr<Uploader> uploader_;
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_AGENT_DAEMON_H_
