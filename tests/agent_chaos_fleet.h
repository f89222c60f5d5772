#ifndef POSTURA_TESTS_AGENT_CHAOS_FLEET_H_
#define POSTURA_TESTS_AGENT_CHAOS_FLEET_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "postura/v1/query.pb.h"
#include "tests/agent_chaos_audit.h"
#include "tests/testing/agent_process.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"

namespace postura::test {

// What draining left: every agent's spool after its last clean stop (by agent index), when
// the last agent stopped, and how often an agent had to be started again because a check
// run slipped in just before its stop.
struct DrainResult {
  std::vector<SpoolWitness> witnesses;
  absl::Time last_stop;
  int restarts = 0;
};

// The processes of tests/agent_chaos_test.cc: one postura-collector (its files in
// dir/collector, its gRPC port kept across restarts) and `agents` postura-agent processes
// (dir/agent-NN), with what it takes to kill and start each again. Agent i reports on asset
// i/2, so two agents share each asset: the even one's evidence lives 3 check intervals,
// the odd one's 100, and one of the two reads a fixture root where the `fast` pack's
// checks fail, the other one where they pass (alternating by asset), so that what
// expires moves the scores. Binaries:
// POSTURA_AGENT_BIN and POSTURA_COLLECTOR_BIN. Used from the test's thread only.
class ChaosFleet {
 public:
  // `pack`: the check-pack file every agent runs, every check on `check_interval`.
  ChaosFleet(std::string dir, int agents, std::string pack, absl::Duration check_interval);

  // Starts the collector on a free port, which later starts reuse.
  absl::Status StartCollector();
  // Registers the assets, leaves each agent an enrollment token and starts every agent.
  absl::Status EnrollAndStartAgents();
  // Waits until the collector has stored a batch of every agent.
  absl::Status WaitUntilEveryAgentDelivered(absl::Duration timeout);

  // SIGKILL to the victim (kCollectorVictim or an agent's index), which must be running.
  absl::Status Kill(int victim);
  // Starts the victim again with its own config and data.
  absl::Status Restart(int victim);

  // Stops every agent (SIGTERM) at a moment its spool holds nothing unacknowledged, and
  // reads its spool. DeadlineExceeded after `timeout`, naming every agent not drained.
  absl::StatusOr<DrainResult> Drain(absl::Duration timeout);

  // SIGTERM to the collector: its exit status.
  int StopCollector();
  // Starts a new collector process on the stopped one's data, reads its scores, stops it.
  absl::StatusOr<ScoreReading> ReadScoresOfAFreshCollector();

  // What the scores must say of each of the pack's outcomes on asset `asset` once only
  // the long-lived evidence counts: LIVE, decided by the asset's long-lived agent, at 100
  // where its root passes and 0 where it fails; STALE on an asset with no long-lived agent
  // (the last one, for an odd number of agents).
  struct SettledOutcome {
    v1::OutcomeState state = v1::OUTCOME_STATE_UNSPECIFIED;
    v1::Level level = v1::LEVEL_UNSPECIFIED;
    std::string deciding_agent;  // Empty when STALE.
  };
  SettledOutcome Settled(int asset) const;

  const std::string& address() const { return address_; }
  const CollectorTrust& admin() const { return admin_; }
  const std::vector<std::string>& asset_ids() const { return asset_ids_; }
  std::string store_path() const { return collector_dir() + "/data/store"; }
  // How long the short-lived agents' evidence counts after it was observed.
  absl::Duration short_evidence_life() const { return check_interval_ * kShortLivedIntervals; }
  int collector_kills() const { return collector_kills_; }
  int agent_kills() const { return agent_kills_; }

 private:
  static constexpr uint32_t kShortLivedIntervals = 3;
  static constexpr uint32_t kLongLivedIntervals = 100;

  std::string collector_dir() const { return dir_ + "/collector"; }
  // Fixture roots where the pack's checks pass, and fail.
  std::string StrongRoot() const { return dir_ + "/roots/strong"; }
  std::string WeakRoot() const { return dir_ + "/roots/weak"; }
  std::string AgentDir(int agent) const;
  std::string SpoolDir(int agent) const { return AgentDir(agent) + "/spool"; }
  std::string LogPath(int agent) const;
  AgentProcessOptions AgentOptions(int agent) const;
  absl::Status StartAgent(int agent);
  // Stops a drained-looking agent and reads its spool: true if it is drained for good.
  absl::StatusOr<bool> StopIfDrained(int agent, DrainResult& result);
  // Every agent's last stored sequence as the collector reports it; empty if it cannot.
  std::vector<uint64_t> StoredSequences() const;
  std::string DrainFailure(const std::vector<bool>& drained, absl::Duration timeout) const;

  const std::string dir_;
  const std::string pack_;
  const absl::Duration check_interval_;
  std::string address_;
  CollectorTrust admin_;
  std::vector<std::string> asset_ids_;
  std::unique_ptr<CollectorProcess> collector_;        // Null while killed.
  std::vector<std::unique_ptr<ChildProcess>> agents_;  // An entry is null while killed.
  std::vector<std::string> enrollment_tokens_;         // By agent, for its config.
  int collector_kills_ = 0;
  int agent_kills_ = 0;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_AGENT_CHAOS_FLEET_H_
