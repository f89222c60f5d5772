// Who may read a profile (Profiles.GetProfile, GET /api/v1/assets/{id}/profile and GET
// /api/v1/profile), through the real servers of access_control_fixture.h. Each refusal
// has a positive twin, so a gate that refused everything would fail too.
//
// A call without a credential is refused; an agent's credential reads nothing; a supplier
// reads its own asset's profile, gets "not found" for another tenant's, and its
// organisation profile holds its own assets only.

#include <httplib.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/profile.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::testing::HasSubstr;
using ::testing::Not;

grpc::Status GetProfile(const std::string& address, const CollectorTrust& trust,
                        const std::string& asset, v1::Profile* profile = nullptr) {
  v1::GetProfileRequest request;
  request.set_asset_id(asset);
  request.set_organization(asset.empty());
  return Call<v1::Profiles>(address, trust, &v1::Profiles::Stub::GetProfile, request, profile);
}

TEST_F(AccessControlTest, AProfileNeedsACredentialOfAPerson) {
  const CollectorTrust anonymous{.ca_certificate_pem = admin_.ca_certificate_pem, .token = ""};
  for (const char* asset : {"hq", ""}) {
    EXPECT_EQ(GetProfile(address_, anonymous, asset).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << asset;
    EXPECT_EQ(GetProfile(address_, hq_agent_, asset).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << asset;
    EXPECT_TRUE(GetProfile(address_, operator_, asset).ok()) << asset;
    EXPECT_TRUE(GetProfile(address_, auditor_, asset).ok()) << asset;
  }
  for (const char* path : {"/api/v1/assets/hq/profile", "/api/v1/profile"}) {
    EXPECT_EQ(HttpStatus(CollectorTrust{.ca_certificate_pem = "", .token = ""}, path), 401) << path;
    EXPECT_EQ(HttpStatus(hq_agent_, path), 403) << path;
    EXPECT_EQ(HttpStatus(operator_, path), 200) << path;
  }
}

TEST_F(AccessControlTest, ASupplierReadsTheProfilesOfItsOwnAssetsOnly) {
  v1::Profile own;
  ASSERT_TRUE(GetProfile(address_, supplier_, "acme-web", &own).ok());
  ASSERT_EQ(own.assets_size(), 1);
  EXPECT_EQ(own.assets(0).asset_id(), "acme-web");
  for (const char* foreign : {"hq", "other-db"}) {
    const grpc::Status status = GetProfile(address_, supplier_, foreign);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << foreign;
    EXPECT_EQ(status.error_message(), absl::StrCat("no asset '", foreign, "'"));
    EXPECT_EQ(HttpStatus(supplier_, absl::StrCat("/api/v1/assets/", foreign, "/profile")), 404);
  }
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/acme-web/profile"), 200);

  // Its organisation is its own assets; the admin's holds all three.
  v1::Profile organization;
  ASSERT_TRUE(GetProfile(address_, supplier_, "", &organization).ok());
  ASSERT_EQ(organization.assets_size(), 1);
  EXPECT_EQ(organization.assets(0).asset_id(), "acme-web");
  EXPECT_EQ(organization.organization().asset_count(), 1u);
  v1::Profile everything;
  ASSERT_TRUE(GetProfile(address_, admin_, "", &everything).ok());
  EXPECT_EQ(everything.organization().asset_count(), 3u);
  auto client = test::HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  httplib::Result http = client->Get("/api/v1/profile");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->status, 200);
  EXPECT_THAT(http->body, HasSubstr("acme-web"));
  EXPECT_THAT(http->body, Not(HasSubstr("other-db")));
  EXPECT_THAT(http->body, Not(HasSubstr("\"hq\"")));
}

TEST_F(AccessControlTest, AProfileRequestNamesExactlyOneScope) {
  v1::GetProfileRequest both;
  both.set_asset_id("hq");
  both.set_organization(true);
  EXPECT_EQ(
      Call<v1::Profiles>(address_, admin_, &v1::Profiles::Stub::GetProfile, both).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Call<v1::Profiles>(address_, admin_, &v1::Profiles::Stub::GetProfile, v1::GetProfileRequest())
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetProfile(address_, admin_, "no such asset").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetProfile(address_, admin_, "absent").error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace postura
