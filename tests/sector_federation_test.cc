// Sector federation with real processes on loopback: a nats-server, an organisation's
// collector with a sector_publish section and load-generator agents, sector collectors.
// What the sector reads from the stream, opened with the organisation's public key only,
// gives the figures the collector itself answers; a key file others can read stops the
// collector at start-up, naming the key; a sector collector killed with SIGKILL while the
// organisation publishes ends, once restarted, with the view of one never killed; an
// outcome that falls at an organisation raises the sector's sector_outcome_degraded alert.

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/load_generator.h"
#include "collector/replication/jetstream_log.h"
#include "collector/sector/sector_view.h"
#include "collector/sector/signed_summary.h"
#include "collector/testing/test_evidence.h"
#include "common/model/catalog.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/private_file.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/query.grpc.pb.h"
#include "tests/exactly_once.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using collector::JetStreamLog;
using collector::LogConsumer;
using collector::LogMessage;
using collector::SectorView;
using ::testing::DoubleNear;
using ::testing::HasSubstr;

class SectorFederationTest : public testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "nats");
    absl::StatusOr<std::unique_ptr<test::NatsServer>> nats =
        test::NatsServer::Start((dir_.path() / "nats").string());
    if (absl::IsNotFound(nats.status())) GTEST_SKIP() << nats.status();
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = *std::move(nats);
    const P256Signer key = P256Signer::FromKeyPem(key_pem_, "health's key").value();
    members_.emplace("health",
                     P256Verifier::FromPublicKeyPem(key.PublicKeyPem().value(), "health").value());
    ASSERT_TRUE(WritePrivateFile(key_file_, key_pem_).ok());
    public_key_file_ = dir_.WriteFile("health.pub", key.PublicKeyPem().value());
  }

  // A sector collector reading the stream as `consumer` (each its own).
  std::string SectorYaml(const std::string& consumer = "postura-sector") const {
    return absl::StrCat(
        "sector:\n  nats_servers: [", nats_->url(), "]\n  consumer: ", consumer,
        "\n  members:\n    - {organisation_id: health, public_key_file: ", public_key_file_, "}\n");
  }

  std::unique_ptr<test::CollectorProcess> StartCollector(const std::string& name,
                                                         const std::string& yaml) {
    const std::filesystem::path data = dir_.path() / name;
    std::filesystem::create_directories(data);
    return test::CollectorProcess::Start(POSTURA_COLLECTOR_BIN, data.string(), "127.0.0.1:0", yaml)
        .value();
  }

  // The organisations of a sector collector's overview (null if it cannot be read).
  static nlohmann::json SectorOrganisations(const test::CollectorProcess& sector) {
    auto client = test::HttpsClient(sector.http_address(), sector.ca_file(), sector.admin().token);
    httplib::Result result = client->Get("/api/v1/sector");
    if (!result || result->status != 200) return nullptr;
    return nlohmann::json::parse(result->body)["organisations"];
  }

  std::string Yaml() const {
    return absl::StrCat("sector_publish:\n  nats_servers: [", nats_->url(),
                        "]\n  organisation_id: health\n  key_file: ", key_file_.string(),
                        "\n  interval: 1s\n");
  }

  // The sector's view of the stream as it is now.
  SectorView ReadSector() {
    const size_t outcomes = Catalog::Builtin().outcomes().size();
    SectorView view(outcomes, {});
    auto log = JetStreamLog::Open({.servers = {nats_->url()},
                                   .stream = "postura-sector",
                                   .subject = "postura.sector.>",
                                   .max_messages_per_subject = 1});
    if (!log.ok()) return view;  // The collector has not made the stream yet.
    std::unique_ptr<LogConsumer> consumer = (*log)->Consumer("test-sector", 1).value();
    for (;;) {
      absl::StatusOr<int> read =
          consumer->Next(100, absl::Milliseconds(200), [&](std::vector<LogMessage>& messages) {
            for (const LogMessage& message : messages) {
              auto summary = collector::OpenSummary(message.data, "health", members_, outcomes);
              EXPECT_TRUE(summary.ok()) << summary.status();
              if (summary.ok()) view.Apply(*summary);
            }
            return absl::OkStatus();
          });
      if (!read.ok() || *read == 0) return view;
    }
  }

  test::TempDir dir_;
  std::unique_ptr<test::NatsServer> nats_;
  std::string key_pem_ = NewAgentKeyPem().value();
  std::filesystem::path key_file_ = dir_.path() / "sector.key";
  std::string public_key_file_;
  collector::SectorMembers members_;
};

TEST_F(SectorFederationTest, TheSectorReadsTheFiguresTheCollectorAnswers) {
  const std::filesystem::path data = dir_.path() / "collector";
  std::filesystem::create_directories(data);
  auto collector =
      test::CollectorProcess::Start(POSTURA_COLLECTOR_BIN, data.string(), "127.0.0.1:0", Yaml())
          .value();
  bench::LoadOptions load;
  load.target = collector->address();
  load.admin = collector->admin();
  load.agents = 4;
  load.batches_per_agent = 5;
  load.items_per_batch = 20;
  ASSERT_TRUE(bench::RegisterLoadAgents(load).ok());
  bench::RunLoad(load);

  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector->address(), collector->admin()));
  grpc::ClientContext context;
  v1::OrganizationScore own;
  ASSERT_TRUE(query->GetOrganizationScore(&context, {}, &own).ok());
  ASSERT_GT(own.index(), 0);

  // Within a few publishing rounds the sector sees every asset at the collector's figures.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::optional<collector::OrganisationStanding> health;
  while (absl::Now() < give_up) {
    health = ReadSector().Organisation("health");
    if (health && health->asset_count == own.asset_count() &&
        std::abs(health->index - own.index()) < 1e-9) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->asset_count, own.asset_count());
  EXPECT_THAT(health->index, DoubleNear(own.index(), 1e-9));
  EXPECT_THAT(health->adjusted_index, DoubleNear(own.adjusted_index(), 1e-9));
}

TEST_F(SectorFederationTest, ASectorCollectorKilledMidStreamEndsWithTheViewOfOneNeverKilled) {
  auto organisation = StartCollector("health", Yaml());
  bench::LoadOptions load;
  load.target = organisation->address();
  load.admin = organisation->admin();
  load.agents = 6;
  load.items_per_batch = 10;
  load.random_items = true;  // Every item changes a score, so summaries keep changing.
  load.records_per_second = 600;
  load.duration = absl::Seconds(8);
  ASSERT_TRUE(bench::RegisterLoadAgents(load).ok());
  std::thread agents([&load] { bench::RunLoad(load); });
  auto killed = StartCollector("sector-killed", SectorYaml());
  absl::SleepFor(absl::Seconds(3));
  killed->Kill();
  absl::SleepFor(absl::Seconds(1));
  killed = StartCollector("sector-killed", SectorYaml());
  agents.join();

  auto query =
      v1::QueryService::NewStub(test::FreshChannel(organisation->address(), organisation->admin()));
  // Once the organisation's last round is published (interval 1s), both sectors agree
  // with it and with each other.
  auto never_killed = StartCollector("sector-fresh", SectorYaml("sector-fresh"));
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  nlohmann::json restarted, fresh;
  v1::OrganizationScore own;
  for (bool agreed = false; !agreed && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(500));
    grpc::ClientContext context;
    ASSERT_TRUE(query->GetOrganizationScore(&context, {}, &own).ok());
    restarted = SectorOrganisations(*killed);
    fresh = SectorOrganisations(*never_killed);
    agreed = restarted.is_array() && restarted.size() == 1 && restarted == fresh &&
             restarted[0]["assetCount"] == own.asset_count() &&
             std::abs(restarted[0]["index"].get<double>() - own.index()) < 1e-9;
  }
  ASSERT_TRUE(restarted.is_array() && restarted.size() == 1) << restarted.dump();
  EXPECT_EQ(restarted, fresh);
  EXPECT_EQ(restarted[0]["assetCount"], own.asset_count());
  EXPECT_THAT(restarted[0]["index"].get<double>(), DoubleNear(own.index(), 1e-9));
}

TEST_F(SectorFederationTest, AnOutcomeThatFallsRaisesTheSectorsAlert) {
  constexpr char kOutcome[] = "ID_AM_CSC_1_1";
  auto organisation = StartCollector("health", Yaml());
  const CollectorTrust agent =
      test::RegisterAgentForAsset(organisation->address(), organisation->admin(), "host-1",
                                  "portal", v1::IG1)
          .value();
  auto report = [&](uint64_t sequence, v1::Level level) {
    absl::StatusOr<v1::Ack> ack =
        test::SendBatch(organisation->address(), agent, "host-1", sequence,
                        {collector::TestEvidence("portal", kOutcome, absl::Now(), level)});
    ASSERT_TRUE(ack.ok()) << ack.status();
  };
  report(1, v1::DLI_100);
  // One organisation is enough here; the alert goes to the log (and a syslog port no one
  // reads).
  auto sector = StartCollector(
      "sector", absl::StrCat(SectorYaml(), "  degraded_min_organisations: 1\nalerting:\n",
                             "  syslog: [{address: '127.0.0.1:", test::FreeLoopbackPort(), "'}]\n",
                             "  evaluate_every: 100ms\n",
                             "  rules: [{kind: sector_outcome_degraded, hold_down: 0s}]\n"));
  const std::string sector_log = (dir_.path() / "sector" / "collector.log").string();
  for (const absl::Time give_up = absl::Now() + absl::Seconds(30);
       SectorOrganisations(*sector).size() != 1 && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(SectorOrganisations(*sector).size(), 1u);  // Health's first summary is in.
  EXPECT_EQ(test::CountLinesContaining(sector_log, "Alert FIRING"), 0);

  report(2, v1::DLI_33);  // Published within the interval (1s): a fall at health.
  const std::string line = absl::StrCat("outcome ", kOutcome, " fell in 1 organisation (health)");
  for (const absl::Time give_up = absl::Now() + absl::Seconds(30);
       test::CountLinesContaining(sector_log, line) == 0 && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(test::CountLinesContaining(sector_log, line), 1) << test::LogTail(sector_log);
  EXPECT_EQ(test::CountLinesContaining(sector_log, "Alert FIRING"), 1);
}

TEST_F(SectorFederationTest, AKeyFileOthersCanReadStopsStartUpNamingIt) {
  ASSERT_EQ(chmod(key_file_.c_str(), 0644), 0);
  const std::string config = dir_.WriteFile(
      "collector.yaml", absl::StrCat("data_dir: ", (dir_.path() / "c").string(), "\n", Yaml()));
  auto run = test::RunProcess({POSTURA_COLLECTOR_BIN, "--config", config}).value();
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("sector_publish.key_file"));
}

}  // namespace
}  // namespace postura
