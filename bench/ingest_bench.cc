// The collector's ingest under load, against RocksDB's own ceiling on the same disk.
//
//   build/bin/ingest_bench [--seconds 10] [--agents 100] [--collector build/bin/postura-collector]
//
// Each scenario starts a fresh postura-collector process, registers simulated agents and
// runs them in this process (so the load generator shares the machine, as the goals ask).
// Then RocksDB alone writes the same records in synced batches of the same size as the
// collector's commits, which gives the ceiling the collector's throughput is compared with.
//
// The collector is configured for twice the agents of the throughput scenario
// (limits.max_grpc_connections, --max-connections), as an operator sizes it; the overload
// scenario sends ten times the agents, so most of them are refused and retry.

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/load_generator.h"
#include "collector/store/evidence_store.h"
#include "collector/store/store_keys.h"
#include "common/model/catalog.h"
#include "grpcpp/create_channel.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/evidence.pb.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/process_stats.h"
#include "tests/testing/temp_dir.h"

namespace postura::bench {
namespace {

// The collector's ingest counters. Right after an overload its connections may all be
// taken by agents that are still closing, so a refused call is retried for a while; the
// bench stops rather than print figures from counters it could not read.
v1::IngestStats Stats(const std::string& address, const CollectorTrust& admin_trust) {
  auto admin = v1::AdminService::NewStub(CreateCollectorChannel(address, admin_trust));
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  for (;;) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::IngestStats stats;
    const grpc::Status status = admin->GetIngestStats(&context, {}, &stats);
    if (status.ok()) return stats;
    if (absl::Now() > give_up) {
      std::fprintf(stderr, "reading the collector's ingest stats: %s\n",
                   status.error_message().c_str());
      std::exit(1);
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

struct ScenarioResult {
  double records_per_second = 0;
  double p50 = 0, p99 = 0, p999 = 0;
  double records_per_sync = 0;
  double records_per_commit = 0;
  double cpu_us_per_record = 0;
  double peak_rss_mib = 0;
  double registered_rss_mib = 0;  // Peak before the load: start-up and registration.
  uint64_t records = 0;
  // The collector's CPU during the load, by thread name, as shares of the whole.
  std::map<std::string, double> cpu_share_by_thread;
};

ScenarioResult RunScenario(const std::string& collector_bin, const std::string& collector_yaml,
                           const LoadOptions& base) {
  test::TempDir dir;
  auto collector =
      test::CollectorProcess::Start(collector_bin, dir.path(), "127.0.0.1:0", collector_yaml)
          .value();
  LoadOptions options = base;
  options.target = collector->address();
  options.admin = collector->admin();
  if (absl::Status s = RegisterLoadAgents(options); !s.ok()) {
    std::fprintf(stderr, "registering agents: %s\n", std::string(s.message()).c_str());
    std::exit(1);
  }
  const v1::IngestStats before = Stats(collector->address(), collector->admin());
  const double registered_rss_mib = test::ProcessMemoryMib(collector->pid(), "VmHWM");
  const absl::Duration cpu_before = test::ProcessCpu(collector->pid());
  const auto threads_before = test::ThreadCpuByName(collector->pid());
  LoadResult load = RunLoad(options);
  const absl::Duration cpu = test::ProcessCpu(collector->pid()) - cpu_before;
  const auto threads_after = test::ThreadCpuByName(collector->pid());
  const v1::IngestStats after = Stats(collector->address(), collector->admin());

  ScenarioResult result;
  result.records = after.items_stored() - before.items_stored();
  result.records_per_second = result.records / absl::ToDoubleSeconds(load.elapsed);
  result.p50 = Quantile(load.ack_latency_ms, 0.5);
  result.p99 = Quantile(load.ack_latency_ms, 0.99);
  result.p999 = Quantile(load.ack_latency_ms, 0.999);
  const uint64_t syncs = after.wal_syncs() - before.wal_syncs();
  const uint64_t commits = after.commits() - before.commits();
  result.records_per_sync = syncs ? static_cast<double>(result.records) / syncs : 0;
  result.records_per_commit = commits ? static_cast<double>(result.records) / commits : 0;
  result.cpu_us_per_record = result.records ? absl::ToDoubleMicroseconds(cpu) / result.records : 0;
  result.peak_rss_mib = test::ProcessMemoryMib(collector->pid(), "VmHWM");
  result.registered_rss_mib = registered_rss_mib;
  for (const auto& [name, after_cpu] : threads_after) {
    auto before_cpu = threads_before.find(name);
    const absl::Duration used =
        after_cpu -
        (before_cpu == threads_before.end() ? absl::ZeroDuration() : before_cpu->second);
    if (cpu > absl::ZeroDuration())
      result.cpu_share_by_thread[name] = absl::FDivDuration(used, cpu);
  }
  collector->Stop();
  return result;
}

// The store alone: the collector's EvidenceStore (same RocksDB options, same records,
// encoded as ingest encodes them), no gRPC and no validation. One thread encodes batches
// of `batch_records` records while another commits them, synced, as the collector's
// gRPC threads and writer do. Records per second of wall time.
double StoreCeiling(int batch_records, int detail_bytes, absl::Duration duration) {
  test::TempDir dir;
  auto store = collector::EvidenceStore::Open({.path = dir.path().string() + "/store"}).value();
  const std::string agent = "load-agent-7";
  const std::vector<int>& outcomes =
      Catalog::Builtin().model(ImplementationGroup::kIG1).applicable_outcomes();
  std::mutex mu;
  std::condition_variable changed;
  std::deque<collector::EncodedBatch> ready;  // At most 4 waiting.
  bool stop = false;
  std::thread encoder([&] {
    for (uint64_t sequence = 1;; ++sequence) {
      v1::Batch batch;
      batch.set_sequence(sequence);
      const int64_t now = absl::ToUnixNanos(absl::Now());
      for (int i = 0; i < batch_records; ++i) {
        v1::Evidence& item = *batch.add_items();
        const std::string& outcome_id =
            Catalog::Builtin().outcomes()[outcomes[(sequence * 31 + i) % outcomes.size()]].id;
        item.set_asset_id(absl::StrCat("load-asset-", i % 100));
        item.set_outcome_id(outcome_id);
        item.set_level(v1::DLI_67);
        item.set_observed_at_unix_nanos(now);
        item.set_expires_at_unix_nanos(now + 1);
        item.set_check_id(absl::StrCat("load.", outcome_id));
        item.set_kind(v1::OBSERVED);
        item.set_detail(std::string(detail_bytes, 'd'));
      }
      collector::EncodedBatch encoded =
          collector::EncodeBatch(agent, batch, std::vector<bool>(batch_records, true), absl::Now());
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return ready.size() < 4 || stop; });
      if (stop) return;
      ready.push_back(std::move(encoded));
      changed.notify_all();
    }
  });
  uint64_t written = 0, sequence = 0;
  const absl::Time start = absl::Now();
  while (absl::Now() - start < duration) {
    collector::EncodedBatch encoded;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return !ready.empty(); });
      encoded = std::move(ready.front());
      ready.pop_front();
      changed.notify_all();
    }
    written += encoded.entries.size();
    store->Commit({{&agent, &encoded, {++sequence, 0, written}}}).IgnoreError();
  }
  const double rate = written / absl::ToDoubleSeconds(absl::Now() - start);
  {
    std::lock_guard lock(mu);
    stop = true;
    changed.notify_all();
  }
  encoder.join();
  return rate;
}

void PrintScenario(const char* name, const ScenarioResult& r) {
  std::printf(
      "%-34s %10.0f rec/s  ack p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  %6.1f rec/sync  "
      "%6.1f rec/commit  %5.2f us CPU/rec  peak RSS %6.1f MiB (%.1f before the load)\n",
      name, r.records_per_second, r.p50, r.p99, r.p999, r.records_per_sync, r.records_per_commit,
      r.cpu_us_per_record, r.peak_rss_mib, r.registered_rss_mib);
}

// The collector's threads by share of its CPU, largest first (names: common/base/thread_name.h;
// gRPC's and RocksDB's own threads have theirs).
void PrintThreadShares(const ScenarioResult& r) {
  std::vector<std::pair<double, std::string>> shares;
  for (const auto& [name, share] : r.cpu_share_by_thread) shares.emplace_back(share, name);
  std::sort(shares.rbegin(), shares.rend());
  std::printf("  collector CPU by thread:");
  for (const auto& [share, name] : shares) {
    if (share >= 0.005) std::printf(" %s %.1f%%", name.c_str(), 100 * share);
  }
  std::printf("\n");
}

}  // namespace
}  // namespace postura::bench

int main(int argc, char** argv) {
  using namespace postura::bench;
  CLI::App app{"Ingest benchmark: postura-collector against RocksDB's ceiling."};
  std::string collector_bin =
      (std::filesystem::path(argv[0]).parent_path() / "postura-collector").string();
  int seconds = 10, agents = 100, items = 50, detail = 200;
  app.add_option("--collector", collector_bin, "postura-collector binary");
  std::string collector_yaml;
  app.add_option("--collector-yaml", collector_yaml,
                 "Extra lines of the collector's config, e.g. \"store:\\n  memtable_bytes: N\"");
  app.add_option("--seconds", seconds, "Length of each scenario");
  app.add_option("--agents", agents, "Agents of the throughput scenario");
  app.add_option("--items", items, "Items per batch");
  app.add_option("--detail-bytes", detail, "Detail bytes per item (items of a few hundred bytes)");
  int max_connections = 0;
  app.add_option("--max-connections", max_connections,
                 "The collector's limits.max_grpc_connections (default: twice --agents); not "
                 "set when --collector-yaml has a limits: section");
  std::string target;
  app.add_option("--target", target,
                 "Only load this running collector (host:port) for --seconds, e.g. to profile it");
  std::string ca_file, token_file;
  app.add_option("--ca-file", ca_file, "With --target: the collector's CA certificate");
  app.add_option("--token-file", token_file, "With --target: an admin API token file");
  CLI11_PARSE(app, argc, argv);

  LoadOptions base;
  base.agents = agents;
  base.items_per_batch = items;
  base.detail_bytes = detail;
  base.duration = absl::Seconds(seconds);
  if (!target.empty()) {
    base.target = target;
    absl::StatusOr<postura::CollectorTrust> admin =
        postura::LoadCollectorTrust(ca_file, token_file);
    if (!admin.ok()) {
      std::fprintf(stderr, "%s\n", std::string(admin.status().message()).c_str());
      return 1;
    }
    base.admin = *std::move(admin);
    if (absl::Status s = RegisterLoadAgents(base); !s.ok()) {
      std::fprintf(stderr, "registering agents: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    LoadResult load = RunLoad(base);
    std::printf("%.0f records/s acknowledged\n",
                load.acknowledged_records / absl::ToDoubleSeconds(load.elapsed));
    return 0;
  }

  std::printf("machine: %ld cores; %d s per scenario; %d items of %d detail bytes per batch\n",
              sysconf(_SC_NPROCESSORS_ONLN), seconds, items, detail);
  if (collector_yaml.find("limits:") == std::string::npos) {
    if (max_connections <= 0) max_connections = 2 * agents;
    collector_yaml =
        absl::StrCat("limits:\n  max_grpc_connections: ", max_connections, "\n", collector_yaml);
    std::printf("collector: limits.max_grpc_connections %d\n", max_connections);
  }
  std::printf("\n");
  ScenarioResult max = RunScenario(collector_bin, collector_yaml, base);
  PrintScenario(absl::StrFormat("max throughput, %d agents", agents).c_str(), max);
  PrintThreadShares(max);
  // The history thread writes every change of scores; live scoring's thread only queues
  // them (a few comparisons per changed asset), so this share bounds what history costs.
  std::printf("  history recording: %.1f%% of the collector's CPU (goal: <= 5%% of throughput)\n",
              100 * max.cpu_share_by_thread["history"]);

  LoadOptions paced = base;
  paced.records_per_second = 1000;
  ScenarioResult steady = RunScenario(collector_bin, collector_yaml, paced);
  PrintScenario(absl::StrFormat("1,000 rec/s offered, %d agents", agents).c_str(), steady);

  LoadOptions overload = base;
  overload.agents = agents * 10;
  ScenarioResult over = RunScenario(collector_bin, collector_yaml, overload);
  PrintScenario(absl::StrFormat("overload, %d agents", overload.agents).c_str(), over);

  const int group = std::max(1, static_cast<int>(max.records_per_commit + 0.5));
  std::printf("\nThe store alone (RocksDB, same options and records), synced commits, no gRPC:\n");
  double best = 0;
  for (int batch : {group, 1000}) {
    const double ceiling = StoreCeiling(batch, detail, absl::Seconds(seconds));
    best = std::max(best, ceiling);
    std::printf("  %5d records per commit: %8.0f rec/s\n", batch, ceiling);
  }
  std::printf("\ncollector throughput / store ceiling: %.2f\n",
              best > 0 ? max.records_per_second / best : 0);
  std::printf("overload peak RSS / max-throughput peak RSS: %.2f\n",
              max.peak_rss_mib > 0 ? over.peak_rss_mib / max.peak_rss_mib : 0);
  return 0;
}
