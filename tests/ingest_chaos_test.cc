// Exactly-once ingest under crashes: a real collector process is killed with SIGKILL
// during load and restarted, and agents drop their connections mid-batch. At the end,
// read straight from the store: every acknowledged batch is stored, every stored batch
// is stored once, and the per-agent counters agree with the evidence log.

#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "bench/load_generator.h"
#include "collector/store/evidence_store.h"
#include "gtest/gtest.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;

constexpr int kAgents = 20;
constexpr int kBatchesPerAgent = 40;
constexpr int kItemsPerBatch = 25;

bench::LoadOptions Load(const CollectorProcess& collector, double drop_probability) {
  bench::LoadOptions options;
  options.target = collector.address();
  options.admin = collector.admin();
  options.agents = kAgents;
  options.items_per_batch = kItemsPerBatch;
  options.batches_per_agent = kBatchesPerAgent;
  options.records_per_second = 4000;  // Slow enough that the kills land mid-run.
  options.drop_probability = drop_probability;
  options.deadline = absl::Minutes(3);
  return options;
}

// The last 40 lines of a log, to show why a run went wrong.
std::string LogTail(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
    if (lines.size() > 40) lines.pop_front();
  }
  std::string tail;
  for (const std::string& line : lines) tail += line + "\n";
  return tail;
}

// How each agent's last broken stream ended, to show why a load did not complete.
std::string AgentErrors(const bench::LoadResult& load) {
  std::string errors;
  for (const bench::AgentResult& agent : load.agents) {
    errors += agent.agent_id + " (" + std::to_string(agent.acknowledged.size()) +
              " acknowledged, " + std::to_string(agent.reconnects) +
              " reconnects): " + agent.last_error + "\n";
  }
  return errors;
}

// Reads the store of a stopped collector and checks it against what agents were told.
void ExpectExactlyOnce(const std::string& data_dir, const bench::LoadResult& load) {
  auto store = collector::EvidenceStore::Open({.path = data_dir + "/store"}).value();
  std::map<std::pair<std::string, uint64_t>, int> items_per_batch;
  uint64_t evidence = 0;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    ++items_per_batch[{e.agent_id(), e.sequence()}];
                    ++evidence;
                  })
                  .ok());
  uint64_t counted = 0;
  const auto all_progress = store->LoadProgress().value();
  for (const auto& [agent, progress] : all_progress) {
    EXPECT_EQ(progress.last_sequence, static_cast<uint64_t>(kBatchesPerAgent)) << agent;
    counted += progress.items_stored;
  }
  // A batch applied twice would count its items twice here but not in the log.
  EXPECT_EQ(counted, evidence);
  for (const auto& [batch, items] : items_per_batch) {
    EXPECT_EQ(items, kItemsPerBatch) << batch.first << " #" << batch.second;
  }
  ASSERT_EQ(load.agents.size(), static_cast<std::size_t>(kAgents));
  for (const bench::AgentResult& agent : load.agents) {
    std::set<uint64_t> acknowledged(agent.acknowledged.begin(), agent.acknowledged.end());
    EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(kBatchesPerAgent)) << agent.agent_id;
    for (uint64_t sequence : acknowledged) {
      EXPECT_TRUE(items_per_batch.contains({agent.agent_id, sequence}))
          << agent.agent_id << " #" << sequence << " acknowledged but not stored";
    }
  }
  EXPECT_EQ(evidence, uint64_t{kAgents} * kBatchesPerAgent * kItemsPerBatch);
}

TEST(IngestChaosTest, CollectorKilledDuringIngestLosesAndDuplicatesNothing) {
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  const std::string address = collector->address();  // Restarts reuse the port.
  bench::LoadOptions options = Load(*collector, 0);
  ASSERT_TRUE(bench::RegisterLoadAgents(options).ok());

  bench::LoadResult load;
  std::thread agents([&] { load = bench::RunLoad(options); });
  std::mt19937 random(testing::UnitTest::GetInstance()->random_seed());
  for (int kill = 0; kill < 3; ++kill) {
    absl::SleepFor(absl::Milliseconds(150 + random() % 250));
    collector->Kill();
    collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path(), address).value();
  }
  agents.join();
  EXPECT_TRUE(load.completed) << "agents:\n"
                              << AgentErrors(load) << "collector log:\n"
                              << LogTail(dir.path() / "collector.log");
  EXPECT_GT(load.reconnects, 0u);
  EXPECT_EQ(collector->Stop(), 0);
  ExpectExactlyOnce(collector->data_dir(), load);
}

TEST(IngestChaosTest, AgentsDroppingConnectionsMidBatchLoseAndDuplicateNothing) {
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  bench::LoadOptions options = Load(*collector, 0.1);
  options.records_per_second = 0;
  ASSERT_TRUE(bench::RegisterLoadAgents(options).ok());
  bench::LoadResult load = bench::RunLoad(options);
  EXPECT_TRUE(load.completed);
  EXPECT_GT(load.reconnects, 0u);
  EXPECT_EQ(collector->Stop(), 0);
  ExpectExactlyOnce(collector->data_dir(), load);
}

}  // namespace
}  // namespace postura
