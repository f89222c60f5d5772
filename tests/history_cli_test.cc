// Score history, past scores and diffs through real processes: a collector, evidence in
// over the ingest protocol, and the `postura` client asking `history`, `score --as-of`
// and `diff`, as a user runs them; the history survives a restart; bad times, durations
// and assets get specific errors.

#include <httplib.h>

#include <string>
#include <vector>

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

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

class HistoryCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    StartCollector();
    Ok({"departments", "put", "sales", "--name", "Sales"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG1", "--department", "sales"});
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(collector_->address(), collector_->admin(), "host-1", {"web"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_ = *agent;
  }

  void StartCollector() {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
  }

  // Sends one report on kOutcome of "web" at `level` and waits until the score shows it.
  void Report(uint64_t sequence, v1::Level level, const std::string& level_json) {
    absl::StatusOr<v1::Ack> ack =
        test::SendBatch(collector_->address(), agent_, "host-1", sequence,
                        {collector::TestEvidence("web", kOutcome, absl::Now(), level)});
    ASSERT_TRUE(ack.ok()) << ack.status();
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      Json score = OkJson({"score", "web", "--outcomes"});
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

  // Waits up to 10 s until the last point of web's history has `value`.
  bool HistoryEndsWith(const Json& value) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      const Json history = OkJson({"history", "web"});
      if (!history["points"].empty() && history["points"].back()["value"] == value) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // GET `path` over HTTPS as the admin: the status and the body parsed as JSON.
  std::pair<int, Json> Get(const std::string& path) {
    auto client = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                    collector_->admin().token);
    httplib::Result result = client->Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return {0, Json()};
    return {result->status, Json::parse(result->body, nullptr, /*allow_exceptions=*/false)};
  }

  CollectorTrust agent_;
};

TEST_F(HistoryCliTest, HistoryAsOfAndDiffTellThePastAndSurviveARestart) {
  Report(1, v1::DLI_100, "DLI_100");
  const Json first = OkJson({"score", "web"});
  // History coalesces a subject's changes within a second: let the first one be written.
  ASSERT_TRUE(HistoryEndsWith(first["summary"]["value"]));
  const absl::Time between = absl::Now();
  absl::SleepFor(absl::Milliseconds(200));
  Report(2, v1::DLI_33, "DLI_33");
  const Json second = OkJson({"score", "web"});
  ASSERT_NE(first["summary"]["value"], second["summary"]["value"]);
  ASSERT_TRUE(HistoryEndsWith(second["summary"]["value"]));

  // History: every change, oldest first, in the JSON shape.
  const Json history = OkJson({"history", "web"});
  ASSERT_GE(history["points"].size(), 2u) << history.dump();
  const Json& last = history["points"].back();
  EXPECT_EQ(last["value"], second["summary"]["value"]);
  EXPECT_EQ(last["adjustedValue"], second["summary"]["adjustedValue"]);
  EXPECT_EQ(last["coverage"], second["summary"]["coverage"]);
  EXPECT_EQ(last["targetsMet"], true);
  EXPECT_THAT(last["time"].get<std::string>(), testing::MatchesRegex("20[0-9-]+T[0-9:.]+Z"));
  bool saw_first = false;
  for (const Json& point : history["points"])
    saw_first |= point["value"] == first["summary"]["value"];
  EXPECT_TRUE(saw_first) << history.dump();
  EXPECT_THAT(Ok({"history", "web"}), HasSubstr("History of asset web:"));
  const Json org = OkJson({"history", "--org", "--since", "1m", "--step", "1s"});
  EXPECT_GE(org["points"].size(), 1u) << org.dump();
  EXPECT_EQ(org["points"].back()["assetCount"], 1);

  // As of a moment between the reports: the first one's score, recomputed.
  const Json past = OkJson({"score", "web", "--as-of", Rfc3339(between), "--outcomes"});
  EXPECT_EQ(past["summary"]["value"], first["summary"]["value"]);
  EXPECT_EQ(past["summary"]["name"], "Web portal");
  EXPECT_THAT(Ok({"score", "web", "--as-of", Rfc3339(between)}), HasSubstr("As of "));
  const Json past_org = OkJson({"score", "--org", "--as-of", Rfc3339(between)});
  EXPECT_EQ(past_org["index"], first["summary"]["value"]);

  // What changed since then: the outcome, before and after, and the report behind it.
  const Json diff = OkJson({"diff", "web", "--from", Rfc3339(between)});
  ASSERT_EQ(diff["changes"].size(), 1u) << diff.dump();
  EXPECT_EQ(diff["changes"][0]["asset"], "web");
  EXPECT_EQ(diff["changes"][0]["outcome"], kOutcome);
  EXPECT_EQ(diff["changes"][0]["before"]["level"], "DLI_100");
  EXPECT_EQ(diff["changes"][0]["before"]["state"], "LIVE");
  EXPECT_EQ(diff["changes"][0]["after"]["level"], "DLI_33");
  EXPECT_EQ(diff["changes"][0]["evidence"]["agentId"], "host-1");
  const Json org_diff = OkJson({"diff", "--org", "--from", Rfc3339(between)});
  ASSERT_EQ(org_diff["changes"].size(), 1u);
  EXPECT_EQ(org_diff["changes"][0]["valueBefore"], first["summary"]["value"]);
  EXPECT_EQ(org_diff["changes"][0]["valueAfter"], second["summary"]["value"]);
  EXPECT_THAT(Ok({"diff", "web", "--from", Rfc3339(between)}), HasSubstr("1 live"));

  // HTTP answers the same.
  const auto [history_status, http_history] = Get("/api/v1/assets/web/history");
  EXPECT_EQ(history_status, 200);
  EXPECT_EQ(http_history["points"], history["points"]);
  const auto [as_of_status, http_past] = Get("/api/v1/assets/web?as_of=" + Rfc3339(between));
  EXPECT_EQ(as_of_status, 200);
  EXPECT_EQ(http_past["summary"]["value"], first["summary"]["value"]);
  const auto [diff_status, http_diff] =
      Get(absl::StrCat("/api/v1/organization/diff?from=", absl::ToUnixNanos(between)));
  EXPECT_EQ(diff_status, 200);
  EXPECT_EQ(http_diff["changes"], org_diff["changes"]);
  const auto [org_status, http_org] =
      Get("/api/v1/organization/history?department=sales&step=1s&since=" + Rfc3339(between));
  EXPECT_EQ(org_status, 200);
  EXPECT_EQ(http_org["points"].back()["value"], second["summary"]["value"]);
  const auto [bad_status, bad] = Get("/api/v1/assets/web?as_of=yesterday");
  EXPECT_EQ(bad_status, 400);
  EXPECT_THAT(bad.dump(), HasSubstr("query parameter as_of must be Unix nanoseconds or an RFC"));
  EXPECT_EQ(Get("/api/v1/assets/web/history?step=soon").first, 400);
  EXPECT_EQ(Get("/api/v1/organization/history?department=nosuch").first, 404);

  // A restart keeps the history and the answers about the past.
  ASSERT_EQ(collector_->Stop(), 0);
  StartCollector();
  const Json after_restart = OkJson({"history", "web"});
  ASSERT_GE(after_restart["points"].size(), history["points"].size());
  EXPECT_EQ(after_restart["points"][0], history["points"][0]);
  EXPECT_EQ(OkJson({"score", "web", "--as-of", Rfc3339(between)})["summary"]["value"],
            first["summary"]["value"]);
}

TEST_F(HistoryCliTest, BadTimesDurationsAndAssetsGetSpecificErrors) {
  EXPECT_THAT(Refused({"score", "web", "--as-of", "2099-01-01T00:00:00Z"}),
              HasSubstr("as_of 2099-01-01T00:00:00Z is in the future"));
  EXPECT_THAT(Refused({"score", "web", "--as-of", "2999-01-01T00:00:00Z"}),
              HasSubstr("is outside the years 1970 to 2262"));
  EXPECT_THAT(Refused({"score", "--org", "--as-of", "2001-01-01T00:00:00Z"}),
              HasSubstr("is before the store began recording"));
  EXPECT_THAT(Refused({"score", "web", "--as-of", "last tuesday"}),
              HasSubstr("--as-of 'last tuesday' is neither an RFC 3339 time nor a duration"));
  EXPECT_THAT(Refused({"score", "nosuch", "--as-of", "1s"}), HasSubstr("no asset 'nosuch'"));
  EXPECT_THAT(Refused({"history", "nosuch"}), HasSubstr("no asset 'nosuch'"));
  EXPECT_THAT(Refused({"history", "web", "--step", "fast"}),
              HasSubstr("--step 'fast' is not a duration"));
  EXPECT_THAT(Refused({"history", "web", "--step", "1ms"}), HasSubstr("step must be at least 1s"));
  EXPECT_THAT(Refused({"history", "--org", "--until", "2099-01-01T00:00:00Z"}),
              HasSubstr("until 2099-01-01T00:00:00Z is in the future"));
  EXPECT_THAT(Refused({"history", "--org", "--until", "2001-01-01T00:00:00Z"}),
              HasSubstr("until 2001-01-01T00:00:00Z is before the store began recording"));
  absl::SleepFor(absl::Seconds(2));  // So that both instants below are after the start.
  EXPECT_THAT(Refused({"history", "web", "--since", "100ms", "--until", "1s"}),
              HasSubstr("is after until"));
  EXPECT_THAT(Refused({"diff", "web", "--from", "2001-01-01T00:00:00Z"}),
              HasSubstr("from 2001-01-01T00:00:00Z is before the store began recording"));
  EXPECT_THAT(Refused({"diff", "nosuch", "--from", "1s"}), HasSubstr("no asset 'nosuch'"));
  // A window reaching back before the store began starts when it did; but too many
  // points for one answer are refused.
  EXPECT_EQ(Postura({"history", "--org", "--since", "30d", "--step", "1h"}).exit_code, 0);
  EXPECT_THAT(Refused({"history", "--org", "--step", "1s", "--until", "2099-01-01T00:00:00Z"}),
              HasSubstr("is in the future"));
}

}  // namespace
}  // namespace postura
