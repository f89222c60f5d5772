// Exactly-once ingest under crashes: a real collector process is killed with SIGKILL
// during load and restarted, and agents drop their connections mid-batch. At the end,
// read straight from the store: every acknowledged batch is stored, every stored batch
// is stored once, and the per-agent counters agree with the evidence log.

#include <csignal>
#include <filesystem>
#include <random>
#include <thread>

#include "bench/load_generator.h"
#include "gtest/gtest.h"
#include "tests/exactly_once.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::AgentErrors;
using ::postura::test::CollectorProcess;
using ::postura::test::LogTail;
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

void ExpectExactlyOnce(const std::string& data_dir, const bench::LoadResult& load) {
  test::ExpectExactlyOnce(
      data_dir, load, {.agents = kAgents, .batches = kBatchesPerAgent, .items = kItemsPerBatch});
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
