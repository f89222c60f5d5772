#ifndef POSTURA_TESTS_TESTING_KILL_PLAN_H_
#define POSTURA_TESTS_TESTING_KILL_PLAN_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace postura::test {

// The schedule of a chaos test (tests/agent_chaos_test.cc): which process is killed with
// SIGKILL when, and when it is started again, drawn from a seed so that a failing run's
// schedule can be replayed. A pure function of its options, the same on every machine
// (its own arithmetic on std::mt19937_64, no distribution whose output the standard
// library chooses); callable from any thread.

// The victim that stands for the collector; agents are 0 .. agents-1.
inline constexpr int kCollectorVictim = -1;

struct KillPlanOptions {
  uint64_t seed = 0;
  int kills = 0;
  int agents = 0;
  // Kills come after gaps drawn uniformly from [mean_gap / 4, 7 * mean_gap / 4].
  absl::Duration mean_gap = absl::Seconds(2);
  // How long a killed collector stays down, uniformly from [0, max_collector_down]; a
  // killed agent stays down up to twice that.
  absl::Duration max_collector_down = absl::Seconds(2);
  // Share of the kills that hit the collector; with 2 kills or more at least one hits
  // the collector and at least one an agent.
  double collector_share = 1.0 / 3;
};

struct PlannedKill {
  absl::Duration at;    // After the start of the chaos.
  int victim = 0;       // kCollectorVictim or an agent's index.
  absl::Duration down;  // Started again at `at + down`.
};

// The kills in time order. A process is never killed while the plan still has it down,
// so every kill hits a running process.
std::vector<PlannedKill> MakeKillPlan(const KillPlanOptions& options);

// One step of running a plan: kill the victim, or start it again.
struct ChaosStep {
  absl::Duration at;
  int victim = 0;
  bool restart = false;
};

// The kills and restarts of `plan` in time order (a restart before a kill at the same time).
std::vector<ChaosStep> PlanSteps(const std::vector<PlannedKill>& plan);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_KILL_PLAN_H_
