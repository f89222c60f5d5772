// Chaos with real processes (issue 23, item 4): at least 20 real postura-agent processes,
// each with its own spool, running the one-second `fast` pack on a fixture root, deliver
// to a real postura-collector while the test kills, with SIGKILL at random moments, both
// the collector and random agents, and starts each again. Then everything drains and
// stops, and the test judges what is left on disk.
//
// Settings (environment; unset: the CI short form, 20 agents, 6 kills, seed 2323, 2 s):
//   POSTURA_CHAOS_AGENTS  agents, 2 to 200
//   POSTURA_CHAOS_KILLS   kills, 2 to 10000 (at least one of the collector, one of an agent)
//   POSTURA_CHAOS_SEED    the kill plan's seed, printed at the start of every run
//   POSTURA_CHAOS_GAP     mean time between kills, e.g. 12s (100ms to 10m)
// tests/chaos.sh runs the long form with flags for these.
//
// How the pieces are settled:
// - What the agents created is known from the agents, not from the collector. An agent's
//   spool numbers its batches 1, 2, 3, ... with nothing skipped, writes each durably
//   before Append returns, and keeps its next number on disk also once everything is
//   acknowledged (agent/delivery/spool.h). So after an agent's clean stop, its spool
//   (opened by the test: SpoolWitness) says it created batches 1 .. next_sequence-1, that
//   none is pending and that nothing was dropped or set aside. Every batch is one run of
//   the pack: both checks share the one-second interval, so each run holds every check,
//   and the fixture roots give every check a result, so a batch holds one item per
//   (asset, outcome) of the pack: the pack's outcome count, read from the pack file.
// - Exactly once, from the stopped collector's store (agent_chaos_audit.h): the evidence
//   log holds batches 1 .. last of every agent, each with all its items, nothing beyond;
//   no item twice (the log is keyed by agent, sequence and index, so a batch applied twice
//   would overwrite itself: the agent's stored item counter, which it would inflate, must
//   equal the log, and no two records may share agent, asset, outcome, check and observed
//   time, which a batch resent under a new number would); and each source's current
//   state is its latest record in the log.
// - Kill moments: a plan drawn from the seed (tests/testing/kill_plan.h): gaps uniform in
//   [gap/4, 7 gap/4], a third of the kills on the collector, the rest on random running
//   agents, each victim down for a random while (several agents may be down at once, also
//   while the collector is). The seed is printed first; POSTURA_CHAOS_SEED (or chaos.sh
//   --seed) replays the same plan. The processes' own timing is not replayed.
// - Drain: after the plan, every victim is running again. Each agent is then stopped
//   (SIGTERM) at a moment its spool directory holds no segment, i.e. nothing is
//   unacknowledged; if a check run slipped in before the stop, it is started again and
//   the next moment is taken. Bounded (2 minutes); on timeout the failure names each agent
//   still holding batches, what the collector stored of it, and the end of its log.
// - Scores: the live collector's scores (every asset's and the organisation's) are read
//   once no evidence can still expire, and compared with those of a fresh collector
//   started on the same data, which rebuilds every score from the stored state; the
//   state itself is checked against the log above. To make expiry count, the agents on an
//   asset differ: one's evidence lives 3 intervals and the other's 100, and they read
//   different fixture roots (the test writes one where the checks pass and one where they
//   fail), so the scores read after the drain are those of the long-lived evidence alone:
//   the test also checks the pack's outcomes against that, in case both collectors erred
//   alike. A source expiring between the two readings would void the comparison; the
//   test checks that none did.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/checks/check_pack.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agent_chaos_audit.h"
#include "tests/agent_chaos_fleet.h"
#include "tests/testing/kill_plan.h"
#include "tests/testing/temp_dir.h"

namespace postura::test {
namespace {

using ::testing::IsEmpty;

constexpr char kPack[] = POSTURA_SOURCE_DIR "/tests/testdata/agent/packs/fast.yaml";
constexpr absl::Duration kDrainTimeout = absl::Minutes(2);

// An integer setting from the environment: `fallback` when unset.
absl::StatusOr<int64_t> IntSetting(const char* name, int64_t fallback, int64_t min, int64_t max) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "='", text, "': expected a whole number from ", min, " to ", max));
  }
  return value;
}

struct ChaosSettings {
  int agents = 20;
  int kills = 6;
  uint64_t seed = 2323;
  absl::Duration mean_gap = absl::Seconds(2);
};

absl::StatusOr<ChaosSettings> SettingsFromEnvironment() {
  ChaosSettings settings;
  absl::StatusOr<int64_t> agents = IntSetting("POSTURA_CHAOS_AGENTS", settings.agents, 2, 200);
  if (!agents.ok()) return agents.status();
  absl::StatusOr<int64_t> kills = IntSetting("POSTURA_CHAOS_KILLS", settings.kills, 2, 10000);
  if (!kills.ok()) return kills.status();
  settings.agents = static_cast<int>(*agents);
  settings.kills = static_cast<int>(*kills);
  if (const char* seed = std::getenv("POSTURA_CHAOS_SEED"); seed != nullptr && *seed != '\0') {
    if (!absl::SimpleAtoi(seed, &settings.seed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("POSTURA_CHAOS_SEED='", seed, "': expected a whole number"));
    }
  }
  if (const char* gap = std::getenv("POSTURA_CHAOS_GAP"); gap != nullptr && *gap != '\0') {
    if (!absl::ParseDuration(gap, &settings.mean_gap) ||
        settings.mean_gap < absl::Milliseconds(100) || settings.mean_gap > absl::Minutes(10)) {
      return absl::InvalidArgumentError(
          absl::StrCat("POSTURA_CHAOS_GAP='", gap, "': expected a duration from 100ms to 10m"));
    }
  }
  return settings;
}

// What the pack makes of one run, for an agent bound to one asset.
struct PackFacts {
  int items_per_batch = 0;  // One per outcome of each check.
  absl::Duration interval;  // Every check's: so every run holds each of them.
  std::set<std::string> outcomes;
};

absl::StatusOr<PackFacts> ReadPack() {
  absl::StatusOr<agent::CheckPack> pack = agent::LoadCheckPack(kPack, Catalog::Builtin());
  if (!pack.ok()) return pack.status();
  PackFacts facts;
  facts.interval = pack->checks.front().interval;
  for (const agent::Check& check : pack->checks) {
    if (check.interval != facts.interval) {
      return absl::FailedPreconditionError(
          absl::StrCat(kPack,
                       ": its checks must share one interval, so that every run holds "
                       "each of them"));
    }
    facts.items_per_batch += static_cast<int>(check.outcomes.size());
    facts.outcomes.insert(check.outcomes.begin(), check.outcomes.end());
  }
  return facts;
}

// The outcome `id` of `score`; null if it has none.
const v1::OutcomeScore* FindOutcome(const v1::AssetScore& score, const std::string& id) {
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        if (outcome.id() == id) return &outcome;
      }
    }
  }
  return nullptr;
}

// The pack's outcomes as the fleet's design says they settle once only long-lived
// evidence counts: so a score both collectors got wrong the same way is caught too.
void ExpectSettledOutcomes(const ChaosFleet& fleet, const ScoreReading& reading,
                           const std::set<std::string>& outcomes) {
  for (std::size_t asset = 0; asset < reading.assets.size(); ++asset) {
    const ChaosFleet::SettledOutcome settled = fleet.Settled(static_cast<int>(asset));
    for (const std::string& id : outcomes) {
      const v1::OutcomeScore* outcome = FindOutcome(reading.assets[asset], id);
      ASSERT_NE(outcome, nullptr) << fleet.asset_ids()[asset] << " has no outcome " << id;
      EXPECT_EQ(outcome->state(), settled.state) << fleet.asset_ids()[asset] << " " << id;
      EXPECT_EQ(outcome->level(), settled.level) << fleet.asset_ids()[asset] << " " << id;
      EXPECT_EQ(outcome->deciding().agent_id(), settled.deciding_agent)
          << fleet.asset_ids()[asset] << " " << id;
    }
  }
}

void Say(const std::string& line) { std::cout << "[  chaos   ] " << line << std::endl; }

// Runs the plan's steps on time (or as soon as the previous step is done).
absl::Status RunPlan(ChaosFleet& fleet, const std::vector<PlannedKill>& plan) {
  const absl::Time start = absl::Now();
  for (const ChaosStep& step : PlanSteps(plan)) {
    absl::SleepFor(start + step.at - absl::Now());
    absl::Status done = step.restart ? fleet.Restart(step.victim) : fleet.Kill(step.victim);
    if (!done.ok()) return done;
  }
  return absl::OkStatus();
}

// Reads the live scores until two readings half a second apart agree: nothing is
// arriving any more, so they settle once the scorer has applied what it was handed.
absl::StatusOr<ScoreReading> ReadSettledScores(const ChaosFleet& fleet) {
  absl::StatusOr<ScoreReading> previous =
      ReadScores(fleet.address(), fleet.admin(), fleet.asset_ids());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (previous.ok()) {
    absl::SleepFor(absl::Milliseconds(500));
    absl::StatusOr<ScoreReading> next =
        ReadScores(fleet.address(), fleet.admin(), fleet.asset_ids());
    if (!next.ok()) return next.status();
    const std::string differences = ScoreDifferences(*previous, *next);
    if (differences.empty()) return next;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("the live scores still move 20 s after the drain:\n" +
                                         differences);
    }
    previous = std::move(next);
  }
  return previous.status();
}

TEST(AgentChaosTest, KilledAgentsAndCollectorStoreEveryItemOnceAndScoresMatchTheStore) {
  const absl::Time started = absl::Now();
  absl::StatusOr<ChaosSettings> settings = SettingsFromEnvironment();
  ASSERT_TRUE(settings.ok()) << settings.status();
  Say(absl::StrCat("seed ", settings->seed, ", ", settings->agents, " agents, ", settings->kills,
                   " kills, a kill every ", absl::FormatDuration(settings->mean_gap),
                   " on average (replay: tests/chaos.sh --seed ", settings->seed, " --kills ",
                   settings->kills, " --agents ", settings->agents, " --gap ",
                   absl::FormatDuration(settings->mean_gap), ")"));
  RecordProperty("seed", absl::StrCat(settings->seed));
  absl::StatusOr<PackFacts> pack = ReadPack();
  ASSERT_TRUE(pack.ok()) << pack.status();

  TempDir dir;
  ChaosFleet fleet(dir.path().string(), settings->agents, kPack, pack->interval);
  absl::Status up = fleet.StartCollector();
  ASSERT_TRUE(up.ok()) << up;
  up = fleet.EnrollAndStartAgents();
  ASSERT_TRUE(up.ok()) << up;
  up = fleet.WaitUntilEveryAgentDelivered(absl::Minutes(1));
  ASSERT_TRUE(up.ok()) << up;

  const std::vector<PlannedKill> plan =
      MakeKillPlan({.seed = settings->seed,
                    .kills = settings->kills,
                    .agents = settings->agents,
                    .mean_gap = settings->mean_gap,
                    .max_collector_down = std::min(settings->mean_gap, absl::Seconds(3)),
                    .collector_share = KillPlanOptions().collector_share});
  const absl::Status chaos = RunPlan(fleet, plan);
  ASSERT_TRUE(chaos.ok()) << chaos;
  Say(absl::StrCat("killed the collector ", fleet.collector_kills(), " times and agents ",
                   fleet.agent_kills(), " times; draining"));

  const absl::Time drain_start = absl::Now();
  absl::StatusOr<DrainResult> drained = fleet.Drain(kDrainTimeout);
  ASSERT_TRUE(drained.ok()) << drained.status();
  const absl::Duration drain_time = absl::Now() - drain_start;

  // Once the short-lived evidence has expired, nothing changes the scores any more.
  absl::SleepFor(drained->last_stop + fleet.short_evidence_life() + absl::Seconds(1) - absl::Now());
  absl::StatusOr<ScoreReading> live = ReadSettledScores(fleet);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(fleet.StopCollector(), 0);
  absl::StatusOr<ScoreReading> rebuilt = fleet.ReadScoresOfAFreshCollector();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();

  const StoreAudit audit =
      AuditStore(fleet.store_path(), drained->witnesses, pack->items_per_batch);
  EXPECT_THAT(audit.problems, IsEmpty());
  EXPECT_EQ(audit.items_stored, audit.items_created);
  EXPECT_EQ(audit.items_stored_twice, 0u);
  EXPECT_GT(audit.items_created, 0u);
  for (int64_t expiry : audit.state_expiries_unix_nanos) {
    const absl::Time expires = absl::FromUnixNanos(expiry);
    ASSERT_FALSE(expires > live->taken_at - absl::Seconds(1) &&
                 expires < rebuilt->taken_at + absl::Seconds(1))
        << "evidence expired between the live reading and the rebuilt one; their comparison "
           "would mean nothing (a drain of "
        << drain_time << "?)";
  }
  EXPECT_EQ(ScoreDifferences(*live, *rebuilt), "")
      << "the live collector's scores differ from those rebuilt from its store";
  ExpectSettledOutcomes(fleet, *live, pack->outcomes);
  EXPECT_GT(live->organization.index(), 0);

  Say(absl::StrCat("kills: ", fleet.collector_kills(), " of the collector, ", fleet.agent_kills(),
                   " of agents; items created ", audit.items_created, ", stored ",
                   audit.items_stored, ", stored twice ", audit.items_stored_twice,
                   ", batches missing ", audit.batches_missing));
  Say(absl::StrCat("drain ", absl::FormatDuration(absl::Trunc(drain_time, absl::Milliseconds(1))),
                   " (", drained->restarts, " agents started again to finish), wall ",
                   absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Seconds(1)))));
}

}  // namespace
}  // namespace postura::test
