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
#include "agent/openscap_source.h"
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

// Loads the check packs at `packs`, in order. InvalidArgument naming the pack file for a
// bad pack (and the check and key), or a check id that an earlier pack already holds.
absl::StatusOr<std::vector<Check>> LoadChecks(const std::vector<std::string>& packs,
                                              const Catalog& catalog);

// The running agent: checks on their intervals, OpenSCAP evaluations and dropped results
// on a thread of their own (openscap_source.h), evidence into the spool, the uploader
// delivering it. `catalog` and `clock` must outlive it. Not thread-safe: one thread calls
// RunDueChecks.
class AgentDaemon {
 public:
  // Loads the packs, opens the spool and starts the uploader and, for an agent with a
  // certificate (options.certificate), its renewal. InvalidArgument for a bad
  // pack (naming check and key), or the spool's error.
  static absl::StatusOr<std::unique_ptr<AgentDaemon>> Start(const AgentOptions& options,
                                                            const Catalog& catalog, Clock& clock);

  // Runs every check whose interval has come (all of them the first time), spools their
  // evidence as one batch and wakes the uploader. Returns the number of checks run.
  absl::StatusOr<int> RunDueChecks();

  // Moves attestations left by `postura-agent attest` into the spool and wakes the
  // uploader. Returns how many.
  absl::StatusOr<int> AcceptAttestations();

  // Reads the packs again (SIGHUP): the new checks replace the old ones, each check that
  // stays keeping its schedule. If a pack is bad, logs why and keeps the old checks, and
  // returns LoadChecks's error.
  absl::Status ReloadPacks();

  // The checks it runs now.
  const std::vector<Check>& checks() const { return checks_; }

  Spool& spool() { return *spool_; }
  // Null when the config names no OpenSCAP source or drop directory.
  OpenscapSource* openscap() { return openscap_.get(); }
  const Uploader& uploader() const { return *uploader_; }

 private:
  AgentDaemon(const AgentOptions& options, const Catalog& catalog, Clock& clock)
      : options_(options), catalog_(catalog), clock_(clock) {}
  // Runs `checks` from now on, keeping the schedule of those it already ran.
  void UseChecks(std::vector<Check> checks);

  const AgentOptions options_;
  const Catalog& catalog_;
  Clock& clock_;
  std::vector<Check> checks_;
  absl::flat_hash_map<std::string, absl::Time> next_due_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<CheckRunner> runner_;
  std::unique_ptr<IdentityHolder> identity_;  // Read by the uploader, renewed by renewal_.
  std::unique_ptr<Uploader> uploader_;
  std::unique_ptr<CertificateRenewal> renewal_;  // Null for a bearer credential.
  std::unique_ptr<OpenscapSource> openscap_;     // Stopped first: it feeds the spool.
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_AGENT_DAEMON_H_
