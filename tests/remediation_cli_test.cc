// Remediation time through real processes: a collector, evidence in over the ingest
// protocol, and `postura remediation`, `postura report` and GET /api/v1/remediation as a
// user runs them; a supplier's token sees only its own assets; an open gap keeps its open
// time across a restart; bad input gets specific errors.

#include <httplib.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/cli_process_test.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kOutcome[] = "ID_AM_CSC_1_1";

class RemediationCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    StartCollector();
    Ok({"tenants", "put", "acme", "--name", "ACME Hosting", "--kind", "supplier"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG1", "--supplier", "acme"});
    Ok({"assets", "put", "db", "--name", "Database", "--ig", "IG1"});
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(collector_->address(), collector_->admin(), "host-1", {"web", "db"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_ = *agent;
  }

  void StartCollector() {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
  }

  // Sends one report on kOutcome of `asset` at `level` and waits until the score shows it.
  void Report(uint64_t sequence, const std::string& asset, v1::Level level,
              const std::string& level_json) {
    absl::StatusOr<v1::Ack> ack =
        test::SendBatch(collector_->address(), agent_, "host-1", sequence,
                        {collector::TestEvidence(asset, kOutcome, absl::Now(), level)});
    ASSERT_TRUE(ack.ok()) << ack.status();
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      Json score = OkJson({"score", asset, "--outcomes"});
      for (const Json& function : score["functions"]) {
        for (const Json& category : function["categories"]) {
          for (const Json& outcome : category["outcomes"]) {
            if (outcome["id"] == kOutcome && outcome["level"] == level_json) return;
          }
        }
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "the score never showed " << level_json;
  }

  // The group `key` of `remediation --by by --format json`, waiting up to 10 s (the
  // history recorder writes every second) until `ready` holds for it.
  Json GroupWhen(const std::string& by, const std::string& key,
                 const std::function<bool(const Json&)>& ready) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    Json found;
    while (absl::Now() < deadline) {
      const Json answer = OkJson({"remediation", "--by", by});
      for (const Json& group : answer["groups"]) {
        if (group["key"] == key) found = group;
      }
      if (!found.is_null() && ready(found)) return found;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "remediation by " << by << " never showed " << key
                  << " ready: " << found.dump();
    return found;
  }

  // GET `path` over HTTPS with `token`: the status and the body parsed as JSON.
  std::pair<int, Json> Get(const std::string& path, const std::string& token) {
    auto client = test::HttpsClient(collector_->http_address(), collector_->ca_file(), token);
    httplib::Result result = client->Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return {0, Json()};
    return {result->status, Json::parse(result->body, nullptr, /*allow_exceptions=*/false)};
  }

  CollectorTrust agent_;
};

TEST_F(RemediationCliTest, GapsThatCloseAreTimedOverCliHttpAndReportAndOpenOnesSurviveARestart) {
  // Registration opens no gap (no evidence yet). db's kOutcome is reported below level 1
  // and stays open; web's is reported at 33 (a gap opens), then at 100 (it closes).
  const absl::Time before_db = absl::Now();
  Report(1, "db", v1::DLI_33, "DLI_33");
  const absl::Time before_web = absl::Now();
  Report(2, "web", v1::DLI_33, "DLI_33");
  const absl::Time web_opened = absl::Now();
  absl::SleepFor(absl::Milliseconds(300));  // So the episode is measurably long.
  const absl::Duration at_least = absl::Now() - web_opened;
  Report(3, "web", v1::DLI_100, "DLI_100");
  const absl::Duration web_gap = absl::Now() - before_web;
  const Json outcome = GroupWhen("outcome", kOutcome, [](const Json& g) {
    return g["closed"] == 1;  // db's kOutcome is still open.
  });
  EXPECT_GE(outcome["medianSeconds"].get<double>(), absl::ToDoubleSeconds(at_least));
  EXPECT_LE(outcome["medianSeconds"].get<double>(), absl::ToDoubleSeconds(web_gap));
  EXPECT_EQ(outcome["medianSeconds"], outcome["p90Seconds"]);  // One episode.
  EXPECT_EQ(outcome["open"], 1);

  const Json by_asset = OkJson({"remediation", "--by", "asset"});
  EXPECT_EQ(by_asset["by"], "asset");
  EXPECT_EQ(by_asset["total"]["closed"], 1);
  EXPECT_EQ(by_asset["total"]["open"], 1);  // db's: outcomes without evidence are no gaps.
  EXPECT_THAT(Ok({"remediation", "--by", "asset"}),
              AllOf(HasSubstr("Remediation time by asset"), HasSubstr("Web portal"),
                    HasSubstr("Database")));

  // HTTP answers the same; a supplier sees only its own asset.
  const auto [status, http] = Get("/api/v1/remediation?by=supplier", collector_->admin().token);
  EXPECT_EQ(status, 200);
  ASSERT_EQ(http["groups"].size(), 2u) << http.dump();
  for (const Json& group : http["groups"]) {
    EXPECT_EQ(group["closed"], group["key"] == "acme" ? 1 : 0) << group.dump();
    if (group["key"] == "acme") {
      EXPECT_EQ(group["name"], "ACME Hosting");
    }
  }
  const std::string supplier_file = (dir_.path() / "supplier.token").string();
  Ok({"tokens", "create", "api", "--role", "supplier", "--tenant", "acme", "-o", supplier_file});
  std::ifstream file(supplier_file);
  std::string supplier_token((std::istreambuf_iterator<char>(file)), {});
  absl::StripAsciiWhitespace(&supplier_token);
  const auto [supplier_status, own] = Get("/api/v1/remediation?by=asset", supplier_token);
  EXPECT_EQ(supplier_status, 200);
  ASSERT_EQ(own["groups"].size(), 1u) << own.dump();
  EXPECT_EQ(own["groups"][0]["key"], "web");
  ProcessResult supplier_cli = Postura({"remediation", "--by", "asset"}, supplier_file);
  EXPECT_EQ(supplier_cli.exit_code, 0) << supplier_cli.err;
  EXPECT_THAT(supplier_cli.out, testing::Not(HasSubstr("Database")));

  // The report's section and key.
  EXPECT_THAT(Ok({"report"}), HasSubstr("## Remediation time"));
  const Json report = OkJson({"report"});
  EXPECT_EQ(report["remediation"]["by"], "function");
  EXPECT_EQ(report["remediation"]["total"]["closed"], 1);

  // Bad input.
  EXPECT_EQ(Get("/api/v1/remediation?by=team", collector_->admin().token).first, 400);
  EXPECT_EQ(Get("/api/v1/remediation?until=2099-01-01T00:00:00Z", collector_->admin().token).first,
            400);
  EXPECT_EQ(Get("/api/v1/remediation?since=yesterday", collector_->admin().token).first, 400);
  ProcessResult bad_since = Postura({"remediation", "--since", "yesterday"});
  EXPECT_NE(bad_since.exit_code, 0);
  EXPECT_THAT(bad_since.err, HasSubstr("--since"));
  EXPECT_EQ(Postura({"remediation", "--by", "team"}).exit_code, 2);  // Usage.

  // db's kOutcome has been open since its report; after a restart it still is, from then.
  const absl::Time stopped = absl::Now();
  ASSERT_EQ(collector_->Stop(), 0);
  StartCollector();
  const Json db = GroupWhen("asset", "db", [](const Json& g) { return g["open"].get<int>() > 0; });
  const double age = db["oldestOpenSeconds"].get<double>();
  EXPECT_GT(age, absl::ToDoubleSeconds(absl::Now() - stopped)) << "reopened at the restart";
  EXPECT_LE(age, absl::ToDoubleSeconds(absl::Now() - before_db));
  EXPECT_EQ(OkJson({"remediation"})["total"]["closed"], 1);  // The closed one is kept.
}

}  // namespace
}  // namespace postura
