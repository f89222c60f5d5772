// The operator's commands against real processes: `--check-config` of both daemons, and
// `postura-collector backup` while an agent's batches keep arriving, then `restore` into
// a fresh data directory and a collector started on it.

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::RunProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

TEST(CheckConfigProcessTest, BothDaemonsNameEachBadKeyWithItsLineAndExitOne) {
  TempDir dir;
  const std::string bad =
      dir.WriteFile("collector.yaml",
                    "data_dir: /d\nlimits:\n  max_batch_items: 0\n  max_detail_bytes: 3\n"
                    "listen_adress: x:1\n");
  auto run = RunProcess({POSTURA_COLLECTOR_BIN, "--check-config", bad}).value();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(bad + ":5: listen_adress: unknown key"));
  const std::string rules = dir.WriteFile(
      "rules.yaml", "data_dir: /d\nlimits:\n  max_detail_bytes: 3\nevidence_retention: 5m\n");
  run = RunProcess({POSTURA_COLLECTOR_BIN, "--check-config", rules}).value();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(rules + ":4: evidence_retention: must be at least 1h"));
  EXPECT_THAT(run.err, HasSubstr(rules + ":3: limits.max_detail_bytes: 3 is outside"));
  const std::string good = dir.WriteFile("good.yaml", "data_dir: /d\n");
  run = RunProcess({POSTURA_COLLECTOR_BIN, "--check-config", good}).value();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(std::filesystem::exists("/d"));  // Checked, not started.

  const std::string agent = dir.WriteFile("agent.yaml",
                                          "agent_id: a\ncollector_address: nowhere\nassets: [web]\n"
                                          "packs: [/no/such/pack.yaml]\nspool: {directory: /s}\n");
  run = RunProcess({POSTURA_AGENT_BIN, "--check-config", agent}).value();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(agent + ":2: collector_address: 'nowhere' is not host:port"));
  const std::string agent_good = dir.WriteFile(
      "agent-good.yaml",
      "agent_id: a\ncollector_address: h:1\nassets: [web]\npacks: [" POSTURA_SOURCE_DIR
      "/deploy/packs/example.yaml]\nspool: {directory: /s}\n");
  run = RunProcess({POSTURA_AGENT_BIN, "--check-config", agent_good}).value();
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

// The outcomes the agent reports, each always at the same level and observed time: once
// each has been reported, more batches change no score, so the score at the snapshot is
// the final one.
const std::vector<std::pair<std::string, v1::Level>> kReports = {
    {"PR_AC_CSC_5_2", v1::DLI_67}, {"ID_AM_CSC_1_1", v1::DLI_100}, {"PR_AC_PR_AC_1", v1::DLI_33}};

v1::AssetScore ScoreOf(const CollectorProcess& collector) {
  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  v1::GetAssetScoreRequest request;
  request.set_asset_id("web");
  v1::AssetScore score;
  grpc::Status s = query->GetAssetScore(&context, request, &score);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return score;
}

TEST(BackupProcessTest, ABackupWhileIngestRunsRestoresTheScoresAndEveryAcknowledgedBatch) {
  TempDir dir;
  const std::string original_dir = dir.path() / "original";
  const std::string restored_dir = dir.path() / "restored";
  const std::string backup_dir = dir.path() / "backup";
  std::filesystem::create_directories(original_dir);
  std::filesystem::create_directories(restored_dir);
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, original_dir).value();
  const CollectorTrust agent = test::RegisterAgentForAsset(collector->address(), collector->admin(),
                                                           "host-1", "web", v1::IG2)
                                   .value();
  std::atomic<uint64_t> acknowledged{0};
  std::atomic<bool> stop{false};
  const absl::Time observed = absl::Now();
  std::thread ingest([&] {
    for (uint64_t sequence = 1; !stop; ++sequence) {
      const auto& [outcome, level] = kReports[sequence % kReports.size()];
      absl::StatusOr<v1::Ack> ack =
          test::SendBatch(collector->address(), agent, "host-1", sequence,
                          {collector::TestEvidence("web", outcome, observed, level)});
      if (!ack.ok()) return;
      acknowledged = sequence;
    }
  });
  while (acknowledged < 20) absl::SleepFor(absl::Milliseconds(5));

  const uint64_t acknowledged_before = acknowledged;
  auto backup =
      RunProcess({POSTURA_COLLECTOR_BIN, "backup", "--config", original_dir + "/collector.yaml",
                  "--address", collector->address(), "--to", backup_dir})
          .value();
  const uint64_t acknowledged_after = acknowledged;
  while (acknowledged < acknowledged_after + 5) absl::SleepFor(absl::Milliseconds(5));
  stop = true;
  ingest.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("format version 3"));
  // Refused: a directory that is not empty, and an operator (only an admin may back up).
  auto again =
      RunProcess({POSTURA_COLLECTOR_BIN, "backup", "--config", original_dir + "/collector.yaml",
                  "--address", collector->address(), "--to", backup_dir})
          .value();
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("exists and is not an empty directory"));
  const std::string operator_token =
      test::CreateApiToken(collector->address(), collector->admin(), v1::ROLE_OPERATOR).value();
  TempDir tokens;
  const std::string operator_file = tokens.WriteFile("operator.token", operator_token);
  std::filesystem::permissions(operator_file, std::filesystem::perms::owner_read);
  auto denied = RunProcess({POSTURA_COLLECTOR_BIN, "backup", "--config",
                            original_dir + "/collector.yaml", "--address", collector->address(),
                            "--token-file", operator_file, "--to", dir.path() / "denied"})
                    .value();
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "denied"));
  const v1::AssetScore original_score = ScoreOf(*collector);
  // Not even --force replaces the store of a running collector.
  auto in_use = RunProcess({POSTURA_COLLECTOR_BIN, "restore", "--force", "--from", backup_dir,
                            "--data-dir", original_dir + "/data"})
                    .value();
  EXPECT_EQ(in_use.exit_code, 1);
  EXPECT_THAT(in_use.err, HasSubstr(absl::StrCat("is in use by process ", collector->pid())));
  EXPECT_EQ(collector->Stop(), 0);

  // Restoring over a store that is there needs --force.
  auto occupied = RunProcess({POSTURA_COLLECTOR_BIN, "restore", "--from", backup_dir, "--data-dir",
                              original_dir + "/data"})
                      .value();
  EXPECT_EQ(occupied.exit_code, 1);
  EXPECT_THAT(occupied.err, HasSubstr("pass --force"));
  auto restore = RunProcess({POSTURA_COLLECTOR_BIN, "restore", "--from", backup_dir, "--data-dir",
                             restored_dir + "/data"})
                     .value();
  ASSERT_EQ(restore.exit_code, 0) << restore.err;

  {  // Every batch acknowledged before the backup began is in the restored store.
    auto store = collector::EvidenceStore::Open({.path = restored_dir + "/data/store"}).value();
    std::set<uint64_t> sequences;
    ASSERT_TRUE(
        store->ForEachEvidence([&](const v1::StoredEvidence& e) { sequences.insert(e.sequence()); })
            .ok());
    for (uint64_t s = 1; s <= acknowledged_before; ++s) EXPECT_TRUE(sequences.contains(s)) << s;
    EXPECT_LE(*sequences.rbegin(), acknowledged_after + 1);
  }
  auto restored = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, restored_dir).value();
  const v1::AssetScore restored_score = ScoreOf(*restored);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(original_score, restored_score))
      << original_score.ShortDebugString() << "\n"
      << restored_score.ShortDebugString();
  EXPECT_GT(restored_score.summary().outcomes_live(), 0u);
  EXPECT_GE(
      test::FindAgent(restored->address(), restored->admin(), "host-1")->last_stored_sequence(),
      acknowledged_before);
  EXPECT_EQ(restored->Stop(), 0);
}

}  // namespace
}  // namespace postura
