// Remediation time from recorded gap episodes, on a real store and registry: counts,
// median and p90 per group, the open episodes, each grouping, the default window, what a
// supplier may see, and specific errors for bad requests.

#include "collector/api/remediation_queries.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "collector/history/gap_log.h"
#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'764'849'600);  // 2025-12-04T12:00:00Z
const char kAssetInventory[] = "ID_AM_CSC_1_1";
const char kAccessControl[] = "PR_AC_CSC_5_2";

class RemediationQueriesTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
    v1::Asset web = TestAsset("web");
    web.set_supplier_id("acme");
    ASSERT_TRUE(registry_->PutAsset(web).ok());
    ASSERT_TRUE(registry_->PutAsset(TestAsset("db")).ok());
    remediation_ =
        std::make_unique<RemediationQueries>(RemediationSources{.registry = registry_.get(),
                                                                .store = store_.get(),
                                                                .catalog = &Catalog::Builtin(),
                                                                .clock = &clock_});
    // web: two episodes of 10 and 20 minutes; db: one of 30 minutes and one open for 2 h;
    // and one that closed 100 days ago, outside the default window.
    Episode("web", kAssetInventory, kNow - absl::Hours(5), absl::Minutes(10));
    Episode("web", kAssetInventory, kNow - absl::Hours(4), absl::Minutes(20));
    Episode("db", kAssetInventory, kNow - absl::Hours(3), absl::Minutes(30));
    Episode("db", kAccessControl, kNow - absl::Hours(24 * 100), absl::Hours(1));
    Write("db", kAccessControl, kNow - absl::Hours(2), GapTransition::kOpened);
  }

  void Write(const std::string& asset, const std::string& outcome, absl::Time at,
             GapTransition transition) {
    ASSERT_TRUE(WriteGapEvents(*store_, {{.asset_id = asset,
                                          .outcome_id = outcome,
                                          .unix_nanos = absl::ToUnixNanos(at),
                                          .transition = transition}})
                    .ok());
  }
  void Episode(const std::string& asset, const std::string& outcome, absl::Time opened,
               absl::Duration lasted) {
    Write(asset, outcome, opened, GapTransition::kOpened);
    Write(asset, outcome, opened + lasted, GapTransition::kClosed);
  }

  v1::Remediation Answer(const std::string& by, const Principal* principal = nullptr) {
    v1::GetRemediationRequest request;
    request.set_by(by);
    absl::StatusOr<v1::Remediation> answer =
        principal == nullptr ? remediation_->GetRemediation(request)
                             : remediation_->GetRemediation(*principal, request);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : v1::Remediation();
  }

  static std::map<std::string, v1::RemediationGroup> ByKey(const v1::Remediation& answer) {
    std::map<std::string, v1::RemediationGroup> groups;
    for (const v1::RemediationGroup& group : answer.groups()) groups[group.key()] = group;
    return groups;
  }

  FakeClock clock_{kNow};
  std::unique_ptr<RemediationQueries> remediation_;
};

TEST_F(RemediationQueriesTest, ByOutcomeGivesMedianP90AndTheOpenEpisodes) {
  const v1::Remediation answer = Answer("");
  EXPECT_EQ(answer.by(), "outcome");
  EXPECT_EQ(answer.until().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(answer.since().seconds(), absl::ToUnixSeconds(kNow - absl::Hours(24 * 90)));
  std::map<std::string, v1::RemediationGroup> groups = ByKey(answer);
  ASSERT_EQ(groups.size(), 2u);
  const v1::RemediationGroup& inventory = groups[kAssetInventory];
  EXPECT_EQ(inventory.closed(), 3u);
  EXPECT_DOUBLE_EQ(inventory.median_seconds(), 20 * 60);
  EXPECT_DOUBLE_EQ(inventory.p90_seconds(), 28 * 60);  // 20 + 0.8 * (30 - 20) minutes.
  EXPECT_EQ(inventory.open(), 0u);
  EXPECT_FALSE(inventory.name().empty());  // The outcome's title.
  const v1::RemediationGroup& access = groups[kAccessControl];
  EXPECT_EQ(access.closed(), 0u);  // Its closed episode is older than 90 days.
  EXPECT_EQ(access.open(), 1u);
  EXPECT_DOUBLE_EQ(access.oldest_open_seconds(), 2 * 3600);
  EXPECT_EQ(answer.total().closed(), 3u);
  EXPECT_EQ(answer.total().open(), 1u);
  // Longest p90 first.
  EXPECT_EQ(answer.groups(0).key(), kAssetInventory);
}

TEST_F(RemediationQueriesTest, AWindowCountsWhatClosedInIt) {
  v1::GetRemediationRequest request;
  request.set_since_unix_nanos(absl::ToUnixNanos(kNow - absl::Hours(24 * 101)));
  request.set_until_unix_nanos(absl::ToUnixNanos(kNow - absl::Hours(24 * 99)));
  absl::StatusOr<v1::Remediation> answer = remediation_->GetRemediation(request);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->total().closed(), 1u);
  EXPECT_DOUBLE_EQ(answer->total().median_seconds(), 3600);
  EXPECT_EQ(answer->total().open(), 1u);  // Open now, whatever the window.
}

TEST_F(RemediationQueriesTest, GroupsByAssetFunctionalAreaAndSupplier) {
  std::map<std::string, v1::RemediationGroup> assets = ByKey(Answer("asset"));
  EXPECT_EQ(assets["web"].closed(), 2u);
  EXPECT_DOUBLE_EQ(assets["web"].median_seconds(), 15 * 60);
  EXPECT_DOUBLE_EQ(assets["web"].p90_seconds(), 19 * 60);
  EXPECT_EQ(assets["web"].name(), "Asset web");
  EXPECT_EQ(assets["db"].closed(), 1u);
  EXPECT_EQ(assets["db"].open(), 1u);

  std::map<std::string, v1::RemediationGroup> suppliers = ByKey(Answer("supplier"));
  EXPECT_EQ(suppliers["acme"].closed(), 2u);
  EXPECT_EQ(suppliers["acme"].name(), "Tenant acme");
  EXPECT_EQ(suppliers[""].closed(), 1u);  // db has no supplier.

  const Catalog& catalog = Catalog::Builtin();
  const std::string area =
      catalog
          .functional_areas()[catalog.outcomes()[*catalog.FindOutcome(kAssetInventory)]
                                  .functional_area]
          .id;
  std::map<std::string, v1::RemediationGroup> areas = ByKey(Answer("function"));
  EXPECT_GE(areas[area].closed(), 3u);
}

TEST_F(RemediationQueriesTest, ASupplierSeesOnlyItsOwnAssetsEpisodes) {
  const Principal supplier{.role = v1::ROLE_SUPPLIER,
                           .tenant_id = "acme",
                           .agent_id = "",
                           .credential_id = "t1",
                           .department_id = ""};
  const v1::Remediation answer = Answer("asset", &supplier);
  ASSERT_EQ(answer.groups_size(), 1);
  EXPECT_EQ(answer.groups(0).key(), "web");
  EXPECT_EQ(answer.total().closed(), 2u);
  EXPECT_EQ(answer.total().open(), 0u);
  const Principal other{.role = v1::ROLE_SUPPLIER,
                        .tenant_id = "globex",
                        .agent_id = "",
                        .credential_id = "t2",
                        .department_id = ""};
  EXPECT_EQ(Answer("outcome", &other).groups_size(), 0);
  const Principal auditor{.role = v1::ROLE_AUDITOR,
                          .tenant_id = "org",
                          .agent_id = "",
                          .credential_id = "t3",
                          .department_id = ""};
  EXPECT_EQ(Answer("asset", &auditor).groups_size(), 2);
}

TEST_F(RemediationQueriesTest, BadRequestsAreRefusedNamingTheField) {
  v1::GetRemediationRequest request;
  request.set_by("team");
  absl::StatusOr<v1::Remediation> answer = remediation_->GetRemediation(request);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(answer.status().message(), testing::HasSubstr("by must be outcome, asset"));
  request.set_by("asset");
  request.set_until_unix_nanos(absl::ToUnixNanos(kNow + absl::Minutes(1)));
  answer = remediation_->GetRemediation(request);
  EXPECT_THAT(answer.status().message(), testing::HasSubstr("is in the future"));
  request.set_until_unix_nanos(absl::ToUnixNanos(kNow - absl::Hours(2)));
  request.set_since_unix_nanos(absl::ToUnixNanos(kNow - absl::Hours(1)));
  answer = remediation_->GetRemediation(request);
  EXPECT_THAT(answer.status().message(), testing::HasSubstr("is after until"));
  request.set_since_unix_nanos(-5);
  answer = remediation_->GetRemediation(request);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace postura::collector
