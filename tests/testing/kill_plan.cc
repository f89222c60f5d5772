#include "tests/testing/kill_plan.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace postura::test {
namespace {

// A uniform draw from [0, 1), from the generator's top 53 bits.
double Unit(std::mt19937_64& random) { return static_cast<double>(random() >> 11) * 0x1.0p-53; }

// Which of `kills` kills hit the collector, in a random order.
std::vector<char> CollectorKills(const KillPlanOptions& options, std::mt19937_64& random) {
  const int kills = std::max(options.kills, 0);
  int collector_kills = static_cast<int>(std::lround(kills * options.collector_share));
  if (kills >= 2) collector_kills = std::clamp(collector_kills, 1, kills - 1);
  if (options.agents <= 0) collector_kills = kills;
  std::vector<char> hits_collector(kills, 0);
  std::fill_n(hits_collector.begin(), collector_kills, 1);
  for (int i = kills - 1; i > 0; --i) {  // Fisher-Yates.
    std::swap(hits_collector[i], hits_collector[random() % static_cast<uint64_t>(i + 1)]);
  }
  return hits_collector;
}

}  // namespace

std::vector<PlannedKill> MakeKillPlan(const KillPlanOptions& options) {
  std::mt19937_64 random(options.seed);
  const std::vector<char> hits_collector = CollectorKills(options, random);
  std::vector<PlannedKill> plan;
  absl::Duration now;
  absl::Duration collector_up;  // When the plan has the collector running again.
  std::vector<absl::Duration> agent_up(std::max(options.agents, 0));
  for (char collector : hits_collector) {
    now += options.mean_gap * (0.25 + 1.5 * Unit(random));
    PlannedKill kill;
    if (collector) {
      now = std::max(now, collector_up);
      kill.victim = kCollectorVictim;
      kill.down = options.max_collector_down * Unit(random);
      collector_up = now + kill.down;
    } else {
      now = std::max(now, *std::min_element(agent_up.begin(), agent_up.end()));
      std::vector<int> running;
      for (int agent = 0; agent < options.agents; ++agent) {
        if (agent_up[agent] <= now) running.push_back(agent);
      }
      kill.victim = running[random() % running.size()];
      kill.down = 2 * options.max_collector_down * Unit(random);
      agent_up[kill.victim] = now + kill.down;
    }
    kill.at = now;
    plan.push_back(kill);
  }
  return plan;
}

std::vector<ChaosStep> PlanSteps(const std::vector<PlannedKill>& plan) {
  std::vector<ChaosStep> steps;
  for (const PlannedKill& kill : plan) {
    steps.push_back({kill.at, kill.victim, false});
    steps.push_back({kill.at + kill.down, kill.victim, true});
  }
  std::stable_sort(steps.begin(), steps.end(), [](const ChaosStep& a, const ChaosStep& b) {
    return a.at != b.at ? a.at < b.at : a.restart && !b.restart;
  });
  return steps;
}

}  // namespace postura::test
