// Implementation tiers through the real servers (issue 19, item 3): Tiers.GetTiers over TLS
// gRPC on loopback and GET /api/v1/tiers over HTTPS give the same answer, counted over
// the assets the caller may see; a supplier's covers its own assets, a department
// officer's its department's, an agent may not ask.
// The fixture (tests/access_control_fixture.h): hq, acme-web and other-db, each with one
// live report, targets on hq and acme-web.

#include <httplib.h>

#include <string>

#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/tiers.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::testing::HasSubstr;

v1::TiersAnswer Tiers(const std::string& address, const CollectorTrust& trust) {
  v1::TiersAnswer answer;
  const grpc::Status status =
      Call<v1::Tiers>(address, trust, &v1::Tiers::Stub::GetTiers, v1::GetTiersRequest(), &answer);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return answer;
}

TEST_F(AccessControlTest, TiersOverGrpcCountTheAssetsTheCallerSees) {
  const v1::TiersAnswer all = Tiers(address_, operator_);
  ASSERT_GE(all.tiers_size(), 2);
  const v1::ScopeTier& organization = all.tiers(0);
  EXPECT_EQ(organization.scope(), "organization");
  EXPECT_EQ(organization.name(), "the organisation");
  EXPECT_EQ(organization.figures().assets(), 3u);
  EXPECT_EQ(organization.figures().assets_with_targets(), 2u);
  EXPECT_EQ(organization.figures().live(), 3u);  // One report on each asset.
  EXPECT_EQ(organization.figures().level_hundredths(), 3u * 67);
  EXPECT_GT(organization.figures().applicable(), 3u);
  // A few live outcomes of many: Partial, and the fact that says why comes first.
  EXPECT_EQ(organization.tier(), 1);
  EXPECT_EQ(organization.tier_name(), "Partial");
  ASSERT_GE(organization.facts_size(), 3);
  EXPECT_THAT(organization.facts(0), HasSubstr("(3 of "));
  EXPECT_THAT(organization.facts(0), HasSubstr(": no"));
  bool protect = false;
  for (const v1::ScopeTier& tier : all.tiers()) {
    if (tier.scope() != "PR") continue;
    protect = true;
    EXPECT_EQ(tier.name(), "Protect");
    EXPECT_EQ(tier.figures().live(), 3u);  // PR_AC_CSC_5_2 is Protect's.
  }
  EXPECT_TRUE(protect);

  const v1::TiersAnswer acme = Tiers(address_, supplier_);
  ASSERT_GE(acme.tiers_size(), 1);
  EXPECT_EQ(acme.tiers(0).name(), "the assets of acme");
  EXPECT_EQ(acme.tiers(0).figures().assets(), 1u);
  EXPECT_EQ(acme.tiers(0).figures().live(), 1u);
  EXPECT_EQ(acme.tiers(0).figures().assets_with_targets(), 1u);

  // An agent reports; it does not read scores.
  const grpc::Status agent =
      Call<v1::Tiers>(address_, hq_agent_, &v1::Tiers::Stub::GetTiers, v1::GetTiersRequest());
  EXPECT_EQ(agent.error_code(), grpc::StatusCode::PERMISSION_DENIED) << agent.error_message();
  const CollectorTrust anonymous{.ca_certificate_pem = admin_.ca_certificate_pem, .token = ""};
  EXPECT_EQ(Call<v1::Tiers>(address_, anonymous, &v1::Tiers::Stub::GetTiers, v1::GetTiersRequest())
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AccessControlTest, TiersOverHttpsAreTheGrpcAnswer) {
  auto client = test::HttpsClient(server_->http_address(), ca_file_, auditor_.token);
  httplib::Result result = client->Get("/api/v1/tiers");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const nlohmann::json json = nlohmann::json::parse(result->body);
  const v1::TiersAnswer grpc_answer = Tiers(address_, auditor_);
  ASSERT_EQ(json["tiers"].size(), static_cast<size_t>(grpc_answer.tiers_size()));
  for (int i = 0; i < grpc_answer.tiers_size(); ++i) {
    const v1::ScopeTier& tier = grpc_answer.tiers(i);
    const nlohmann::json& shown = json["tiers"][i];
    EXPECT_EQ(shown["scope"], tier.scope());
    EXPECT_EQ(shown["name"], tier.name());
    EXPECT_EQ(shown["tier"], tier.tier());
    EXPECT_EQ(shown["tierName"], tier.tier_name());
    EXPECT_EQ(shown["facts"].size(), static_cast<size_t>(tier.facts_size()));
    for (int f = 0; f < tier.facts_size(); ++f) EXPECT_EQ(shown["facts"][f], tier.facts(f));
    EXPECT_EQ(shown["figures"]["applicable"], tier.figures().applicable());
  }
  EXPECT_EQ(json["trendWindowDays"], 30);

  auto supplier = test::HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  result = supplier->Get("/api/v1/tiers");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(nlohmann::json::parse(result->body)["tiers"][0]["figures"]["assets"], 1);
  EXPECT_EQ(HttpStatus(hq_agent_, "/api/v1/tiers"), 403);
}

TEST_F(AccessControlTest, ADepartmentOfficersTiersCoverItsDepartmentsAssetsOnly) {
  v1::PutDepartmentRequest department;
  department.mutable_department()->set_id("finance");
  department.mutable_department()->set_name("Finance");
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutDepartment, department)
          .ok());
  v1::PutAssetRequest ledger;
  *ledger.mutable_asset() = collector::TestAsset("ledger", v1::IG1);
  ledger.mutable_asset()->set_department_id("finance");
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, ledger).ok());
  absl::StatusOr<std::string> token =
      test::CreateApiToken(address_, admin_, v1::ROLE_DEPARTMENT, "", 0, "finance");
  ASSERT_TRUE(token.ok()) << token.status();
  const CollectorTrust officer{.ca_certificate_pem = admin_.ca_certificate_pem, .token = *token};

  const v1::TiersAnswer finance = Tiers(address_, officer);
  ASSERT_GE(finance.tiers_size(), 1);
  EXPECT_EQ(finance.tiers(0).name(), "the assets of department Finance");
  EXPECT_EQ(finance.tiers(0).figures().assets(), 1u);  // ledger, not hq, acme-web, other-db.
  EXPECT_EQ(finance.tiers(0).figures().live(), 0u);
  EXPECT_EQ(Tiers(address_, operator_).tiers(0).figures().assets(), 4u);
  EXPECT_EQ(HttpStatus(officer, "/api/v1/tiers"), 200);
}

}  // namespace
}  // namespace postura
