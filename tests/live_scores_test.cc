// Live scores through a real collector process: evidence in over the ingest protocol,
// scores out over gRPC, HTTP/JSON, the watch stream, Server-Sent Events and /metrics,
// and the same scores after a restart.

#include <httplib.h>

#include <thread>

#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

constexpr char kOutcome[] = "ID_AM_CSC_1_1";

// Registers a small organisation: "portal" (IG2, finance) depends on "platform" (IG1, run
// by the supplier "hoster"); agent "host-1" reports for both; portal has a target.
// Returns the agent's trust.
CollectorTrust RegisterOrganisation(const test::CollectorProcess& collector) {
  auto admin =
      v1::AdminService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  auto call = [&](auto method, const auto& request, auto* response) {
    grpc::ClientContext context;
    grpc::Status status = ((*admin).*method)(&context, request, response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  };
  v1::PutTenantRequest tenant;
  tenant.mutable_tenant()->set_id("hoster");
  tenant.mutable_tenant()->set_name("Hosting Ltd");
  tenant.mutable_tenant()->set_kind(v1::SUPPLIER);
  v1::PutTenantResponse tenant_response;
  call(&v1::AdminService::Stub::PutTenant, tenant, &tenant_response);
  v1::PutDepartmentRequest department;
  department.mutable_department()->set_id("finance");
  department.mutable_department()->set_name("Finance");
  v1::PutDepartmentResponse department_response;
  call(&v1::AdminService::Stub::PutDepartment, department, &department_response);
  v1::PutAssetRequest platform;
  *platform.mutable_asset() = collector::TestAsset("platform", v1::IG1);
  platform.mutable_asset()->set_supplier_id("hoster");
  v1::PutAssetResponse asset_response;
  call(&v1::AdminService::Stub::PutAsset, platform, &asset_response);
  v1::PutAssetRequest portal;
  *portal.mutable_asset() = collector::TestAsset("portal", v1::IG2);
  portal.mutable_asset()->set_department_id("finance");
  portal.mutable_asset()->add_dependency_ids("platform");
  call(&v1::AdminService::Stub::PutAsset, portal, &asset_response);
  v1::PutTargetsRequest targets;
  targets.set_asset_id("portal");
  v1::Target& target = *targets.add_targets();
  target.set_scope(v1::SCOPE_OUTCOME);
  target.set_scope_id(kOutcome);
  target.set_operator_(v1::GREATER_OR_EQUAL);
  target.set_value(0.67);
  v1::PutTargetsResponse targets_response;
  call(&v1::AdminService::Stub::PutTargets, targets, &targets_response);
  absl::StatusOr<CollectorTrust> agent =
      test::EnrollAgent(collector.address(), collector.admin(), "host-1", {"platform", "portal"});
  EXPECT_TRUE(agent.ok()) << agent.status();
  return agent.value_or(CollectorTrust());
}

// Sends one batch of `items` as agent host-1 and waits for its acknowledgement.
void Send(const std::string& address, const CollectorTrust& agent, uint64_t sequence,
          std::vector<v1::Evidence> items) {
  absl::StatusOr<v1::Ack> ack =
      test::SendBatch(address, agent, "host-1", sequence, std::move(items));
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->rejected_size(), 0);
}

v1::AssetScore GetScore(const test::CollectorProcess& collector, const std::string& asset) {
  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  v1::GetAssetScoreRequest request;
  request.set_asset_id(asset);
  v1::AssetScore score;
  grpc::Status status = query->GetAssetScore(&context, request, &score);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return score;
}

nlohmann::json GetJson(const test::CollectorProcess& collector, const std::string& path,
                       int expected_status = 200) {
  auto client =
      test::HttpsClient(collector.http_address(), collector.ca_file(), collector.admin().token);
  httplib::Result result = client->Get(path);
  EXPECT_TRUE(result) << path;
  if (!result) return {};
  EXPECT_EQ(result->status, expected_status) << path << ": " << result->body;
  return nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
}

// Waits until `predicate` holds, for at most 10 s.
template <typename Predicate>
bool Eventually(Predicate predicate) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!predicate()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

class LiveScoresTest : public testing::Test {
 protected:
  void SetUp() override {
    collector_ = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path()).value();
    agent_ = RegisterOrganisation(*collector_);
  }

  TempDir dir_;
  std::unique_ptr<CollectorProcess> collector_;
  CollectorTrust agent_;
};

TEST_F(LiveScoresTest, EvidenceBecomesScoresOverGrpcAndHttp) {
  const std::string& address = collector_->address();
  v1::AssetScore before = GetScore(*collector_, "portal");
  EXPECT_EQ(before.summary().value(), 0);
  EXPECT_EQ(before.summary().outcomes_no_evidence(), 107u);
  EXPECT_FALSE(before.summary().targets_met());
  // Only the portal has targets: the platform, without any, is not counted as meeting them.
  nlohmann::json organization = GetJson(*collector_, "/api/v1/organization");
  EXPECT_EQ(organization["assetsWithTargets"], 1);
  EXPECT_EQ(organization["assetsMeetingTargets"], 0);
  EXPECT_EQ(organization["shareMeetingTargets"], 0.0);

  Send(address, agent_, 1,
       {collector::TestEvidence("portal", kOutcome, absl::Now(), v1::DLI_100),
        collector::TestEvidence("portal", "PR_AC_CSC_5_2", absl::Now(), v1::DLI_67)});
  v1::AssetScore after;
  ASSERT_TRUE(Eventually([&] {
    after = GetScore(*collector_, "portal");
    return after.summary().outcomes_live() == 2;
  }));
  EXPECT_GT(after.summary().value(), 0);
  EXPECT_TRUE(after.summary().targets_met());
  EXPECT_DOUBLE_EQ(after.summary().coverage(), 2.0 / 107);
  // The platform has no evidence: it limits the portal.
  EXPECT_EQ(after.summary().adjusted_value(), 0);
  EXPECT_EQ(after.summary().limiting_asset_id(), "platform");
  EXPECT_EQ(after.summary().name(), "Asset portal");

  // The breakdown names the deciding evidence.
  bool found = false;
  for (const v1::FunctionScore& function : after.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        if (outcome.id() != kOutcome) continue;
        found = true;
        EXPECT_EQ(outcome.state(), v1::LIVE);
        EXPECT_EQ(outcome.level(), v1::DLI_100);
        EXPECT_EQ(outcome.deciding().agent_id(), "host-1");
        EXPECT_EQ(outcome.deciding().check_id(), "test.check");
      }
    }
  }
  EXPECT_TRUE(found);

  // HTTP answers the same numbers.
  nlohmann::json asset = GetJson(*collector_, "/api/v1/assets/portal");
  EXPECT_DOUBLE_EQ(asset["summary"]["value"].get<double>(), after.summary().value());
  nlohmann::json list = GetJson(*collector_, "/api/v1/assets?department=finance");
  ASSERT_EQ(list["assets"].size(), 1u);
  EXPECT_EQ(list["assets"][0]["assetId"], "portal");
  organization = GetJson(*collector_, "/api/v1/organization");
  EXPECT_EQ(organization["assetCount"], 2);
  EXPECT_EQ(organization["assetsWithTargets"], 1);
  EXPECT_EQ(organization["assetsMeetingTargets"], 1);
  EXPECT_EQ(organization["shareMeetingTargets"], 1.0);
  EXPECT_DOUBLE_EQ(organization["index"].get<double>(),
                   2 * after.summary().value() / 3);  // Weights IG2 = 2, IG1 = 1 (at 0).
  nlohmann::json gaps = GetJson(*collector_, "/api/v1/assets/portal/gaps");
  EXPECT_FALSE(gaps["areas"].empty());
  nlohmann::json history =
      GetJson(*collector_, std::string("/api/v1/assets/portal/outcomes/") + kOutcome + "/evidence");
  ASSERT_EQ(history["records"].size(), 1u);
  EXPECT_EQ(history["records"][0]["agentId"], "host-1");

  // Errors are specific.
  nlohmann::json missing = GetJson(*collector_, "/api/v1/assets/nope", 404);
  EXPECT_EQ(missing["error"]["code"], "NOT_FOUND");
  GetJson(*collector_, "/api/v1/assets/portal/outcomes/NOT_AN_OUTCOME/evidence", 400);
  GetJson(*collector_,
          std::string("/api/v1/assets/portal/outcomes/") + kOutcome + "/evidence?from=x", 400);

  auto client = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                  collector_->admin().token);
  httplib::Result metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("postura_asset_value{asset=\"portal\",ig=\"IG2\","
                                       "department=\"finance\",supplier=\"\"}"));
  EXPECT_THAT(metrics->body, HasSubstr("postura_ingest_items_stored_total 2"));
  EXPECT_THAT(metrics->body, HasSubstr("\npostura_assets_with_targets 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("\npostura_assets_meeting_targets 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("postura_scoring_delay_seconds_bucket"));
  // Where the memory goes: the process, and the store within its budgets.
  EXPECT_THAT(metrics->body, HasSubstr("\nprocess_resident_memory_bytes "));
  EXPECT_THAT(metrics->body, HasSubstr("postura_store_memory_bytes{part=\"memtables\"} "));
  EXPECT_THAT(metrics->body, HasSubstr("postura_store_memory_bytes{part=\"block_cache\"} "));
  // The local CA's server certificate, made at first start, runs for two years.
  const std::string expiry = "\npostura_tls_certificate_expiry_timestamp_seconds ";
  const size_t at = metrics->body.find(expiry);
  ASSERT_NE(at, std::string::npos);
  const double expires = std::stod(metrics->body.substr(at + expiry.size()));
  EXPECT_NEAR(expires, absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 730)), 3 * 3600);
  httplib::Result health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(LiveScoresTest, WatchAndEventStreamDeliverChanges) {
  const std::string& address = collector_->address();
  auto query = v1::QueryService::NewStub(test::FreshChannel(address, collector_->admin()));
  grpc::ClientContext watch_context;
  v1::WatchRequest request;
  request.set_only_target_transitions(true);
  auto watch = query->Watch(&watch_context, request);
  v1::ScoreUpdate update;
  // The snapshot first: both assets.
  ASSERT_TRUE(watch->Read(&update));
  ASSERT_TRUE(watch->Read(&update));

  std::vector<std::string> events;
  absl::Mutex events_mu;
  std::atomic<bool> stop_events{false};
  std::thread sse([&] {
    auto client = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                    collector_->admin().token);
    client->Get("/api/v1/events?asset=portal", [&](const char* data, size_t length) {
      absl::MutexLock lock(&events_mu);
      events.emplace_back(data, length);
      return !stop_events.load();
    });
  });

  // Meeting the target is a transition: the filtered watch sees it.
  Send(address, agent_, 1, {collector::TestEvidence("portal", kOutcome, absl::Now(), v1::DLI_100)});
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "portal");
  EXPECT_TRUE(update.targets_met_changed());
  EXPECT_TRUE(update.summary().targets_met());
  EXPECT_GT(update.summary().last_evidence_observed_at_unix_nanos(), 0);

  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&events_mu);
    std::string all;
    for (const std::string& chunk : events) all += chunk;
    return all.find("event: score") != std::string::npos &&
           all.find("\"outcomesLive\":1") != std::string::npos;
  }));
  stop_events = true;
  // Another change ends the SSE client's read loop.
  Send(address, agent_, 2, {collector::TestEvidence("portal", kOutcome, absl::Now(), v1::DLI_33)});
  sse.join();
  watch_context.TryCancel();
}

TEST_F(LiveScoresTest, ScoresAfterARestartEqualScoresBefore) {
  Send(collector_->address(), agent_, 1,
       {collector::TestEvidence("portal", kOutcome, absl::Now(), v1::DLI_67),
        collector::TestEvidence("platform", kOutcome, absl::Now(), v1::DLI_33)});
  v1::AssetScore before;
  ASSERT_TRUE(Eventually([&] {
    before = GetScore(*collector_, "portal");
    return before.summary().outcomes_live() == 1 && before.summary().adjusted_value() > 0;
  }));
  const std::string address = collector_->address();
  EXPECT_EQ(collector_->Stop(), 0);
  collector_ = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path(), address).value();
  v1::AssetScore after = GetScore(*collector_, "portal");
  EXPECT_EQ(after.summary().value(), before.summary().value());
  EXPECT_EQ(after.summary().adjusted_value(), before.summary().adjusted_value());
  EXPECT_EQ(after.summary().limiting_asset_id(), before.summary().limiting_asset_id());
  EXPECT_EQ(after.summary().outcomes_live(), before.summary().outcomes_live());
}

TEST_F(LiveScoresTest, PlansTheLeastWorkThatMeetsTheRegisteredTargets) {
  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector_->address(), collector_->admin()));
  grpc::ClientContext context;
  v1::PlanAssetRequest request;
  request.set_asset_id("portal");
  v1::AssetPlan plan;
  grpc::Status status = query->PlanAsset(&context, request, &plan);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // The portal's one target, its outcome at 0.67 or more, needs that outcome raised.
  EXPECT_TRUE(plan.feasible());
  ASSERT_EQ(plan.changes_size(), 1);
  EXPECT_EQ(plan.changes(0).outcome_id(), kOutcome);
  EXPECT_EQ(plan.changes(0).from(), v1::DLI_0);
  EXPECT_EQ(plan.changes(0).to(), v1::DLI_67);
  ASSERT_EQ(plan.targets_after_size(), 1);
  EXPECT_TRUE(plan.targets_after(0).met());
  EXPECT_FALSE(plan.targets_before(0).met());
  EXPECT_GT(plan.value_after(), plan.value_before());

  grpc::ClientContext no_targets_context;
  request.set_asset_id("platform");
  status = query->PlanAsset(&no_targets_context, request, &plan);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("no targets"));
}

TEST_F(LiveScoresTest, UnknownAssetIsNotFound) {
  auto query =
      v1::QueryService::NewStub(test::FreshChannel(collector_->address(), collector_->admin()));
  grpc::ClientContext context;
  v1::GetAssetScoreRequest request;
  request.set_asset_id("nope");
  v1::AssetScore score;
  grpc::Status status = query->GetAssetScore(&context, request, &score);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("nope"));
}

}  // namespace
}  // namespace postura
