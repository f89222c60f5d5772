// Live scoring at the scale of an organisation: evidence-to-watcher latency, the
// collector's memory, the scoring state's memory and the rebuild after a restart.
//
//   build/bin/scoring_bench [--assets 10000] [--seconds 20] [--low-rate 1000]
//                           [--high-rate 10000] [--soak-records 3600000] [--soak-rate 20000]
//                           [--collector build/bin/postura-collector]
//
// Starts a real postura-collector, registers an organisation through the admin API (five
// departments, two supplier tenants, an IG mix, a dependency DAG, agents bound to blocks
// of assets), watches every score change on one Watch stream, and drives evidence through
// the real ingest protocol (the loadgen library) at two rates. Latency is the time from an
// item's observed_at (stamped when its batch is sent) to the watcher receiving the update
// that carries it. The collector's memory is printed after start-up, after the latency
// phases, and after a simulated hour: an hour's records at the low rate, sent at
// --soak-rate, measured once scoring has caught up with what was acknowledged (it says
// how long that took). Then it measures the scoring state of the same organisation in this
// process (ScoreTable::MemoryBytes), restarts the collector on the same data and checks
// that the organisation's index survives.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "bench/collector_memory.h"
#include "bench/load_generator.h"
#include "collector/scoring/score_table.h"
#include "common/model/catalog.h"
#include "common/transport/grpc_status.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/process_stats.h"
#include "tests/testing/temp_dir.h"

namespace postura::bench {
namespace {

constexpr absl::Duration kCallDeadline = absl::Seconds(30);

// The organisation to register.
struct OrganizationShape {
  int assets = 10'000;
  int assets_per_agent = 100;
  int departments = 5;
  int suppliers = 2;
  double supplier_agent_share = 0.1;  // The last agents' blocks are supplier-operated.
  double dependent_share = 0.3;       // Assets depending on 1-2 lower-numbered assets.
  uint32_t seed = 1;

  int agents() const { return assets / assets_per_agent; }  // REQUIRES: a whole number.
  int first_supplier_agent() const {
    return agents() - static_cast<int>(std::lround(agents() * supplier_agent_share));
  }
  // The supplier operating agent `agent`'s block, or empty for the organisation.
  std::string SupplierOf(int agent) const {
    if (suppliers == 0 || agent < first_supplier_agent()) return "";
    return absl::StrCat("supplier-", (agent - first_supplier_agent()) % suppliers);
  }
};

struct Organization {
  std::vector<v1::Tenant> suppliers;
  std::vector<v1::Department> departments;
  std::vector<v1::Asset> assets;  // Every dependency comes before its dependents.
  std::vector<v1::Agent> agents;
};

v1::ImplementationGroup RandomGroup(std::mt19937& random) {
  // 50% IG1, 30% IG2, 20% IG3.
  const int draw = std::uniform_int_distribution<int>(0, 9)(random);
  return draw < 5 ? v1::IG1 : draw < 8 ? v1::IG2 : v1::IG3;
}

v1::Asset MakeAsset(const OrganizationShape& shape, int i, std::mt19937& random) {
  v1::Asset asset;
  asset.set_id(LoadAssetId(i));
  asset.set_name(absl::StrCat("Asset ", i));
  asset.set_implementation_group(RandomGroup(random));
  asset.set_department_id(absl::StrCat("department-", i % shape.departments));
  asset.set_supplier_id(shape.SupplierOf(i / shape.assets_per_agent));
  std::uniform_real_distribution<double> coin(0, 1);
  if (i > 0 && coin(random) < shape.dependent_share) {
    std::uniform_int_distribution<int> lower(0, i - 1);
    const int first = lower(random);
    asset.add_dependency_ids(LoadAssetId(first));
    if (i > 1 && coin(random) < 0.5) {
      int second = lower(random);
      while (second == first) second = lower(random);
      asset.add_dependency_ids(LoadAssetId(second));
    }
  }
  return asset;
}

Organization MakeOrganization(const OrganizationShape& shape) {
  Organization organization;
  for (int s = 0; s < shape.suppliers; ++s) {
    v1::Tenant& tenant = organization.suppliers.emplace_back();
    tenant.set_id(absl::StrCat("supplier-", s));
    tenant.set_name(absl::StrCat("Supplier ", s));
    tenant.set_kind(v1::SUPPLIER);
  }
  for (int d = 0; d < shape.departments; ++d) {
    v1::Department& department = organization.departments.emplace_back();
    department.set_id(absl::StrCat("department-", d));
    department.set_name(absl::StrCat("Department ", d));
  }
  std::mt19937 random(shape.seed);
  for (int i = 0; i < shape.assets; ++i) {
    organization.assets.push_back(MakeAsset(shape, i, random));
  }
  for (int a = 0; a < shape.agents(); ++a) {
    v1::Agent& agent = organization.agents.emplace_back();
    agent.set_id(LoadAgentId(a));
    agent.set_tenant_id(shape.SupplierOf(a));
    for (int i = a * shape.assets_per_agent; i < (a + 1) * shape.assets_per_agent; ++i) {
      agent.add_asset_ids(LoadAssetId(i));
    }
  }
  return organization;
}

// One unary admin call with a deadline.
template <typename Request, typename Response>
absl::Status CallAdmin(v1::AdminService::Stub& admin,
                       grpc::Status (v1::AdminService::Stub::*method)(grpc::ClientContext*,
                                                                      const Request&, Response*),
                       const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  Response response;
  return FromGrpcStatus((admin.*method)(&context, request, &response));
}

// Registers the organisation and enrolls its agents: their credentials, in order.
absl::StatusOr<std::vector<std::string>> Register(const test::CollectorProcess& collector,
                                                  const Organization& organization) {
  const std::string& address = collector.address();
  auto admin = v1::AdminService::NewStub(test::FreshChannel(address, collector.admin()));
  using Stub = v1::AdminService::Stub;
  for (const v1::Tenant& tenant : organization.suppliers) {
    v1::PutTenantRequest request;
    *request.mutable_tenant() = tenant;
    if (absl::Status s = CallAdmin(*admin, &Stub::PutTenant, request); !s.ok()) return s;
  }
  for (const v1::Department& department : organization.departments) {
    v1::PutDepartmentRequest request;
    *request.mutable_department() = department;
    if (absl::Status s = CallAdmin(*admin, &Stub::PutDepartment, request); !s.ok()) return s;
  }
  for (const v1::Asset& asset : organization.assets) {
    v1::PutAssetRequest request;
    *request.mutable_asset() = asset;
    if (absl::Status s = CallAdmin(*admin, &Stub::PutAsset, request); !s.ok()) return s;
  }
  std::vector<std::string> credentials;
  for (const v1::Agent& agent : organization.agents) {
    absl::StatusOr<CollectorTrust> enrolled = test::EnrollAgent(
        address, collector.admin(), agent.id(),
        std::vector<std::string>(agent.asset_ids().begin(), agent.asset_ids().end()),
        agent.tenant_id());
    if (!enrolled.ok()) return enrolled.status();
    credentials.push_back(enrolled->token);
  }
  return credentials;
}

// One update received after the initial snapshot. Times in Unix nanoseconds.
struct ReceivedUpdate {
  int64_t received = 0;
  int64_t evidence = 0;  // summary.last_evidence_observed_at_unix_nanos.
  int64_t computed = 0;
  // Evidence caused the update: the asset's own value or outcome counts changed, and it
  // carries newer evidence than the asset's previous update. Otherwise it moved with a
  // dependency's value, and its evidence time says nothing about latency (that evidence
  // may be an earlier report that left the score as it was, and so was not published).
  bool from_evidence = false;
};

// Consumes a Watch stream of every asset on its own thread. Thread-safe.
class ScoreWatcher {
 public:
  // Opens the stream to the collector at `address`, which has `assets` assets.
  ScoreWatcher(const std::string& address, const CollectorTrust& trust, int assets)
      : assets_(assets),
        query_(v1::QueryService::NewStub(test::FreshChannel(address, trust))),
        thread_([this] { Run(); }) {}
  ~ScoreWatcher() {
    context_.TryCancel();
    thread_.join();
  }

  // Whether the initial summary of every asset arrived within `timeout`.
  bool WaitForSnapshot(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return snapshot_done_ || ended_; };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout) && snapshot_done_;
  }

  // Waits until no update arrived for `quiet`, at most `limit`.
  void WaitQuiet(absl::Duration quiet, absl::Duration limit) {
    const absl::Time end = absl::Now() + limit;
    for (size_t seen = count(); absl::Now() < end; seen = count()) {
      absl::SleepFor(quiet);
      if (count() == seen) return;
    }
  }

  size_t count() const {
    absl::MutexLock lock(&mu_);
    return updates_.size();
  }
  std::vector<ReceivedUpdate> updates() const {
    absl::MutexLock lock(&mu_);
    return updates_;
  }

 private:
  void Run() {
    v1::WatchRequest request;
    std::unique_ptr<grpc::ClientReader<v1::ScoreUpdate>> reader = query_->Watch(&context_, request);
    absl::flat_hash_map<std::string, v1::AssetSummary> previous;  // By asset id.
    v1::ScoreUpdate update;
    int snapshot_left = assets_;
    while (reader->Read(&update)) {
      const int64_t received = absl::ToUnixNanos(absl::Now());
      const v1::AssetSummary& now = update.summary();
      v1::AssetSummary& before = previous[now.asset_id()];
      const bool from_evidence =
          now.last_evidence_observed_at_unix_nanos() >
              before.last_evidence_observed_at_unix_nanos() &&
          (now.value() != before.value() || now.outcomes_live() != before.outcomes_live() ||
           now.outcomes_stale() != before.outcomes_stale());
      before = now;
      absl::MutexLock lock(&mu_);
      if (snapshot_left > 0) {
        snapshot_done_ = --snapshot_left == 0;
        continue;
      }
      updates_.push_back({received, now.last_evidence_observed_at_unix_nanos(),
                          update.computed_at_unix_nanos(), from_evidence});
    }
    reader->Finish().ok();
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }

  const int assets_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  grpc::ClientContext context_;
  mutable absl::Mutex mu_;
  std::vector<ReceivedUpdate> updates_ ABSL_GUARDED_BY(mu_);
  bool snapshot_done_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // Last: starts once the members it uses exist.
};

struct PhaseReport {
  double offered_rate = 0;
  double goal_p99_ms = 0;
  uint64_t reports = 0;  // Items acknowledged.
  double achieved_rate = 0;
  size_t updates = 0, updates_from_evidence = 0;
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
  double collector_p50 = 0, collector_p99 = 0;  // observed_at to computed_at.
  double delivery_p50 = 0, delivery_p99 = 0;    // computed_at to received.
  double ack_p50 = 0, ack_p99 = 0;              // Batch sent to acknowledged (durable).
};

// Latency figures of the updates received in [begin, end) (receive time).
void Summarize(const std::vector<ReceivedUpdate>& updates, absl::Time begin, absl::Time end,
               PhaseReport& report) {
  std::vector<double> total, collector, delivery;
  for (const ReceivedUpdate& u : updates) {
    if (u.received < absl::ToUnixNanos(begin) || u.received >= absl::ToUnixNanos(end)) continue;
    ++report.updates;
    if (!u.from_evidence) continue;
    total.push_back((u.received - u.evidence) / 1e6);
    collector.push_back((u.computed - u.evidence) / 1e6);
    delivery.push_back((u.received - u.computed) / 1e6);
  }
  report.updates_from_evidence = total.size();
  report.p50 = Quantile(total, 0.5);
  report.p99 = Quantile(total, 0.99);
  report.p999 = Quantile(total, 0.999);
  report.max = total.empty() ? 0 : *std::max_element(total.begin(), total.end());
  report.collector_p50 = Quantile(collector, 0.5);
  report.collector_p99 = Quantile(collector, 0.99);
  report.delivery_p50 = Quantile(delivery, 0.5);
  report.delivery_p99 = Quantile(delivery, 0.99);
}

PhaseReport RunPhase(const LoadOptions& load, ScoreWatcher& watcher, double goal_p99_ms) {
  const absl::Time begin = absl::Now();
  LoadResult result = RunLoad(load);
  watcher.WaitQuiet(absl::Milliseconds(500), absl::Seconds(10));
  PhaseReport report;
  report.offered_rate = load.records_per_second;
  report.goal_p99_ms = goal_p99_ms;
  report.reports = result.acknowledged_records;
  report.achieved_rate = result.acknowledged_records / absl::ToDoubleSeconds(result.elapsed);
  report.ack_p50 = Quantile(result.ack_latency_ms, 0.5);
  report.ack_p99 = Quantile(result.ack_latency_ms, 0.99);
  Summarize(watcher.updates(), begin, absl::Now(), report);
  return report;
}

void PrintPhase(const PhaseReport& r) {
  std::printf(
      "  %6.0f rec/s offered (%.0f achieved, %llu reports): %zu updates (%zu from "
      "evidence)\n"
      "    evidence -> watcher  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms   "
      "goal p99 < %.0f ms: %s\n"
      "    of which evidence -> computed_at p50 %.2f / p99 %.2f ms, computed_at -> watcher "
      "p50 %.2f / p99 %.2f ms; ingest ack p50 %.2f / p99 %.2f ms\n",
      r.offered_rate, r.achieved_rate, static_cast<unsigned long long>(r.reports), r.updates,
      r.updates_from_evidence, r.p50, r.p99, r.p999, r.max, r.goal_p99_ms,
      r.p99 < r.goal_p99_ms ? "met" : "NOT met", r.collector_p50, r.collector_p99, r.delivery_p50,
      r.delivery_p99, r.ack_p50, r.ack_p99);
}

// The scoring state of `organization` with every applicable cell live, built in this
// process as the collector builds it.
void PrintScoreTableMemory(const Organization& organization, uint32_t seed) {
  const Catalog& catalog = Catalog::Builtin();
  collector::ScoreTable table(catalog);
  for (const v1::Asset& asset : organization.assets) {
    table.PutAsset(collector::DefinitionFromProto(asset, {}));
  }
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> level(0, 3);
  size_t cells = 0;
  for (int slot : table.Slots()) {
    for (int outcome : table.model(slot).applicable_outcomes()) {
      table.SetCell(slot, outcome,
                    {static_cast<Level>(level(random)), collector::CellState::kLive, false});
      ++cells;
    }
  }
  table.TakeChanged();
  const double bytes = static_cast<double>(table.MemoryBytes());
  const double dense = static_cast<double>(organization.assets.size()) * catalog.outcomes().size();
  const double goal = 5e6 * organization.assets.size() / 10'000;
  std::printf(
      "scoring state (in-process ScoreTable, %zu applicable cells set): %.2f MB, %.0f bytes "
      "per asset (dense level table %.2f MB)   goal < %.1f MB: %s\n",
      cells, bytes / 1e6, bytes / organization.assets.size(), dense / 1e6, goal / 1e6,
      bytes < goal ? "met" : "NOT met");
}

absl::StatusOr<v1::OrganizationScore> OrganizationScore(const test::CollectorProcess& collector) {
  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  v1::OrganizationScore score;
  if (grpc::Status s = query->GetOrganizationScore(&context, {}, &score); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return score;
}

// The last "scores of N assets rebuilt in X" the collector logged, as "N assets in X".
std::string LoggedRebuild(const std::string& log_path) {
  std::ifstream file(log_path);
  const std::string marker = "scores of ";
  std::string line, found = "not logged";
  while (std::getline(file, line)) {
    const size_t at = line.find(marker);
    if (at == std::string::npos) continue;
    std::vector<std::string> words = absl::StrSplit(line.substr(at + marker.size()), ' ');
    absl::Duration rebuilt;
    if (words.size() == 5 && absl::ParseDuration(words[4], &rebuilt)) {
      found = absl::StrCat(words[0], " assets in ", absl::FormatDuration(rebuilt));
    }
  }
  return found;
}

struct BenchFlags {
  std::string collector_bin;
  OrganizationShape shape;
  int items_per_batch = 10;
  int seconds = 20;
  double low_rate = 1000, high_rate = 10'000;
  // An hour of ingest at low_rate, sent faster: soak_records at soak_rate.
  double soak_records = 3'600'000, soak_rate = 20'000;
};

constexpr double kMemoryGoalMb = 100;

// Prints the collector's memory now, against the goal.
absl::Status PrintMemory(const std::string& when, const test::CollectorProcess& collector) {
  absl::StatusOr<CollectorMemory> memory = MeasureCollectorMemory(collector);
  if (!memory.ok()) return memory.status();
  PrintCollectorMemory(when, *memory, kMemoryGoalMb);
  return absl::OkStatus();
}

// Sends flags.soak_records records in random cells (as the latency phases do) at
// flags.soak_rate: what the collector would ingest in an hour at the low rate. Then
// prints its memory.
absl::Status RunSimulatedHour(const BenchFlags& flags, const test::CollectorProcess& collector,
                              std::vector<std::string> agent_credentials) {
  if (flags.soak_records <= 0) return absl::OkStatus();
  LoadOptions load;
  load.target = collector.address();
  load.admin = collector.admin();
  load.agent_credentials = std::move(agent_credentials);
  load.agents = flags.shape.agents();
  load.assets_per_agent = flags.shape.assets_per_agent;
  load.items_per_batch = flags.items_per_batch;
  load.random_items = true;
  load.resume_sequences = true;
  load.records_per_second = flags.soak_rate;
  load.duration = absl::Seconds(flags.soak_records / flags.soak_rate);
  load.seed = flags.shape.seed + 100;
  const LoadResult result = RunLoad(load);
  const double hours = result.acknowledged_records / flags.low_rate / 3600;
  std::printf(
      "simulated ingest: %llu records in %.0f s (%.0f rec/s offered, %.0f achieved) = %.2f h at "
      "%.0f rec/s\n",
      static_cast<unsigned long long>(result.acknowledged_records),
      absl::ToDoubleSeconds(result.elapsed), flags.soak_rate,
      result.acknowledged_records / absl::ToDoubleSeconds(result.elapsed), hours, flags.low_rate);
  // Sent faster than an hour's ingest, the load leaves scoring behind for a while, which an
  // hour at the low rate would not: the hour's memory is measured once it caught up.
  absl::StatusOr<absl::Duration> caught_up = WaitUntilCaughtUp(collector, absl::Minutes(5));
  if (!caught_up.ok()) return caught_up.status();
  std::printf("scoring caught up with ingest %.1f s after the last acknowledgement\n",
              absl::ToDoubleSeconds(*caught_up));
  return PrintMemory(absl::StrFormat("after %.2f h of simulated ingest", hours), collector);
}

// Watches every asset while the load runs at each rate; prints the figures.
absl::Status MeasureLatency(const BenchFlags& flags, const test::CollectorProcess& collector,
                            std::vector<std::string> agent_credentials) {
  const OrganizationShape& shape = flags.shape;
  ScoreWatcher watcher(collector.address(), collector.admin(), shape.assets);
  if (!watcher.WaitForSnapshot(absl::Seconds(60))) {
    return absl::UnavailableError("the watch stream did not deliver the initial snapshot");
  }
  LoadOptions load;
  load.target = collector.address();
  load.admin = collector.admin();
  load.agent_credentials = std::move(agent_credentials);
  load.agents = shape.agents();
  load.assets_per_agent = shape.assets_per_agent;
  load.items_per_batch = flags.items_per_batch;
  load.random_items = true;
  load.resume_sequences = true;
  load.duration = absl::Seconds(flags.seconds);
  load.seed = shape.seed;
  std::printf("evidence to the watcher, %d s per rate, %d items per batch:\n", flags.seconds,
              flags.items_per_batch);
  const std::pair<double, double> rates_and_goals[] = {{flags.low_rate, 10}, {flags.high_rate, 25}};
  for (const auto& [rate, goal_p99_ms] : rates_and_goals) {
    load.records_per_second = rate;
    ++load.seed;
    PrintPhase(RunPhase(load, watcher, goal_p99_ms));
  }
  return absl::OkStatus();
}

// Stops the collector (SIGTERM), starts it again on the same data and compares the
// organisation's index before and after: whether they agree within 1e-9.
absl::StatusOr<bool> CheckRestart(const std::string& collector_bin, const test::TempDir& dir,
                                  std::unique_ptr<test::CollectorProcess>& collector) {
  // Scoring may still be applying the end of the load: wait until the index holds still.
  absl::StatusOr<v1::OrganizationScore> before = OrganizationScore(*collector);
  for (int settled = 0; before.ok() && settled < 3;) {
    absl::SleepFor(absl::Milliseconds(500));
    absl::StatusOr<v1::OrganizationScore> again = OrganizationScore(*collector);
    if (!again.ok()) return again.status();
    settled = again->index() == before->index() ? settled + 1 : 0;
    before = std::move(again);
  }
  if (!before.ok()) return before.status();
  const int stopped = collector->Stop();
  const absl::Time restarting = absl::Now();
  absl::StatusOr<std::unique_ptr<test::CollectorProcess>> restarted =
      test::CollectorProcess::Start(collector_bin, dir.path());
  const absl::Duration restart = absl::Now() - restarting;
  if (!restarted.ok()) return restarted.status();
  collector = *std::move(restarted);
  absl::StatusOr<v1::OrganizationScore> after = OrganizationScore(*collector);
  if (!after.ok()) return after.status();
  std::printf(
      "restart (SIGTERM, exit %d): ready in %.2f s after start; collector log: scores of %s\n"
      "organisation index before %.12f after %.12f (adjusted %.12f / %.12f; %u / %u assets)\n",
      stopped, absl::ToDoubleSeconds(restart),
      LoggedRebuild((dir.path() / "collector.log").string()).c_str(), before->index(),
      after->index(), before->adjusted_index(), after->adjusted_index(), before->asset_count(),
      after->asset_count());
  return std::abs(before->index() - after->index()) <= 1e-9 &&
         std::abs(before->adjusted_index() - after->adjusted_index()) <= 1e-9 &&
         before->asset_count() == after->asset_count();
}

void PrintOrganization(const OrganizationShape& shape, const Organization& organization) {
  int dependents = 0, supplier_operated = 0;
  for (const v1::Asset& asset : organization.assets) {
    dependents += asset.dependency_ids_size() > 0;
    supplier_operated += !asset.supplier_id().empty();
  }
  std::printf(
      "machine: %ld cores. organisation: %d assets (%d depend on others, %d supplier-operated), "
      "%d departments, %d suppliers, %d agents of %d assets\n",
      sysconf(_SC_NPROCESSORS_ONLN), shape.assets, dependents, supplier_operated, shape.departments,
      shape.suppliers, shape.agents(), shape.assets_per_agent);
}

// Registers, loads, measures, restarts.
absl::StatusOr<bool> RunBench(const BenchFlags& flags) {
  test::TempDir dir;
  absl::StatusOr<std::unique_ptr<test::CollectorProcess>> collector =
      test::CollectorProcess::Start(flags.collector_bin, dir.path());
  if (!collector.ok()) return collector.status();
  const Organization organization = MakeOrganization(flags.shape);
  PrintOrganization(flags.shape, organization);
  const absl::Time registering = absl::Now();
  absl::StatusOr<std::vector<std::string>> credentials = Register(**collector, organization);
  if (!credentials.ok()) return credentials.status();
  const absl::Duration registration = absl::Now() - registering;
  const size_t calls = organization.suppliers.size() + organization.departments.size() +
                       organization.assets.size() + organization.agents.size();
  std::printf(
      "registration: %zu admin calls (each agent enrolled: 2 more calls) in %.2f s (%.2f ms per "
      "call)\n",
      calls, absl::ToDoubleSeconds(registration), absl::ToDoubleMilliseconds(registration) / calls);
  if (absl::Status s = PrintMemory("after start-up, organisation registered", **collector);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = MeasureLatency(flags, **collector, *credentials); !s.ok()) return s;
  if (absl::Status s = PrintMemory("after the latency phases", **collector); !s.ok()) return s;
  if (absl::Status s = RunSimulatedHour(flags, **collector, *std::move(credentials)); !s.ok()) {
    return s;
  }
  PrintScoreTableMemory(organization, flags.shape.seed);
  absl::StatusOr<bool> same = CheckRestart(flags.collector_bin, dir, *collector);
  (*collector)->Stop();
  return same;
}

}  // namespace
}  // namespace postura::bench

int main(int argc, char** argv) {
  using namespace postura::bench;
  CLI::App app{"Live scoring benchmark: evidence-to-watcher latency, memory, restart."};
  BenchFlags flags;
  flags.collector_bin =
      (std::filesystem::path(argv[0]).parent_path() / "postura-collector").string();
  app.add_option("--collector", flags.collector_bin, "postura-collector binary");
  app.add_option("--assets", flags.shape.assets, "Assets of the organisation")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--assets-per-agent", flags.shape.assets_per_agent, "Assets bound to each agent")
      ->check(CLI::Range(1, 10'000));
  app.add_option("--seconds", flags.seconds, "Length of the load at each rate");
  app.add_option("--low-rate", flags.low_rate, "First offered load, records/s (goal p99 < 10 ms)");
  app.add_option("--high-rate", flags.high_rate,
                 "Second offered load, records/s (goal p99 < 25 ms)");
  app.add_option("--items", flags.items_per_batch, "Items per batch")->check(CLI::Range(1, 1000));
  app.add_option("--seed", flags.shape.seed, "Seed of the organisation and the load");
  app.add_option("--soak-records", flags.soak_records,
                 "Records of the simulated hour (default: an hour at --low-rate); 0 to skip");
  app.add_option("--soak-rate", flags.soak_rate, "Offered rate of the simulated hour, records/s")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (flags.shape.assets % flags.shape.assets_per_agent != 0) {
    std::fprintf(stderr, "scoring_bench: --assets must be a multiple of --assets-per-agent\n");
    return 2;
  }
  absl::StatusOr<bool> same = RunBench(flags);
  if (!same.ok()) {
    std::fprintf(stderr, "scoring_bench: %s\n", std::string(same.status().message()).c_str());
    return 1;
  }
  std::printf("index after restart: %s\n", *same ? "same" : "DIFFERENT (more than 1e-9 apart)");
  return *same ? 0 : 1;
}
