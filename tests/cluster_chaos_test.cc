// Cluster mode under crashes (issue 20, item 4): two real collector processes share one
// replicated log on a real nats-server, all on loopback. Agents report to collector A
// while A, B and the NATS server are each killed with SIGKILL at random points and
// started again. At the end every acknowledged batch is stored exactly once in both
// collectors' stores (read straight from them), and both answer with the same scores.

#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/load_generator.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/exactly_once.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::NatsServer;

constexpr test::LoadShape kShape{.agents = 10, .batches = 40, .items = 20};

std::string ClusterYaml(const std::string& nats_url, const std::string& node) {
  return absl::StrCat("cluster:\n  nats_servers: [", nats_url, "]\n  node: ", node, "\n");
}

bench::LoadOptions Load(const CollectorProcess& collector) {
  bench::LoadOptions options;
  options.target = collector.address();
  options.admin = collector.admin();
  options.agents = kShape.agents;
  options.items_per_batch = kShape.items;
  options.batches_per_agent = kShape.batches;
  options.records_per_second = 2000;  // Slow enough that the kills land mid-run.
  options.deadline = absl::Minutes(3);
  return options;
}

// Each agent's last stored sequence as `collector` reports it, or empty if it cannot be
// asked.
std::map<std::string, uint64_t> StoredSequences(const CollectorProcess& collector) {
  auto admin =
      v1::AdminService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::ListAgentsResponse agents;
  std::map<std::string, uint64_t> sequences;
  if (!admin->ListAgents(&context, {}, &agents).ok()) return sequences;
  for (const v1::Agent& agent : agents.agents()) {
    sequences[agent.id()] = agent.last_stored_sequence();
  }
  return sequences;
}

// Waits until `collector` has applied every batch of the load from the log.
bool AwaitCaughtUp(const CollectorProcess& collector) {
  const absl::Time give_up = absl::Now() + absl::Seconds(90);
  while (absl::Now() < give_up) {
    const std::map<std::string, uint64_t> sequences = StoredSequences(collector);
    int done = 0;
    for (const auto& [agent, sequence] : sequences) {
      done += sequence == static_cast<uint64_t>(kShape.batches);
    }
    if (done == kShape.agents) return true;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return false;
}

// Every asset's score as `collector` answers, serialized, by asset.
std::map<std::string, std::string> AssetScores(const CollectorProcess& collector) {
  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  v1::ListAssetScoresResponse scores;
  EXPECT_TRUE(query->ListAssetScores(&context, {}, &scores).ok());
  std::map<std::string, std::string> by_asset;
  for (const v1::AssetSummary& score : scores.assets()) {
    by_asset[score.asset_id()] = score.SerializeAsString();
  }
  return by_asset;
}

TEST(ClusterChaosTest, KilledCollectorsAndNatsServerLoseAndDuplicateNothingInAnyReplica) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "nats");
  absl::StatusOr<std::unique_ptr<NatsServer>> started =
      NatsServer::Start((dir.path() / "nats").string());
  if (absl::IsNotFound(started.status())) GTEST_SKIP() << started.status();
  std::unique_ptr<NatsServer> nats = *std::move(started);
  const std::string nats_url = nats->url();
  const int nats_port = std::stoi(nats_url.substr(nats_url.rfind(':') + 1));
  const std::string dir_a = (dir.path() / "a").string(), dir_b = (dir.path() / "b").string();
  std::filesystem::create_directories(dir_a);
  std::filesystem::create_directories(dir_b);
  auto a = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_a, "127.0.0.1:0",
                                   ClusterYaml(nats_url, "node-a"))
               .value();
  auto b = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_b, "127.0.0.1:0",
                                   ClusterYaml(nats_url, "node-b"))
               .value();
  const std::string address_a = a->address(), address_b = b->address();
  // The registry is each collector's own (docs/scale.md): both register the load.
  bench::LoadOptions options = Load(*a);
  ASSERT_TRUE(bench::RegisterLoadAgents(options).ok());
  bench::LoadOptions on_b = Load(*b);
  ASSERT_TRUE(bench::RegisterLoadAgents(on_b).ok());

  bench::LoadResult load;
  std::thread agents([&] { load = bench::RunLoad(options); });
  std::mt19937 random(testing::UnitTest::GetInstance()->random_seed());
  auto pause = [&] { absl::SleepFor(absl::Milliseconds(200 + random() % 400)); };
  for (int round = 0; round < 2; ++round) {
    pause();
    a->Kill();
    a = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_a, address_a,
                                ClusterYaml(nats_url, "node-a"))
            .value();
    pause();
    b->Kill();
    b = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_b, address_b,
                                ClusterYaml(nats_url, "node-b"))
            .value();
  }
  pause();
  nats->Kill();
  nats = NatsServer::Start((dir.path() / "nats").string(), nats_port).value();
  agents.join();
  EXPECT_TRUE(load.completed) << "agents:\n"
                              << test::AgentErrors(load) << "collector A's log:\n"
                              << test::LogTail(std::filesystem::path(dir_a) / "collector.log");
  EXPECT_GT(load.reconnects, 0u);

  EXPECT_TRUE(AwaitCaughtUp(*a)) << test::LogTail(std::filesystem::path(dir_a) / "collector.log");
  EXPECT_TRUE(AwaitCaughtUp(*b)) << test::LogTail(std::filesystem::path(dir_b) / "collector.log");
  const std::map<std::string, std::string> scores_a = AssetScores(*a);
  EXPECT_EQ(scores_a.size(), static_cast<size_t>(kShape.agents));
  EXPECT_EQ(AssetScores(*b), scores_a);
  EXPECT_EQ(a->Stop(), 0);
  EXPECT_EQ(b->Stop(), 0);
  test::ExpectExactlyOnce(a->data_dir(), load, kShape);
  test::ExpectExactlyOnce(b->data_dir(), load, kShape);
}

}  // namespace
}  // namespace postura
