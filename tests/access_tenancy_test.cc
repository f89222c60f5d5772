// Who may do what, through the real servers: a collector with its TLS gRPC and HTTPS
// listeners on loopback (in this process, so that a fake clock can expire tokens), real
// TLS clients, real tokens. Each refusal is checked for its status and for leaving
// nothing stored or revealed; each case has a positive twin, so a gate that refused
// everything would fail too. The fixture is tests/access_control_fixture.h.
//
// This file: tenancy. Agents report only for their own assets; a supplier sees, lists
// and watches only its own tenant's assets, and learns nothing of the others'.

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::testing::HasSubstr;

// Agents report only as themselves, for the assets they are bound to; API tokens report
// nothing and agent credentials read nothing.
TEST_F(AccessControlTest, AgentsReportOnlyAsThemselvesForTheirBoundAssets) {
  const uint64_t stored = ItemsStored();
  v1::Ack ack;
  ASSERT_TRUE(Report(acme_agent_, "acme-agent", 2, "hq", &ack).ok());
  ASSERT_EQ(ack.rejected_size(), 1);
  EXPECT_EQ(ack.rejected(0).reason(), v1::ASSET_NOT_BOUND);
  grpc::Status impostor = Report(acme_agent_, "hq-agent", 2, "hq");
  EXPECT_EQ(impostor.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(impostor.error_message(), HasSubstr("cannot report as 'hq-agent'"));
  for (const CollectorTrust* person : {&admin_, &operator_, &supplier_}) {
    EXPECT_EQ(Report(*person, "acme-agent", 2, "acme-web").error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(ItemsStored(), stored);
  v1::GetAssetScoreRequest score;
  score.set_asset_id("acme-web");
  EXPECT_EQ(
      Call<v1::QueryService>(address_, acme_agent_, &v1::QueryService::Stub::GetAssetScore, score)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

// A supplier sees its own assets only: another tenant's asset, its evidence, targets,
// gaps and plan are "not found", organisation rollups are refused, lists and watches
// hold its own assets only.
TEST_F(AccessControlTest, ASupplierSeesOnlyItsOwnTenant) {
  struct AssetCall {
    const char* what;
    std::function<grpc::Status(const std::string& asset)> call;
  };
  const std::vector<AssetCall> asset_calls = {
      {"score",
       [&](const std::string& asset) {
         v1::GetAssetScoreRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetAssetScore,
                                       request);
       }},
      {"gaps",
       [&](const std::string& asset) {
         v1::GetGapsRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetGaps,
                                       request);
       }},
      {"plan",
       [&](const std::string& asset) {
         v1::PlanAssetRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::PlanAsset,
                                       request);
       }},
      {"evidence",
       [&](const std::string& asset) {
         v1::GetEvidenceHistoryRequest request;
         request.set_asset_id(asset);
         request.set_outcome_id(kOutcome);
         return Call<v1::QueryService>(address_, supplier_,
                                       &v1::QueryService::Stub::GetEvidenceHistory, request);
       }},
      {"history",
       [&](const std::string& asset) {
         v1::GetScoreHistoryRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_,
                                       &v1::QueryService::Stub::GetScoreHistory, request);
       }},
      {"score as of now, recomputed",
       [&](const std::string& asset) {
         v1::GetAssetScoreRequest request;
         request.set_asset_id(asset);
         request.set_as_of_unix_nanos(absl::ToUnixNanos(clock_.TimeNow()));
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetAssetScore,
                                       request);
       }},
      {"evidence proof",
       [&](const std::string& asset) {
         v1::ExportEvidenceProofRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_,
                                       &v1::QueryService::Stub::ExportEvidenceProof, request);
       }},
      {"targets",
       [&](const std::string& asset) {
         v1::GetTargetsRequest request;
         request.set_asset_id(asset);
         return Call<v1::AdminService>(address_, supplier_, &v1::AdminService::Stub::GetTargets,
                                       request);
       }},
  };
  for (const AssetCall& c : asset_calls) {
    EXPECT_TRUE(c.call("acme-web").ok()) << c.what;
    for (const char* foreign : {"hq", "other-db"}) {
      grpc::Status status = c.call(foreign);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << c.what << " " << foreign;
      EXPECT_EQ(status.error_message(), absl::StrCat("no asset '", foreign, "'")) << c.what;
    }
  }
  EXPECT_EQ(
      Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetOrganizationScore,
                             v1::GetOrganizationScoreRequest())
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::GetScoreHistoryRequest organization_history;
  organization_history.set_organization(true);
  EXPECT_EQ(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetScoreHistory,
                                   organization_history)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call<v1::AdminService>(address_, supplier_, &v1::AdminService::Stub::ListTenants,
                                   v1::ListTenantsRequest())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAssetScoresResponse scores;
  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::ListAssetScores,
                                     v1::ListAssetScoresRequest(), &scores)
                  .ok());
  ASSERT_EQ(scores.assets_size(), 1);
  EXPECT_EQ(scores.assets(0).asset_id(), "acme-web");
  v1::EvidenceProof proof;  // Of every asset it may see: its own.
  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_,
                                     &v1::QueryService::Stub::ExportEvidenceProof,
                                     v1::ExportEvidenceProofRequest(), &proof)
                  .ok());
  for (const v1::StoredEvidence& item : proof.items()) {
    EXPECT_EQ(item.evidence().asset_id(), "acme-web");
  }
  v1::ListAssetScoresRequest others;
  others.set_supplier_id("other");
  EXPECT_EQ(
      Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::ListAssetScores, others)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAssetsResponse assets;
  ASSERT_TRUE(Call<v1::AdminService>(address_, supplier_, &v1::AdminService::Stub::ListAssets,
                                     v1::ListAssetsRequest(), &assets)
                  .ok());
  ASSERT_EQ(assets.assets_size(), 1);
  EXPECT_EQ(assets.assets(0).id(), "acme-web");

  // The same over HTTPS.
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/acme-web"), 200);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/hq"), 404);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/other-db/gaps"), 404);
  EXPECT_EQ(
      HttpStatus(supplier_, std::string("/api/v1/assets/hq/outcomes/") + kOutcome + "/evidence"),
      404);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/organization"), 403);
  EXPECT_EQ(HttpStatus(supplier_, "/metrics"), 403);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/events?asset=hq"), 404);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/events?supplier=other"), 403);
  auto client = test::HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  httplib::Result list = client->Get("/api/v1/assets");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, HasSubstr("acme-web"));
  EXPECT_THAT(list->body, testing::Not(HasSubstr("other-db")));
}

TEST_F(AccessControlTest, ASuppliersWatchStreamCarriesOnlyItsOwnAssets) {
  auto query = v1::QueryService::NewStub(test::FreshChannel(address_, supplier_));
  for (const auto& [asset, supplier, code] :
       std::vector<std::tuple<std::string, std::string, grpc::StatusCode>>{
           {"hq", "", grpc::StatusCode::NOT_FOUND},
           {"", "other", grpc::StatusCode::PERMISSION_DENIED}}) {
    v1::WatchRequest request;
    if (!asset.empty()) request.add_asset_ids(asset);
    request.set_supplier_id(supplier);
    std::unique_ptr<grpc::ClientContext> context = Context();
    auto refused = query->Watch(context.get(), request);
    v1::ScoreUpdate update;
    EXPECT_FALSE(refused->Read(&update));
    EXPECT_EQ(refused->Finish().error_code(), code) << asset << supplier;
  }
  // Unfiltered, the stream is narrowed to acme: its snapshot is acme-web alone, and a
  // change to another tenant's asset never comes through, while one to acme-web does.
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto watch = query->Watch(context.get(), v1::WatchRequest());
  v1::ScoreUpdate update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "acme-web");
  constexpr char kNewOutcome[] = "ID_AM_CSC_1_1";  // Evidence for it changes each score.
  ASSERT_TRUE(Report(other_agent_, "other-agent", 2, "other-db", nullptr, kNewOutcome).ok());
  ASSERT_TRUE(Report(hq_agent_, "hq-agent", 2, "hq", nullptr, kNewOutcome).ok());
  ASSERT_TRUE(Report(acme_agent_, "acme-agent", 2, "acme-web", nullptr, kNewOutcome).ok());
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "acme-web");
  EXPECT_EQ(update.summary().outcomes_live(), 2u);
  context->TryCancel();
  // An auditor reads everything but does not watch.
  auto auditor_query = v1::QueryService::NewStub(test::FreshChannel(address_, auditor_));
  std::unique_ptr<grpc::ClientContext> auditor_context = Context();
  auto auditor_watch = auditor_query->Watch(auditor_context.get(), v1::WatchRequest());
  EXPECT_FALSE(auditor_watch->Read(&update));
  EXPECT_EQ(auditor_watch->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// A supplier's asset limited by another tenant's: the supplier sees that it is limited
// (adjusted value below value) but not by which asset, on every path; staff see the id.
TEST_F(AccessControlTest, ASupplierIsNotToldWhichOtherTenantsAssetLimitsItsOwn) {
  v1::PutAssetRequest acme_web;
  *acme_web.mutable_asset() = collector::TestAsset("acme-web", v1::IG1);
  acme_web.mutable_asset()->set_supplier_id("acme");
  acme_web.mutable_asset()->add_dependency_ids("other-db");
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, acme_web).ok());
  constexpr char kNewOutcome[] = "ID_AM_CSC_1_1";  // Lifts acme-web above other-db.
  ASSERT_TRUE(Report(acme_agent_, "acme-agent", 2, "acme-web", nullptr, kNewOutcome).ok());

  v1::GetAssetScoreRequest request;
  request.set_asset_id("acme-web");
  v1::AssetScore staff_view, supplier_view;
  ASSERT_TRUE(Call<v1::QueryService>(address_, operator_, &v1::QueryService::Stub::GetAssetScore,
                                     request, &staff_view)
                  .ok());
  ASSERT_EQ(staff_view.summary().limiting_asset_id(), "other-db");
  ASSERT_LT(staff_view.summary().adjusted_value(), staff_view.summary().value());

  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetAssetScore,
                                     request, &supplier_view)
                  .ok());
  EXPECT_EQ(supplier_view.summary().limiting_asset_id(), "");
  EXPECT_EQ(supplier_view.summary().adjusted_value(), staff_view.summary().adjusted_value());
  v1::ListAssetScoresResponse list;
  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::ListAssetScores,
                                     v1::ListAssetScoresRequest(), &list)
                  .ok());
  ASSERT_EQ(list.assets_size(), 1);
  EXPECT_EQ(list.assets(0).limiting_asset_id(), "");

  auto query = v1::QueryService::NewStub(test::FreshChannel(address_, supplier_));
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto watch = query->Watch(context.get(), v1::WatchRequest());
  v1::ScoreUpdate update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "acme-web");
  EXPECT_EQ(update.summary().limiting_asset_id(), "");
  context->TryCancel();

  auto client = test::HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  for (const char* path : {"/api/v1/assets/acme-web", "/api/v1/assets"}) {
    httplib::Result result = client->Get(path);
    ASSERT_TRUE(result && result->status == 200) << path;
    EXPECT_THAT(result->body, testing::Not(HasSubstr("other-db"))) << path;
  }
  std::string first_event;
  client->Get("/api/v1/events", [&](const char* data, size_t length) {
    first_event.append(data, length);
    return first_event.find("\n\n") == std::string::npos;  // Until one whole event.
  });
  EXPECT_THAT(first_event, HasSubstr("acme-web"));
  EXPECT_THAT(first_event, testing::Not(HasSubstr("other-db")));
}

}  // namespace
}  // namespace postura
