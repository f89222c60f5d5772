// Cluster mode's cost (issue 20, item 5): durable ingest through the replicated log against
// one collector on its own, on this machine, in the same run.
//
//   build/bin/cluster_bench [--seconds 10] [--agents 50]
//
// Each scenario starts fresh processes on loopback and runs the load generator's agents
// (bench/load_generator.h) as fast as the collector's window allows:
//  1. single: one collector with its own store, the default mode;
//  2. cluster, 1 replica: one nats-server, one collector in cluster mode;
//  3. cluster, 3 replicas: three nats-server nodes routed to each other, one collector in
//     cluster mode with `replicas: 3`.
// An acknowledgement means the batch is durable: in the store (1), in the log (2, 3).
// After scenario 3, a second collector joins the cluster and applies the whole log: its
// catch-up rate, from its start to its store holding every batch. Then that replica is
// killed, the agents load the first collector for --down-seconds (a minute by default),
// and the replica restarts: how long it takes to apply what it missed.
//
// Everything shares this machine's cores: the NATS nodes, the collector and the agents.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/load_generator.h"
#include "grpcpp/client_context.h"
#include "postura/v1/admin.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/temp_dir.h"

namespace postura::bench {
namespace {

using test::CollectorProcess;
using test::NatsServer;

struct Result {
  double records_per_second = 0;
  double p50 = 0, p99 = 0;
};

void Print(const char* name, const Result& r) {
  std::printf("%-28s %8.0f rec/s  ack p50 %8.2f ms  p99 %8.2f ms\n", name, r.records_per_second,
              r.p50, r.p99);
}

std::string ClusterYaml(const std::string& nats_urls, const std::string& node, int replicas) {
  return absl::StrCat("cluster:\n  nats_servers: [", nats_urls, "]\n  node: ", node,
                      "\n  replicas: ", replicas, "\n");
}

std::unique_ptr<CollectorProcess> StartCollector(const std::string& binary,
                                                 const std::filesystem::path& dir,
                                                 const std::string& yaml) {
  std::filesystem::create_directories(dir);
  // A NATS cluster just started takes a moment to elect its leader; until then the
  // collector refuses to start.
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto collector = CollectorProcess::Start(binary, dir.string(), "127.0.0.1:0", yaml);
    if (collector.ok()) return *std::move(collector);
    absl::SleepFor(absl::Seconds(1));
  }
  std::fprintf(stderr, "the collector in %s did not start\n", dir.c_str());
  std::exit(1);
}

// Registers `options`' agents at `collector` (filling in their target and credentials)
// and runs them against it.
Result RunLoadAgainst(const CollectorProcess& collector, LoadOptions& options, LoadResult* out) {
  options.target = collector.address();
  options.admin = collector.admin();
  if (absl::Status s = RegisterLoadAgents(options); !s.ok()) {
    std::fprintf(stderr, "registering agents: %s\n", std::string(s.message()).c_str());
    std::exit(1);
  }
  LoadResult load = RunLoad(options);
  Result result{
      .records_per_second = load.acknowledged_records / absl::ToDoubleSeconds(load.elapsed),
      .p50 = Quantile(load.ack_latency_ms, 0.5),
      .p99 = Quantile(load.ack_latency_ms, 0.99)};
  if (out != nullptr) *out = std::move(load);
  return result;
}

// The sum over agents of the last stored sequence, as `collector` reports it.
uint64_t StoredBatches(const CollectorProcess& collector) {
  auto admin =
      v1::AdminService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  v1::ListAgentsResponse agents;
  if (!admin->ListAgents(&context, {}, &agents).ok()) return 0;
  uint64_t batches = 0;
  for (const v1::Agent& agent : agents.agents()) batches += agent.last_stored_sequence();
  return batches;
}

// Waits until `replica` has stored `batches` in all (at most ten minutes) and prints how
// fast it applied the `applied` batches it lacked (all of them if 0) since `since`.
void PrintCatchUp(const char* name, const CollectorProcess& replica, uint64_t batches,
                  absl::Time since, int items_per_batch, uint64_t applied = 0) {
  const absl::Time give_up = absl::Now() + absl::Minutes(10);
  while (StoredBatches(replica) < batches && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - since);
  const double records = static_cast<double>(applied ? applied : batches) * items_per_batch;
  std::printf("%s: applied %.0f records in %.1f s: %.0f rec/s, start-up included%s\n", name,
              records, seconds, records / seconds,
              StoredBatches(replica) < batches ? " (DID NOT CATCH UP)" : "");
}

}  // namespace
}  // namespace postura::bench

int main(int argc, char** argv) {
  using namespace postura::bench;
  CLI::App app{"Cluster benchmark: ingest through NATS JetStream against one collector."};
  std::string collector_bin =
      (std::filesystem::path(argv[0]).parent_path() / "postura-collector").string();
  int seconds = 10, agents = 50, down_seconds = 60;
  app.add_option("--collector", collector_bin, "postura-collector binary");
  app.add_option("--down-seconds", down_seconds, "How long a replica is down under load")
      ->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds, "Length of each scenario");
  app.add_option("--agents", agents, "Agents");
  CLI11_PARSE(app, argc, argv);
  if (!std::filesystem::exists(postura::test::kNatsServerBinary)) {
    std::fprintf(stderr, "%s is not installed\n", postura::test::kNatsServerBinary);
    return 1;
  }
  LoadOptions load;
  load.agents = agents;
  load.duration = absl::Seconds(seconds);
  std::printf("machine: %ld cores; %d s per scenario; %d agents, %d items per batch\n\n",
              sysconf(_SC_NPROCESSORS_ONLN), seconds, agents, load.items_per_batch);

  postura::test::TempDir dir;
  Result single;
  {
    auto collector = StartCollector(collector_bin, dir.path() / "single", "");
    LoadOptions options = load;
    single = RunLoadAgainst(*collector, options, nullptr);
  }
  Print("single collector", single);

  Result one_replica;
  {
    std::filesystem::create_directories(dir.path() / "nats");
    auto nats = NatsServer::Start((dir.path() / "nats").string()).value();
    auto collector =
        StartCollector(collector_bin, dir.path() / "r1", ClusterYaml(nats->url(), "bench-a", 1));
    LoadOptions options = load;
    one_replica = RunLoadAgainst(*collector, options, nullptr);
  }
  Print("cluster, 1 NATS node", one_replica);

  std::vector<int> ports, route_ports;
  for (int i = 0; i < 3; ++i) {
    ports.push_back(postura::test::FreeLoopbackPort());
    route_ports.push_back(postura::test::FreeLoopbackPort());
  }
  std::vector<std::unique_ptr<NatsServer>> nodes;
  std::string urls;
  for (int i = 0; i < 3; ++i) {
    const std::filesystem::path node_dir = dir.path() / absl::StrCat("nats-", i);
    std::filesystem::create_directories(node_dir);
    nodes.push_back(NatsServer::StartClusterNode(node_dir.string(), absl::StrCat("nats-", i),
                                                 ports[i], route_ports[i], route_ports)
                        .value());
    absl::StrAppend(&urls, i ? ", " : "", nodes.back()->url());
  }
  auto collector = StartCollector(collector_bin, dir.path() / "r3-a", ClusterYaml(urls, "a", 3));
  LoadResult three_load;
  LoadOptions three_options = load;
  const Result three_replicas = RunLoadAgainst(*collector, three_options, &three_load);
  Print("cluster, 3 NATS nodes", three_replicas);

  // A second collector joins and applies the whole log, the agents' registration with it.
  const uint64_t batches = StoredBatches(*collector);
  const absl::Time joined = absl::Now();
  auto late = StartCollector(collector_bin, dir.path() / "r3-b", ClusterYaml(urls, "b", 3));
  PrintCatchUp("late replica", *late, batches, joined, load.items_per_batch);

  // That replica misses a stretch of full load, then restarts on its store.
  late->Kill();
  LoadOptions again = three_options;
  again.resume_sequences = true;
  again.duration = absl::Seconds(down_seconds);
  const LoadResult missed = RunLoad(again);
  std::printf("replica down: %d s of load, %llu records acknowledged meanwhile\n", down_seconds,
              static_cast<unsigned long long>(missed.acknowledged_records));
  const uint64_t all_batches = StoredBatches(*collector);
  const absl::Time restarted = absl::Now();
  late = StartCollector(collector_bin, dir.path() / "r3-b", ClusterYaml(urls, "b", 3));
  PrintCatchUp("restarted replica", *late, all_batches, restarted, load.items_per_batch,
               all_batches - batches);
  std::printf("\ncluster (1 node) / single: %.2f\n",
              one_replica.records_per_second / single.records_per_second);
  std::printf("cluster (3 nodes, 3 replicas) / single: %.2f\n",
              three_replicas.records_per_second / single.records_per_second);
  return 0;
}
