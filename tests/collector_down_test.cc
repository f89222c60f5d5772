// Issue 23, item 5: the collector is down for an hour at full agent rate. Real agents run
// the built-in pack for 4 assets each with every check due every second (60 runs stand for
// an hour of checks due every minute) while the collector is stopped; their spools must
// hold all of it, and once the collector returns drain completely, each batch stored
// exactly once. The drain rate is measured and printed (bench/README.md, "Faults").

#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/store/evidence_store.h"
#include "gtest/gtest.h"
#include "tests/fault_agents.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::ChildProcess;
using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;

constexpr int kAgents = 3;
constexpr int kAssetsPerAgent = 4;
constexpr absl::Duration kDown = absl::Seconds(60);

// The built-in pack with every check due every second.
std::string EverySecondPack(const TempDir& dir) {
  std::ifstream in(POSTURA_SOURCE_DIR "/deploy/packs/debian-server.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text = std::regex_replace(text, std::regex(R"((^|\n)(\s*)(default_interval|interval): \S+)"),
                            "$1$2$3: 1s");
  return dir.WriteFile("every-second.yaml", text);
}

std::string AgentId(int agent) { return absl::StrCat("host-", agent); }

// What one agent left in its spool: the backlog, and how many items it holds.
struct Backlog {
  uint64_t last_sequence = 0;
  std::size_t batches = 0;
  uint64_t dropped_items = 0;
};

TEST(CollectorDownTest, SpoolsHoldAnHourOfChecksAndDrainCompletelyWhenTheCollectorReturns) {
  TempDir collector_dir;
  std::vector<std::unique_ptr<TempDir>> agent_dirs;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir.path()).value();
  const std::string address = collector->address();
  const CollectorTrust admin = collector->admin();
  TempDir pack_dir;
  const std::string pack = EverySecondPack(pack_dir);

  std::vector<test::FaultAgentOptions> options(kAgents);
  std::vector<std::unique_ptr<ChildProcess>> agents(kAgents);
  for (int a = 0; a < kAgents; ++a) {
    std::vector<std::string> assets;
    for (int i = 0; i < kAssetsPerAgent; ++i) {
      assets.push_back(absl::StrCat("asset-", a, "-", i));
      ASSERT_TRUE(test::PutAsset(address, admin, assets.back(), v1::IG1).ok());
    }
    options[a].agent_id = AgentId(a);
    options[a].collector_address = address;
    options[a].ca_file = collector->ca_file();
    options[a].enrollment_token = test::CreateEnrollmentToken(address, admin, assets).value();
    options[a].assets = assets;
    options[a].pack = pack;
    options[a].root = POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened";
    agent_dirs.push_back(std::make_unique<TempDir>());
    agents[a] =
        test::StartFaultAgent(POSTURA_AGENT_BIN, agent_dirs.back()->path().string(), options[a])
            .value();
  }
  for (int a = 0; a < kAgents; ++a) {
    ASSERT_TRUE(test::WaitForStoredSequence(address, admin, AgentId(a), 1, absl::Seconds(30)))
        << AgentId(a) << " delivered nothing";
  }

  // Down: the agents keep checking every second and spool everything.
  ASSERT_EQ(collector->Stop(), 0);
  absl::SleepFor(kDown);
  std::vector<Backlog> backlogs(kAgents);
  uint64_t backlog_batches = 0;
  for (int a = 0; a < kAgents; ++a) {
    agents[a]->Signal(SIGTERM);
    EXPECT_EQ(agents[a]->Wait(), 0);
    const test::SpoolFigures spool = test::ReadStoppedSpool(agent_dirs[a]->path().string()).value();
    backlogs[a] = {spool.last_sequence, spool.pending_batches, spool.dropped_items};
    EXPECT_EQ(spool.dropped_items, 0u) << AgentId(a) << "'s spool did not hold";
    EXPECT_GE(spool.pending_batches, 40u) << AgentId(a) << " spooled too little";
    backlog_batches += spool.pending_batches;
  }

  // Back: the collector, then the agents, which drain their spools while checking on.
  collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir.path(), address).value();
  const uint64_t items_before = test::GetIngestStats(address, admin).value().items_stored();
  const absl::Time drain_start = absl::Now();
  for (int a = 0; a < kAgents; ++a) {
    agents[a] = test::StartFaultAgent(POSTURA_AGENT_BIN, agent_dirs[a]->path().string(), options[a])
                    .value();
  }
  for (int a = 0; a < kAgents; ++a) {
    ASSERT_TRUE(test::WaitForStoredSequence(address, admin, AgentId(a), backlogs[a].last_sequence,
                                            absl::Seconds(120)))
        << AgentId(a) << " did not drain its spool";
  }
  const absl::Duration drain = absl::Now() - drain_start;
  const uint64_t items_drained =
      test::GetIngestStats(address, admin).value().items_stored() - items_before;
  std::printf("%s\n",
              absl::StrFormat("drain after %s down: %d agents x %d assets, %d backlog batches, "
                              "%d items stored in %.1f s = %.0f items/s (%.1f batches/s)",
                              absl::FormatDuration(kDown), kAgents, kAssetsPerAgent,
                              backlog_batches, items_drained, absl::ToDoubleSeconds(drain),
                              items_drained / absl::ToDoubleSeconds(drain),
                              backlog_batches / absl::ToDoubleSeconds(drain))
                  .c_str());
  for (int a = 0; a < kAgents; ++a) {
    agents[a]->Signal(SIGTERM);
    EXPECT_EQ(agents[a]->Wait(), 0);
  }
  ASSERT_EQ(collector->Stop(), 0);

  // Exactly once, nothing missing: every batch each agent numbered up to its backlog's end
  // is in the evidence log, and the collector's count of items matches the log.
  auto store = collector::EvidenceStore::Open({.path = collector->data_dir() + "/store"}).value();
  std::map<std::string, std::map<uint64_t, int>> items_per_batch;
  uint64_t evidence = 0;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    ++items_per_batch[e.agent_id()][e.sequence()];
                    ++evidence;
                  })
                  .ok());
  uint64_t items_stored = 0;
  const auto progress_records = store->LoadProgress().value();
  for (const auto& [agent, progress] : progress_records) {
    items_stored += progress.items_stored;
  }
  EXPECT_EQ(items_stored, evidence);
  for (int a = 0; a < kAgents; ++a) {
    const std::map<uint64_t, int>& batches = items_per_batch[AgentId(a)];
    for (uint64_t sequence = 1; sequence <= backlogs[a].last_sequence; ++sequence) {
      EXPECT_TRUE(batches.contains(sequence)) << AgentId(a) << " batch " << sequence << " lost";
    }
  }
}

// The agent's spool fills while the collector is down: it keeps the newest result of every
// check, drops what is superseded, and the collector hears how much it dropped.
TEST(CollectorDownTest, AFullSpoolKeepsTheNewestOfEveryCheckAndReportsWhatItDropped) {
  TempDir collector_dir, pack_dir, agent_dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir.path()).value();
  const std::string address = collector->address();
  const CollectorTrust admin = collector->admin();
  std::vector<std::string> assets;
  for (int i = 0; i < kAssetsPerAgent; ++i) {
    assets.push_back(absl::StrCat("asset-", i));
    ASSERT_TRUE(test::PutAsset(address, admin, assets.back(), v1::IG1).ok());
  }
  test::FaultAgentOptions options;
  options.agent_id = "host-0";
  options.collector_address = address;
  options.ca_file = collector->ca_file();
  options.enrollment_token = test::CreateEnrollmentToken(address, admin, assets).value();
  options.assets = assets;
  options.pack = EverySecondPack(pack_dir);
  options.root = POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened";
  options.spool_max_bytes = 1 << 20;  // About ten runs of the pack for 4 assets.
  const std::string dir = agent_dir.path().string();
  auto agent = test::StartFaultAgent(POSTURA_AGENT_BIN, dir, options).value();
  ASSERT_TRUE(test::WaitForStoredSequence(address, admin, "host-0", 1, absl::Seconds(30)));

  ASSERT_EQ(collector->Stop(), 0);
  absl::SleepFor(absl::Seconds(25));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  const test::SpoolFigures spool = test::ReadStoppedSpool(dir).value();
  EXPECT_GT(spool.dropped_items, 0u) << "the spool never filled";

  collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir.path(), address).value();
  const uint64_t stored_before =
      test::FindAgent(address, admin, "host-0").value().last_stored_sequence();
  agent = test::StartFaultAgent(POSTURA_AGENT_BIN, dir, options).value();
  ASSERT_TRUE(test::WaitForStoredSequence(address, admin, "host-0", spool.last_sequence,
                                          absl::Seconds(60)));
  const v1::Agent record = test::FindAgent(address, admin, "host-0").value();
  EXPECT_GE(record.dropped_items_total(), spool.dropped_items) << "the collector was not told";
  EXPECT_EQ(test::GetIngestStats(address, admin).value().agent_dropped_items(),
            record.dropped_items_total());
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  ASSERT_EQ(collector->Stop(), 0);

  // Every source (check, asset, outcome) the agent reports had a result in the backlog
  // that arrived: superseded items went, the newest of each stayed.
  auto store = collector::EvidenceStore::Open({.path = collector->data_dir() + "/store"}).value();
  std::set<std::string> sources, sources_in_backlog;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    const std::string source =
                        absl::StrCat(e.evidence().check_id(), "/", e.evidence().asset_id(), "/",
                                     e.evidence().outcome_id());
                    sources.insert(source);
                    if (e.sequence() > stored_before && e.sequence() <= spool.last_sequence) {
                      sources_in_backlog.insert(source);
                    }
                  })
                  .ok());
  EXPECT_GT(sources.size(), 100u);
  EXPECT_EQ(sources_in_backlog, sources);
}

}  // namespace
}  // namespace postura
