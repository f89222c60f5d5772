// Cluster mode under crashes (issue 20, item 4): two real collector processes share one
// replicated log on real nats-server processes (one, or a three-node cluster with three
// replicas), all on loopback. Agents report to collector A while A, B and the NATS
// servers are each killed with SIGKILL at random points and started again, or while B is
// cut off from NATS and frozen, or move to B when A is killed for good. At the end every
// acknowledged batch is stored exactly once in both collectors' stores (read straight from them),
// and both answer with the same scores.

#include <signal.h>

#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/load_generator.h"
#include "collector/testing/test_evidence.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/exactly_once.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/tcp_relay.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::NatsServer;

constexpr test::LoadShape kShape{.agents = 10, .batches = 40, .items = 20};

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

class ClusterChaosTest : public testing::Test {
 protected:
  // Starts collector `node` ("a" or "b") in cluster mode on `address`, again until it
  // comes up: a NATS cluster that lost a node takes a few seconds to elect a new leader,
  // and a collector that cannot reach the stream refuses to start.
  std::unique_ptr<CollectorProcess> StartCollector(const std::string& node,
                                                   const std::string& address = "127.0.0.1:0") {
    const std::string data = (dir_.path() / node).string();
    std::filesystem::create_directories(data);
    const std::string& urls = node == "b" && !b_nats_urls_.empty() ? b_nats_urls_ : nats_urls_;
    std::string yaml = absl::StrCat("cluster:\n  nats_servers: [", urls, "]\n  node: node-", node,
                                    "\n  replicas: ", replicas_, "\n");
    // Shared as docs/scale.md tells an operator to: agents then trust every collector, and
    // every collector the certificates enrolled agents got at any of them.
    const std::string shared_tls = (dir_.path() / "shared-tls").string();
    if (share_certificate_authorities_) {
      absl::StrAppend(&yaml, "tls:\n  local_ca_dir: ", shared_tls,
                      "\nagents:\n  ca_dir: ", (dir_.path() / "shared-agent-ca").string(), "\n");
    }
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector;
    for (int attempt = 0; attempt < 10; ++attempt) {
      collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, data, address, yaml,
                                          share_certificate_authorities_ ? shared_tls : "");
      if (collector.ok()) return *std::move(collector);
      absl::SleepFor(absl::Seconds(1));
    }
    ADD_FAILURE() << "collector " << node << " did not start: " << collector.status();
    return nullptr;
  }

  // Starts one nats-server in dir/nats (again on `port`, if given), the collectors' log;
  // null if nats-server is not installed.
  std::unique_ptr<NatsServer> StartNats(int port = 0) {
    const std::string nats_dir = (dir_.path() / "nats").string();
    std::filesystem::create_directories(nats_dir);
    absl::StatusOr<std::unique_ptr<NatsServer>> started = NatsServer::Start(nats_dir, port);
    if (absl::IsNotFound(started.status())) return nullptr;
    nats_urls_ = started.value()->url();
    nats_port_ = std::stoi(nats_urls_.substr(nats_urls_.rfind(':') + 1));
    return *std::move(started);
  }

  void Restart(std::unique_ptr<CollectorProcess>& collector, const std::string& node) {
    const std::string address = collector->address();  // Agents reconnect to the same port.
    collector->Kill();
    collector = StartCollector(node, address);
    ASSERT_NE(collector, nullptr);
  }

  // Runs the load against collector A while `chaos` kills and restarts (between pauses),
  // then checks that both collectors hold every acknowledged batch once and agree.
  void RunLoadThrough(const std::function<void(const std::function<void()>& pause)>& chaos) {
    a_ = StartCollector("a");
    b_ = StartCollector("b");
    ASSERT_TRUE(a_ != nullptr && b_ != nullptr);
    // Registered at A only: B learns the assets and agents from the log.
    bench::LoadOptions options = Load(*a_);
    ASSERT_TRUE(bench::RegisterLoadAgents(options).ok());

    bench::LoadResult load;
    std::thread agents([&] { load = bench::RunLoad(options); });
    std::mt19937 random(testing::UnitTest::GetInstance()->random_seed());
    chaos([&] { absl::SleepFor(absl::Milliseconds(200 + random() % 400)); });
    agents.join();
    ASSERT_TRUE(a_ != nullptr && b_ != nullptr);
    EXPECT_TRUE(load.completed) << "agents:\n"
                                << test::AgentErrors(load) << "collector A's log:\n"
                                << test::LogTail(dir_.path() / "a" / "collector.log");
    if (agents_reconnect_) {
      EXPECT_GT(load.reconnects, 0u);
    }
    ExpectBothHoldTheLoadOnce(load);
  }

  // Both collectors have applied every batch of `load`, answer with the same scores, and
  // hold every acknowledged batch once in their stores (read after stopping them).
  void ExpectBothHoldTheLoadOnce(const bench::LoadResult& load) {
    EXPECT_TRUE(AwaitCaughtUp(*a_)) << test::LogTail(dir_.path() / "a" / "collector.log");
    EXPECT_TRUE(AwaitCaughtUp(*b_)) << test::LogTail(dir_.path() / "b" / "collector.log");
    const std::map<std::string, std::string> scores_a = AssetScores(*a_);
    EXPECT_EQ(scores_a.size(), static_cast<size_t>(kShape.agents));
    EXPECT_EQ(AssetScores(*b_), scores_a);
    EXPECT_EQ(a_->Stop(), 0);
    EXPECT_EQ(b_->Stop(), 0);
    test::ExpectExactlyOnce(a_->data_dir(), load, kShape);
    test::ExpectExactlyOnce(b_->data_dir(), load, kShape);
  }

  test::TempDir dir_;
  std::string nats_urls_;         // For the collectors' config, comma-separated.
  std::string b_nats_urls_;       // Collector B's, if not the same.
  bool agents_reconnect_ = true;  // The chaos restarts collector A.
  bool share_certificate_authorities_ = false;
  int replicas_ = 1;
  int nats_port_ = 0;  // StartNats's server.
  std::unique_ptr<CollectorProcess> a_, b_;
};

TEST_F(ClusterChaosTest, KilledCollectorsAndNatsServerLoseAndDuplicateNothingInAnyReplica) {
  std::unique_ptr<NatsServer> nats = StartNats();
  if (nats == nullptr) GTEST_SKIP() << "no nats-server";
  RunLoadThrough([&](const std::function<void()>& pause) {
    for (int round = 0; round < 2; ++round) {
      pause();
      Restart(a_, "a");
      pause();
      Restart(b_, "b");
    }
    pause();
    nats->Kill();
    nats = StartNats(nats_port_);
    ASSERT_NE(nats, nullptr);
  });
}

// The same on a three-node NATS cluster whose stream keeps three replicas, killing one
// NATS node at a time as well as the collectors.
TEST_F(ClusterChaosTest, KilledCollectorsAndNatsNodesOfAThreeNodeClusterLoseNothing) {
  if (!std::filesystem::exists(test::kNatsServerBinary)) GTEST_SKIP() << "no nats-server";
  std::vector<int> ports, route_ports;
  for (int i = 0; i < 3; ++i) {
    ports.push_back(test::FreeLoopbackPort());
    route_ports.push_back(test::FreeLoopbackPort());
  }
  std::vector<std::unique_ptr<NatsServer>> nodes(3);
  auto start_node = [&](int i) {
    const std::string node_dir = (dir_.path() / absl::StrCat("nats-", i)).string();
    std::filesystem::create_directories(node_dir);
    nodes[i] = NatsServer::StartClusterNode(node_dir, absl::StrCat("nats-", i), ports[i],
                                            route_ports[i], route_ports)
                   .value();
  };
  for (int i = 0; i < 3; ++i) {
    start_node(i);
    absl::StrAppend(&nats_urls_, i ? ", " : "", nodes[i]->url());
  }
  replicas_ = 3;
  RunLoadThrough([&](const std::function<void()>& pause) {
    for (int i = 0; i < 2; ++i) {
      pause();
      Restart(a_, "a");
      pause();
      nodes[i]->Kill();
      start_node(i);
      pause();
      Restart(b_, "b");
    }
  });
}

// A replica cut off from the log while the cluster ingests, then frozen (SIGSTOP) for a
// while, falls behind and catches up: collector B reaches NATS through a relay the test
// cuts, and keeps serving while it is cut.
TEST_F(ClusterChaosTest, APartitionedAndThenFrozenReplicaCatchesUp) {
  std::unique_ptr<NatsServer> nats = StartNats();
  if (nats == nullptr) GTEST_SKIP() << "no nats-server";
  std::unique_ptr<test::TcpRelay> relay = test::TcpRelay::Start(nats_port_).value();
  b_nats_urls_ = absl::StrCat("nats://127.0.0.1:", relay->port());
  agents_reconnect_ = false;  // Collector A, which they report to, stays up.
  int cut_behind = 0;
  RunLoadThrough([&](const std::function<void()>& pause) {
    pause();
    relay->Cut();
    absl::SleepFor(absl::Milliseconds(1500));
    // Cut off, B still answers, and what it stored is behind A.
    std::map<std::string, uint64_t> on_a = StoredSequences(*a_);
    std::map<std::string, uint64_t> on_b = StoredSequences(*b_);
    EXPECT_FALSE(on_b.empty()) << "collector B did not answer while cut off from NATS";
    for (const auto& [agent, sequence] : on_a) {
      cut_behind += !on_b.empty() && on_b[agent] < sequence;
    }
    relay->Heal();
    pause();
    b_->Signal(SIGSTOP);  // While the agents still report.
    absl::SleepFor(absl::Milliseconds(1500));
    b_->Signal(SIGCONT);
  });
  EXPECT_GT(relay->connections_cut(), 0);
  EXPECT_GT(cut_behind, 0) << "no agent's batches were held back from B while it was cut off";
}

// Agents fail over (item 1): they report to collector A with B as their fallback, as
// agents with collector_addresses do; A and B share their CAs, and B knows the agents'
// credentials (enrolled at A) from the log. A is killed and stays down for the rest of
// the load: the agents finish at B. Back, A catches up; each store holds every
// acknowledged batch once.
TEST_F(ClusterChaosTest, AgentsMoveToAnotherCollectorWhenTheirsIsKilled) {
  std::unique_ptr<NatsServer> nats = StartNats();
  if (nats == nullptr) GTEST_SKIP() << "no nats-server";
  share_certificate_authorities_ = true;
  a_ = StartCollector("a");
  b_ = StartCollector("b");
  ASSERT_TRUE(a_ != nullptr && b_ != nullptr);
  bench::LoadOptions options = Load(*a_);
  options.fallback_targets = {b_->address()};
  ASSERT_TRUE(bench::RegisterLoadAgents(options).ok());
  bench::LoadResult load;
  std::thread agents([&] { load = bench::RunLoad(options); });
  absl::SleepFor(absl::Seconds(1));
  const std::string a_address = a_->address();
  a_->Kill();
  agents.join();
  EXPECT_TRUE(load.completed) << "agents:\n"
                              << test::AgentErrors(load) << "collector B's log:\n"
                              << test::LogTail(dir_.path() / "b" / "collector.log");
  EXPECT_GT(load.reconnects, 0u);
  a_ = StartCollector("a", a_address);
  ASSERT_NE(a_, nullptr);
  ExpectBothHoldTheLoadOnce(load);
}

// An agent enrolled at B and deleted at A loses its credential at B too, when B applies
// the delete.
TEST_F(ClusterChaosTest, AnAgentDeletedAtOneCollectorLosesItsCredentialAtAnother) {
  std::unique_ptr<NatsServer> nats = StartNats();
  if (nats == nullptr) GTEST_SKIP() << "no nats-server";
  a_ = StartCollector("a");
  b_ = StartCollector("b");
  ASSERT_TRUE(a_ != nullptr && b_ != nullptr);
  const CollectorTrust agent =
      test::RegisterAgentForAsset(b_->address(), b_->admin(), "host-b", "web", v1::IG1).value();
  auto report = [&](uint64_t sequence) {
    return test::SendBatch(b_->address(), agent, "host-b", sequence,
                           {collector::TestEvidence("web", "ID_AM_CSC_1_1", absl::Now())});
  };
  ASSERT_TRUE(report(1).ok());

  auto admin = v1::AdminService::NewStub(test::FreshChannel(a_->address(), a_->admin()));
  grpc::ClientContext context;
  v1::DeleteAgentRequest request;
  request.set_agent_id("host-b");
  v1::DeleteAgentResponse response;
  ASSERT_TRUE(admin->DeleteAgent(&context, request, &response).ok());
  absl::StatusOr<v1::Ack> refused = report(2);
  for (const absl::Time give_up = absl::Now() + absl::Seconds(10);
       refused.ok() && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(100));
    refused = report(2);
  }
  // Refused for its credential, not only for the registry ("no longer registered").
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated) << refused.status();
}

}  // namespace
}  // namespace postura
