// The agent delivers evidence to a real collector exactly once, while the collector is
// stopped and restarted and the agent is killed and restarted: real processes on loopback.

#include <csignal>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/delivery/certificate_renewal.h"
#include "agent/delivery/spool.h"
#include "collector/store/evidence_store.h"
#include "common/base/utf8.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/private_file.h"
#include "common/transport/tls_files.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::ChildProcess;
using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;

// The agent's spool, opened by the test while no agent runs.
std::unique_ptr<agent::Spool> OpenSpool(const std::string& directory,
                                        const agent::IngestLimits& limits) {
  agent::SpoolOptions options;
  options.directory = directory;
  options.ingest_limits = limits;
  return agent::Spool::Open(options).value();
}

// Polls (every 100 ms, up to `timeout`) until the file at `path` holds `text`.
bool WaitForLogText(const std::string& path, const std::string& text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::ifstream in(path);
    const std::string content((std::istreambuf_iterator<char>(in)), {});
    if (content.find(text) != std::string::npos) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

class AgentDeliveryTest : public testing::Test {
 protected:
  // Registers the asset "web" and leaves an enrollment token for "host-1" where
  // StartAgent's config points, so that the agent enrolls as in production.
  void Register(const CollectorProcess& collector,
                const std::vector<std::string>& assets = {"web"}) {
    admin_ = collector.admin();
    assets_ = assets;
    for (const std::string& asset : assets) {
      ASSERT_TRUE(test::PutAsset(collector.address(), admin_, asset, v1::IG1).ok());
    }
    absl::StatusOr<std::string> token =
        test::CreateEnrollmentToken(collector.address(), admin_, assets);
    ASSERT_TRUE(token.ok()) << token.status();
    ASSERT_TRUE(WritePrivateFile(dir_.path() / "enrollment.token", *token).ok());
    ca_file_ = collector.ca_file();
  }

  std::unique_ptr<v1::AdminService::Stub> Admin(const std::string& address) {
    return v1::AdminService::NewStub(test::FreshChannel(address, admin_));
  }

  // The collector's stored progress for host-1, or 0 if it cannot be asked.
  uint64_t StoredSequence(const std::string& address) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::ListAgentsResponse agents;
    if (!Admin(address)->ListAgents(&context, {}, &agents).ok() || agents.agents_size() == 0)
      return 0;
    return agents.agents(0).last_stored_sequence();
  }

  // Polls (every 50 ms, up to `timeout`) until the collector has stored `sequence`.
  bool WaitForStored(const std::string& address, uint64_t sequence, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (StoredSequence(address) >= sequence) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  std::unique_ptr<ChildProcess> StartAgent(const std::string& collector_address,
                                           const std::string& pack = POSTURA_SOURCE_DIR
                                           "/tests/testdata/agent/packs/fast.yaml",
                                           const std::string& root = POSTURA_SOURCE_DIR
                                           "/tests/testdata/agent/hardened") {
    const std::string config = dir_.WriteFile(
        "agent.yaml",
        "agent_id: host-1\ncollector_address: " + collector_address + "\ncollector_addresses: [" +
            absl::StrJoin(fallback_collectors_, ", ") + "]\nassets: [" +
            absl::StrJoin(assets_, ", ") + "]\npacks: [" + pack + "]\nroot: " + root +
            "\nspool:\n  directory: " + spool_dir() + "\nca_file: " + ca_file_ +
            "\nenrollment_token_file: " + (dir_.path() / "enrollment.token").string() + "\n");
    return ChildProcess::Start({POSTURA_AGENT_BIN, "--config", config},
                               (dir_.path() / "agent.log").string())
        .value();
  }
  std::string spool_dir() const { return (dir_.path() / "spool").string(); }

  TempDir dir_;
  TempDir collector_dir_;
  CollectorTrust admin_;
  std::string ca_file_;
  std::vector<std::string> assets_;
  std::vector<std::string> fallback_collectors_;  // The agent's collector_addresses.
};

TEST_F(AgentDeliveryTest, EvidenceArrivesExactlyOnceAcrossCollectorAndAgentRestarts) {
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  Register(*collector);

  auto agent = StartAgent(address);
  ASSERT_TRUE(WaitForStored(address, 2, absl::Seconds(20))) << "no evidence arrived";

  // Collector down for a while: the agent keeps checking and spools; then it is killed.
  collector->Stop();
  absl::SleepFor(absl::Seconds(3));
  agent->Signal(SIGKILL);
  agent->Wait();
  agent = StartAgent(address);
  absl::SleepFor(absl::Seconds(1));
  collector =
      CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path(), address).value();

  // Once the collector is back, the backlog goes through: stop the agent, see how far it
  // had numbered, run it again and wait for the collector to hold all of that.
  absl::SleepFor(absl::Seconds(1));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  uint64_t backlog = 0;
  {
    auto spool = OpenSpool(spool_dir(), {});
    backlog = spool->next_sequence() - 1;
  }
  ASSERT_GE(backlog, 5u) << "the agent should have spooled while the collector was down";
  agent = StartAgent(address);
  ASSERT_TRUE(WaitForStored(address, backlog, absl::Seconds(30)));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);

  // Exactly once: each stored batch holds its 3 items (2 checks: 2 + 1 outcomes) once,
  // and the collector's item counter equals the evidence log.
  auto store = collector::EvidenceStore::Open({.path = collector->data_dir() + "/store"}).value();
  std::map<uint64_t, int> items_per_batch;
  uint64_t evidence = 0;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    ++items_per_batch[e.sequence()];
                    ++evidence;
                    EXPECT_EQ(e.agent_id(), "host-1");
                    EXPECT_EQ(e.evidence().kind(), v1::OBSERVED);
                  })
                  .ok());
  for (const auto& [sequence, items] : items_per_batch) EXPECT_EQ(items, 3) << "batch " << sequence;
  const auto progress = store->LoadProgress().value();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].second.items_stored, evidence);
  // Nothing of the backlog is missing (the spool dropped nothing in this run).
  for (uint64_t sequence = 1; sequence <= backlog; ++sequence) {
    EXPECT_TRUE(items_per_batch.contains(sequence)) << "batch " << sequence << " lost";
  }
}

// An agent whose first collector does not answer enrolls at, and reports to, the next one
// its config lists (as agents of a cluster fail over, docs/scale.md).
TEST_F(AgentDeliveryTest, AnAgentWhoseFirstCollectorIsDownMovesToTheNext) {
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  Register(*collector);
  fallback_collectors_ = {address};
  auto agent = StartAgent(absl::StrCat("127.0.0.1:", test::FreeLoopbackPort()));
  // The down collector costs the uploader its welcome timeout (15 s) once.
  ASSERT_TRUE(WaitForStored(address, 2, absl::Seconds(40)))
      << "no evidence arrived through the fallback collector";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
}

TEST_F(AgentDeliveryTest, ScoresAppearForTheBoundAsset) {
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  Register(*collector);
  // The built-in pack on the hardened fixture tree as checked out (file modes are git's,
  // so some checks fail: scores are what the evidence says, whatever it says).
  auto agent = StartAgent(address, POSTURA_SOURCE_DIR "/deploy/packs/debian-server.yaml");
  auto query = v1::QueryService::NewStub(test::FreshChannel(address, admin_));
  v1::AssetScore score;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    v1::GetAssetScoreRequest request;
    request.set_asset_id("web");
    ASSERT_TRUE(query->GetAssetScore(&context, request, &score).ok());
    if (score.summary().outcomes_live() > 0 && score.summary().value() > 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GT(score.summary().outcomes_live(), 0u);
  EXPECT_GT(score.summary().value(), 0);
  EXPECT_GT(score.summary().coverage(), 0);
  // Every live outcome is decided by the agent's own checks.
  int live = 0;
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        if (outcome.state() != v1::LIVE) continue;
        ++live;
        v1::Level minimum = v1::DLI_100;
        for (const v1::SourceEvidence& source : outcome.sources()) {
          minimum = std::min(minimum, source.level());
        }
        EXPECT_EQ(outcome.level(), minimum) << outcome.id();
        EXPECT_EQ(outcome.deciding().level(), minimum) << outcome.id();
        EXPECT_EQ(outcome.deciding().agent_id(), "host-1");
        EXPECT_EQ(outcome.deciding().kind(), v1::OBSERVED);
      }
    }
  }
  EXPECT_EQ(live, static_cast<int>(score.summary().outcomes_live()));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
}

TEST_F(AgentDeliveryTest, AttestationGoesThroughTheSpoolAsAttestedEvidence) {
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  Register(*collector);
  auto agent = StartAgent(address);  // Writes agent.yaml too.
  const std::string report = dir_.WriteFile("report.txt", "Supplier audit 2026-Q3");
  const std::string config = (dir_.path() / "agent.yaml").string();

  auto refused =
      test::RunProcess({POSTURA_AGENT_BIN, "attest", "--config", config, "--asset", "web",
                        "--outcome", "ID_SC_ID_SC_2", "--level", "50", "--note", "x"})
          .value();
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--level must be 0, 33, 67 or 100"), std::string::npos) << refused.err;

  auto attested = test::RunProcess({POSTURA_AGENT_BIN, "attest", "--config", config, "--asset",
                                    "web", "--outcome", "ID_SC_ID_SC_2", "--level", "67", "--note",
                                    "Audited by the supplier", "--evidence-file", report})
                      .value();
  ASSERT_EQ(attested.exit_code, 0) << attested.err;

  // Wait until the collector holds the attestation.
  bool found = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!found && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(200));
    grpc::ClientContext context;
    v1::IngestStats stats;
    Admin(address)->GetIngestStats(&context, {}, &stats).IgnoreError();
    found = stats.items_stored() > 0 && StoredSequence(address) >= 2;
  }
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
  auto store = collector::EvidenceStore::Open({.path = collector->data_dir() + "/store"}).value();
  int attestations = 0;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    if (e.evidence().kind() != v1::ATTESTED) return;
                    ++attestations;
                    EXPECT_EQ(e.evidence().outcome_id(), "ID_SC_ID_SC_2");
                    EXPECT_EQ(e.evidence().level(), v1::DLI_67);
                    EXPECT_EQ(e.evidence().content_sha256().size(), 32u);
                    EXPECT_EQ(e.evidence().detail(), "Audited by the supplier");
                  })
                  .ok());
  EXPECT_EQ(attestations, 1);
}

// Evidence seeded straight into the agent's spool, as an agent of an earlier version or
// with other limits would have left it.
std::vector<v1::Evidence> SeededItems(int count, const std::string& asset, std::size_t detail) {
  std::vector<v1::Evidence> items(count);
  const absl::Time now = absl::Now();
  for (v1::Evidence& item : items) {
    item.set_asset_id(asset);
    item.set_outcome_id("PR_AC_PR_AC_1");
    item.set_level(v1::DLI_100);
    item.set_kind(v1::OBSERVED);
    item.set_check_id("seeded");
    item.set_observed_at_unix_nanos(absl::ToUnixNanos(now));
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(now + absl::Hours(1)));
    item.set_detail(std::string(detail, 'd'));
  }
  return items;
}

// Stored evidence per asset, and per check, read from a stopped collector's store.
struct StoredCounts {
  std::map<std::string, int> per_asset;
  std::map<std::string, int> per_check;
  int not_utf8 = 0;
  collector::AgentProgress progress;
};
StoredCounts CountStored(const CollectorProcess& collector) {
  StoredCounts counts;
  auto store = collector::EvidenceStore::Open({.path = collector.data_dir() + "/store"}).value();
  EXPECT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    ++counts.per_asset[e.evidence().asset_id()];
                    ++counts.per_check[e.evidence().check_id()];
                    if (!IsValidUtf8(e.evidence().detail())) ++counts.not_utf8;
                  })
                  .ok());
  const auto progress = store->LoadProgress().value();
  if (!progress.empty()) counts.progress = progress[0].second;
  return counts;
}

// Issue 24, 1: one Latin-1 byte in a checked file used to stop the agent for good.
TEST_F(AgentDeliveryTest, ADetailThatIsNotUtf8StillArrives) {
  TempDir root;
  root.WriteFile("etc/ssh/sshd_config", "PermitRootLogin no\xE9\n");
  root.WriteFile("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  Register(*collector);
  auto agent = StartAgent(address, POSTURA_SOURCE_DIR "/tests/testdata/agent/packs/fast.yaml",
                          root.path().string());
  EXPECT_TRUE(WaitForStored(address, 2, absl::Seconds(30))) << "no evidence arrived";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
  const StoredCounts counts = CountStored(*collector);
  EXPECT_GT(counts.per_check.at("ssh-no-root-login"), 0);
  EXPECT_EQ(counts.not_utf8, 0);
}

// Issue 24, 2: 12 assets x about 107 items of the built-in pack exceed the collector's
// 1000 items a batch; the agent cuts its batches to the limit the Welcome announces.
TEST_F(AgentDeliveryTest, AnAgentBoundToManyAssetsDeliversForEveryOne) {
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  std::vector<std::string> assets;
  for (int i = 0; i < 12; ++i) assets.push_back("asset-" + std::to_string(i));
  Register(*collector, assets);
  auto agent = StartAgent(address, POSTURA_SOURCE_DIR "/deploy/packs/debian-server.yaml");
  EXPECT_TRUE(WaitForStored(address, 2, absl::Seconds(30))) << "no evidence arrived";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
  const StoredCounts counts = CountStored(*collector);
  ASSERT_EQ(counts.per_asset.size(), assets.size());
  for (const auto& [asset, items] : counts.per_asset) {
    EXPECT_EQ(items, counts.per_asset.begin()->second) << asset;
  }
  EXPECT_GT(counts.per_asset.begin()->second * 12, 1000);
}

// A spool holding a batch larger than the collector takes (left by an agent before it
// knew the limits) is cut anew and delivered whole, each item exactly once.
TEST_F(AgentDeliveryTest, SpooledBatchesBeyondTheCollectorsLimitsAreCutAnew) {
  {
    auto spool = OpenSpool(spool_dir(), {.max_items = 5000});
    ASSERT_EQ(spool->Append(SeededItems(1500, "web", 10)).value(), 1u);
  }
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path(),
                                           "127.0.0.1:0", "limits:\n  max_batch_items: 100\n")
                       .value();
  const std::string address = collector->address();
  Register(*collector);
  auto agent = StartAgent(address);
  // 1500 items in 15 batches of 100 under new numbers, with the checks' batches.
  EXPECT_TRUE(WaitForStored(address, 17, absl::Seconds(30))) << "the backlog did not arrive";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
  EXPECT_EQ(CountStored(*collector).per_check["seeded"], 1500);
}

// An item no batch can carry is set aside (kept on disk, counted as dropped) and what
// follows it still arrives.
TEST_F(AgentDeliveryTest, AnItemLargerThanAnyBatchIsSetAsideAndTheRestArrives) {
  {
    auto spool = OpenSpool(spool_dir(), {.max_detail_bytes = 60000});
    ASSERT_EQ(spool->Append(SeededItems(1, "web", 40000)).value(), 1u);
    ASSERT_EQ(spool->Append(SeededItems(3, "web", 10)).value(), 2u);
  }
  auto collector =
      CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path(), "127.0.0.1:0",
                              "limits:\n  max_message_bytes: 32768\n  max_detail_bytes: 65536\n")
          .value();
  const std::string address = collector->address();
  Register(*collector);
  auto agent = StartAgent(address);
  EXPECT_TRUE(WaitForStored(address, 3, absl::Seconds(30))) << "nothing after it arrived";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
  const StoredCounts counts = CountStored(*collector);
  EXPECT_EQ(counts.per_check.at("seeded"), 3);
  EXPECT_EQ(counts.progress.dropped_items_total, 1u);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "spool/rejected/batch-1.pb"));
}

// Issue 24, 5 and issue 22, 1: the agent saves the key it enrolls with before the
// enrollment token's use is spent, so a key that cannot be saved spends nothing and a
// later try works; it then holds a key and a certificate, and no bearer credential.
TEST_F(AgentDeliveryTest, AnEnrollmentThatCannotSaveItsKeySpendsNoUse) {
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path()).value();
  const std::string address = collector->address();
  Register(*collector);  // A one-use enrollment token.
  std::ofstream(spool_dir()) << "a file where the spool directory should be";
  auto agent = StartAgent(address);
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(StoredSequence(address), 0u);
  std::filesystem::remove(spool_dir());
  EXPECT_TRUE(WaitForStored(address, 1, absl::Seconds(20))) << "the agent never enrolled";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_TRUE(CheckPrivateFile(spool_dir() + "/agent.key").ok());
  EXPECT_TRUE(std::filesystem::exists(spool_dir() + "/agent.crt"));
  EXPECT_FALSE(std::filesystem::exists(spool_dir() + "/credential"));
  EXPECT_EQ(collector->Stop(), 0);
}

// Issue 22, 1 and 7: the agent renews its certificate at two thirds of its lifetime. A
// collector that is down then does not stop it: the agent keeps trying, renews as soon as
// the collector is back, and delivers with the new certificate. A lifetime of 3 minutes
// (the certificate also holds 5 minutes before its issue) puts the renewal 20 s after it.
TEST_F(AgentDeliveryTest, TheAgentRenewsItsCertificateOnceTheCollectorIsBack) {
  const std::string lifetime = "agents:\n  certificate_lifetime: 3m\n";
  auto collector =
      CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path(), "127.0.0.1:0", lifetime)
          .value();
  const std::string address = collector->address();
  Register(*collector);
  auto agent = StartAgent(address);
  ASSERT_TRUE(WaitForStored(address, 1, absl::Seconds(20))) << "the agent never delivered";
  const std::string certificate_file = spool_dir() + "/agent.crt";
  const AgentCertificateFacts first =
      ReadAgentCertificate(ReadCertificateFile(certificate_file).value()).value();
  ASSERT_GT(agent::RenewalDue(first.not_before, first.not_after), absl::Now());
  collector->Kill();
  // The agent tries while the collector is down, and says so.
  const std::string log = (dir_.path() / "agent.log").string();
  ASSERT_TRUE(WaitForLogText(log, "certificate renewal failed", absl::Seconds(60)));
  collector =
      CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path(), address, lifetime)
          .value();
  ASSERT_TRUE(WaitForLogText(log, "certificate renewed", absl::Seconds(60)));
  const AgentCertificateFacts renewed =
      ReadAgentCertificate(ReadCertificateFile(certificate_file).value()).value();
  EXPECT_NE(renewed.serial, first.serial);
  EXPECT_EQ(renewed.key_sha256, first.key_sha256);
  EXPECT_GT(renewed.not_after, first.not_after);
  // The first certificate revoked, delivery goes on: with the renewed one.
  v1::RevokeTokenRequest revoke;
  revoke.set_id(first.serial);
  v1::RevokeTokenResponse revoked;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  ASSERT_TRUE(v1::AccessService::NewStub(test::FreshChannel(address, admin_))
                  ->RevokeToken(&context, revoke, &revoked)
                  .ok());
  const uint64_t before = StoredSequence(address);
  EXPECT_TRUE(WaitForStored(address, before + 2, absl::Seconds(60)))
      << "nothing delivered with the renewed certificate";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
}

}  // namespace
}  // namespace postura
