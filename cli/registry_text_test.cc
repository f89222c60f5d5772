#include "cli/registry_text.h"

#include "cli/inert_text_matcher.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

TEST(RegistryTextTest, AssetsTableShowsGroupOwnersAndDependencies) {
  const std::string text = AssetsText(Parse<v1::ListAssetsResponse>(R"pb(
    assets { id: "db" name: "Database" implementation_group: IG3 }
    assets {
      id: "web"
      name: "Web portal"
      implementation_group: IG2
      department_id: "sales"
      supplier_id: "acme"
      dependency_ids: "db"
      dependency_ids: "dns"
    }
  )pb"));
  EXPECT_EQ(text,
            "2 assets\n"
            "  ID   IG   DEPARTMENT  SUPPLIER  DEPENDS ON  NAME\n"
            "  db   IG3  -           -         -           Database\n"
            "  web  IG2  sales       acme      db,dns      Web portal\n");
}

TEST(RegistryTextTest, EmptyListsSayHowToAddOne) {
  EXPECT_THAT(AssetsText({}), HasSubstr("No assets registered; add one with `postura assets put"));
  EXPECT_THAT(AgentsText({}), HasSubstr("`postura agents put ID --asset ASSET`"));
  EXPECT_THAT(DepartmentsText({}), HasSubstr("`postura departments put ID --name NAME`"));
}

TEST(RegistryTextTest, TenantsAndAgentsTables) {
  EXPECT_EQ(TenantsText(Parse<v1::ListTenantsResponse>(R"pb(
              tenants { id: "acme" name: "ACME Hosting" kind: SUPPLIER }
              tenants { id: "org" name: "Our company" kind: ORGANIZATION }
            )pb")),
            "2 tenants\n"
            "  ID    KIND          NAME\n"
            "  acme  supplier      ACME Hosting\n"
            "  org   organization  Our company\n");
  EXPECT_EQ(AgentsText(Parse<v1::ListAgentsResponse>(R"pb(
              agents { id: "host-1" asset_ids: "web" asset_ids: "db" last_stored_sequence: 42 }
              agents {
                id: "host-2"
                asset_ids: "db"
                last_stored_sequence: 7
                sequence_conflicts: 3
                last_conflict_unix_nanos: 1714564803000000000
                last_used_unix_seconds: 1714564800
                last_used_from: "10.0.0.7"
              }
            )pb")),
            "2 agents\n"
            "  ID      TENANT  LAST SEQUENCE  DROPPED  CONFLICTS  LAST CONFLICT         "
            "LAST USED             FROM      ASSETS\n"
            "  host-1  org                42        0          0  -                     "
            "-                     -         web,db\n"
            "  host-2  org                 7        0          3  2024-05-01T12:00:03Z  "
            "2024-05-01T12:00:00Z  10.0.0.7  db\n");
}

TEST(RegistryTextTest, TargetsAreShownAsExpressionsThatParseBack) {
  EXPECT_EQ(
      TargetsText("web", Parse<v1::GetTargetsResponse>(R"pb(
                    targets { scope: SCOPE_ASSET operator: GREATER_OR_EQUAL value: 0.7 }
                    targets { scope: SCOPE_CATEGORY scope_id: "PR.AC" operator: GREATER value: 0.5 }
                  )pb")),
      "Asset web: 2 targets\n"
      "  SCOPE     TARGET\n"
      "  asset     asset >= 0.7\n"
      "  category  PR.AC > 0.5\n");
  EXPECT_THAT(TargetsText("web", {}), HasSubstr("postura targets set web 'asset>=0.7'"));
}

TEST(RegistryTextTest, ControlCharactersInNamesAreShownNotSent) {
  v1::ListTenantsResponse tenants;
  v1::Tenant* tenant = tenants.add_tenants();
  tenant->set_id("acme");
  tenant->set_name(
      "ACME \x1b]0;pwned\x07\r\xE2\x80\xAE"
      "Hosting");
  EXPECT_THAT(TenantsText(tenants), IsInertOnATerminal());
  EXPECT_THAT(TenantsText(tenants), HasSubstr("ACME \\x1b]0;pwned\\x07\\r\\u202eHosting"));
  v1::Asset asset;
  asset.set_id("web");
  asset.set_name("Web\nportal\x1b[2J");
  asset.set_supplier_id("acme\r");
  EXPECT_THAT(AssetRecordText(asset), IsInertOnATerminal());
  EXPECT_THAT(AssetRecordText(asset), HasSubstr("  Name            Web portal\\x1b[2J\n"));
}

TEST(RegistryTextTest, AssetRecordHasAFieldPerLine) {
  v1::Asset asset = Parse<v1::Asset>(
      R"pb(id: "web" name: "Web portal" implementation_group: IG2 dependency_ids: "db")pb");
  EXPECT_EQ(AssetRecordText(asset),
            "Asset web\n"
            "  Name            Web portal\n"
            "  Group           IG2\n"
            "  Department      -\n"
            "  Supplier        -\n"
            "  Depends on      db\n");
}

}  // namespace
}  // namespace postura::cli
