// Implementation tiers' facts gathered on a real store, registry, scorer and history: the
// applicable pairs, live and stale evidence and levels counted per scope, the assets with
// targets, the remediation and trend facts present only when the history holds them, and
// a supplier's answer covering its own assets alone.

#include "collector/api/tier_queries.h"

#include <algorithm>
#include <memory>
#include <string>

#include "collector/history/gap_log.h"
#include "collector/history/history_recorder.h"
#include "collector/registry/registry_test_fixture.h"
#include "collector/store/evidence_records.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'764'849'600);  // 2025-12-04T12:00:00Z
const char kAssetInventory[] = "ID_AM_CSC_1_1";                  // Identify.
const char kAccessControl[] = "PR_AC_CSC_5_2";                   // Protect.

// Set field by field: Principal grows fields, and designated initialisers would have to
// name them all (-Wmissing-field-initializers).
Principal TestPrincipal(v1::Role role, const std::string& tenant) {
  Principal principal;
  principal.role = role;
  principal.tenant_id = tenant;
  principal.credential_id = "test-token";
  return principal;
}

const Principal kAuditor = TestPrincipal(v1::ROLE_AUDITOR, "org");
const Principal kAcme = TestPrincipal(v1::ROLE_SUPPLIER, "acme");

class TierQueriesTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    recorder_ = HistoryRecorder::Start(*store_, clock_, {}).value();
    scorer_ = std::make_unique<LiveScorer>(*store_, Catalog::Builtin(), clock_, recorder_.get());
    registry_->SetObserver(scorer_.get());
    ASSERT_TRUE(scorer_->Start().ok());
    ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
    // web (acme's, with a target) and db (the organisation's, without), both IG1.
    v1::Asset web = TestAsset("web", v1::IG1);
    web.set_supplier_id("acme");
    ASSERT_TRUE(registry_->PutAsset(web).ok());
    v1::Target target;
    target.set_scope(v1::SCOPE_ASSET);
    target.set_operator_(v1::GREATER_OR_EQUAL);
    target.set_value(0.5);
    ASSERT_TRUE(registry_->PutTargets("web", {target}).ok());
    ASSERT_TRUE(registry_->PutDepartment(TestDepartment("it")).ok());
    v1::Asset db = TestAsset("db", v1::IG1);
    db.set_department_id("it");
    ASSERT_TRUE(registry_->PutAsset(db).ok());
    queries_ = std::make_unique<ScoreQueries>(*scorer_, *registry_, *store_, Catalog::Builtin());
    remediation_ =
        std::make_unique<RemediationQueries>(RemediationSources{.registry = registry_.get(),
                                                                .store = store_.get(),
                                                                .catalog = &Catalog::Builtin(),
                                                                .clock = &clock_});
    tiers_ = std::make_unique<TierQueries>(TierQueriesSources{.queries = queries_.get(),
                                                              .scorer = scorer_.get(),
                                                              .registry = registry_.get(),
                                                              .store = store_.get(),
                                                              .remediation = remediation_.get(),
                                                              .catalog = &Catalog::Builtin(),
                                                              .clock = &clock_});
  }

  void TearDown() override {
    registry_->SetObserver(nullptr);
    tiers_.reset();
    remediation_.reset();
    queries_.reset();
    scorer_.reset();
    recorder_.reset();
  }

  // Stores one report as the ingest writer would and hands it to the scorer.
  void Report(const std::string& asset, const std::string& outcome, v1::Level level,
              absl::Duration lifetime) {
    const std::string agent = "host";
    v1::Batch batch;
    batch.set_sequence(++sequence_);
    v1::Evidence& item = *batch.add_items();
    item = TestEvidence(asset, outcome, clock_.TimeNow(), level);
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(clock_.TimeNow() + lifetime));
    EncodedBatch encoded = EncodeBatch(agent, batch, {true}, clock_.TimeNow());
    ASSERT_TRUE(store_->Commit({{&agent, &encoded, {sequence_, 0, sequence_}}}).ok());
    std::vector<SourceUpdate> updates;
    for (EncodedBatch::Entry& entry : encoded.entries) {
      updates.push_back({std::move(entry.state_key), entry.level, entry.attested,
                         entry.observed_at_unix_nanos, entry.expires_at_unix_nanos});
    }
    scorer_->OnCommitted(std::move(updates));
    scorer_->Flush();
  }

  void Gap(const std::string& asset, const std::string& outcome, absl::Time at,
           GapTransition transition) {
    ASSERT_TRUE(WriteGapEvents(*store_, {{.asset_id = asset,
                                          .outcome_id = outcome,
                                          .unix_nanos = absl::ToUnixNanos(at),
                                          .transition = transition}})
                    .ok());
  }

  TierScopes Facts(const Principal& principal) {
    scorer_->Flush();
    recorder_->Flush();
    absl::StatusOr<TierScopes> scopes = tiers_->GatherFacts(principal, clock_.TimeNow());
    EXPECT_TRUE(scopes.ok()) << scopes.status();
    return scopes.ok() ? *scopes : TierScopes();
  }

  static int Function(const std::string& outcome) {
    const Catalog& catalog = Catalog::Builtin();
    return catalog.outcomes()[*catalog.FindOutcome(outcome)].function;
  }
  static int Applicable(const std::string& outcome_function_of) {
    const Catalog& catalog = Catalog::Builtin();
    int count = 0;
    for (int o : catalog.model(ImplementationGroup::kIG1).applicable_outcomes()) {
      count += catalog.outcomes()[o].function == Function(outcome_function_of);
    }
    return count;
  }

  FakeClock clock_{kStart};
  std::unique_ptr<HistoryRecorder> recorder_;
  std::unique_ptr<LiveScorer> scorer_;
  std::unique_ptr<ScoreQueries> queries_;
  std::unique_ptr<RemediationQueries> remediation_;
  std::unique_ptr<TierQueries> tiers_;
  uint64_t sequence_ = 0;
};

TEST_F(TierQueriesTest, CountsPairsLiveAndStaleEvidenceLevelsAndTargetsPerScope) {
  const int ig1 = static_cast<int>(
      Catalog::Builtin().model(ImplementationGroup::kIG1).applicable_outcomes().size());
  Report("web", kAssetInventory, v1::DLI_67, absl::Hours(24));
  Report("db", kAssetInventory, v1::DLI_100, absl::Hours(24));
  Report("web", kAccessControl, v1::DLI_33, absl::Minutes(10));
  clock_.Advance(absl::Minutes(20));  // web's access control evidence expires.
  scorer_->Flush();

  const TierScopes scopes = Facts(kAuditor);
  EXPECT_EQ(scopes.organization.applicable, 2 * ig1);
  EXPECT_EQ(scopes.organization.live, 2);
  EXPECT_EQ(scopes.organization.stale, 1);
  EXPECT_EQ(scopes.organization.level_hundredths, 67 + 100);
  EXPECT_EQ(scopes.organization.assets, 2);
  EXPECT_EQ(scopes.organization.assets_with_targets, 1);

  ASSERT_TRUE(scopes.functions.count(Function(kAssetInventory)));
  const crosswalk::TierFacts& identify = scopes.functions.at(Function(kAssetInventory));
  EXPECT_EQ(identify.applicable, 2 * Applicable(kAssetInventory));
  EXPECT_EQ(identify.live, 2);
  EXPECT_EQ(identify.stale, 0);
  EXPECT_EQ(identify.level_hundredths, 167);
  EXPECT_EQ(identify.assets_with_targets, 1);
  const crosswalk::TierFacts& protect = scopes.functions.at(Function(kAccessControl));
  EXPECT_EQ(protect.applicable, 2 * Applicable(kAccessControl));
  EXPECT_EQ(protect.live, 0);
  EXPECT_EQ(protect.stale, 1);
  int applicable = 0;
  for (const auto& [function, facts] : scopes.functions) applicable += facts.applicable;
  EXPECT_EQ(applicable, scopes.organization.applicable);
}

TEST_F(TierQueriesTest, ASupplierCountsOnlyItsOwnAssets) {
  Report("web", kAssetInventory, v1::DLI_67, absl::Hours(24));
  Report("db", kAssetInventory, v1::DLI_100, absl::Hours(24));
  const TierScopes scopes = Facts(kAcme);
  EXPECT_EQ(scopes.organization.assets, 1);
  EXPECT_EQ(scopes.organization.assets_with_targets, 1);
  EXPECT_EQ(scopes.organization.live, 1);
  EXPECT_EQ(scopes.organization.level_hundredths, 67);
  const Principal other = TestPrincipal(v1::ROLE_SUPPLIER, "globex");
  EXPECT_EQ(Facts(other).organization.applicable, 0);
  EXPECT_TRUE(Facts(other).functions.empty());

  absl::StatusOr<v1::TiersAnswer> answer = tiers_->GetTiers(kAcme, v1::GetTiersRequest());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tiers(0).scope(), "organization");
  EXPECT_EQ(answer->tiers(0).name(), "the assets of Tenant acme");
  EXPECT_EQ(answer->tiers(0).figures().assets(), 1u);
}

TEST_F(TierQueriesTest, ADepartmentOfficerCountsOnlyItsDepartmentsAssets) {
  Report("web", kAssetInventory, v1::DLI_67, absl::Hours(24));
  Report("db", kAssetInventory, v1::DLI_100, absl::Hours(24));
  Principal officer = TestPrincipal(v1::ROLE_DEPARTMENT, "org");
  officer.department_id = "it";
  const TierScopes scopes = Facts(officer);
  EXPECT_EQ(scopes.organization.assets, 1);
  EXPECT_EQ(scopes.organization.assets_with_targets, 0);
  EXPECT_EQ(scopes.organization.live, 1);
  EXPECT_EQ(scopes.organization.level_hundredths, 100);
  absl::StatusOr<v1::TiersAnswer> answer = tiers_->GetTiers(officer, v1::GetTiersRequest());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tiers(0).name(), "the assets of department Department it");
}

TEST_F(TierQueriesTest, HistoryFactsAreAbsentOnAYoungCollectorAndPresentOnceItHoldsThem) {
  Report("web", kAssetInventory, v1::DLI_100, absl::Hours(24 * 90));
  TierScopes young = Facts(kAuditor);
  // No gap ever recorded closing: zero closed, and no index 30 days back.
  ASSERT_TRUE(young.organization.gaps_closed.has_value());
  EXPECT_EQ(*young.organization.gaps_closed, 0);
  EXPECT_FALSE(young.organization.index_then.has_value());
  EXPECT_FALSE(young.organization.index_now.has_value());
  absl::StatusOr<v1::TiersAnswer> answer = tiers_->GetTiers(kAuditor, v1::GetTiersRequest());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_FALSE(answer->tiers(0).figures().has_index_then());

  // 31 days on: a gap on db's access control opened 3 days ago and closed 1 day ago.
  clock_.Advance(absl::Hours(24 * 31));
  Gap("db", kAccessControl, clock_.TimeNow() - absl::Hours(72), GapTransition::kOpened);
  Gap("db", kAccessControl, clock_.TimeNow() - absl::Hours(24), GapTransition::kClosed);
  const TierScopes old = Facts(kAuditor);
  EXPECT_EQ(*old.organization.gaps_closed, 1);
  EXPECT_NEAR(*old.organization.p90_days, 2.0, 1e-9);
  ASSERT_TRUE(old.organization.index_then.has_value());
  ASSERT_TRUE(old.organization.index_now.has_value());
  EXPECT_DOUBLE_EQ(*old.organization.index_now, scorer_->Organization().index());
  const crosswalk::TierFacts& protect = old.functions.at(Function(kAccessControl));
  EXPECT_EQ(*protect.gaps_closed, 1);
  EXPECT_EQ(*old.functions.at(Function(kAssetInventory)).gaps_closed, 0);
  EXPECT_EQ(protect.index_then, old.organization.index_then);

  answer = tiers_->GetTiers(kAuditor, v1::GetTiersRequest());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->trend_window_days(), 30u);
  EXPECT_EQ(answer->remediation_window_days(), 90u);
  EXPECT_TRUE(answer->tiers(0).figures().has_index_then());
  EXPECT_EQ(answer->tiers(0).figures().gaps_closed(), 1u);
}

TEST_F(TierQueriesTest, TheAnswerListsTheOrganisationThenFunctionsInCatalogOrderWithTheirRule) {
  // Every IG1 outcome of both assets live at level 1: tier 3 (no gap ever closed).
  for (const char* asset : {"web", "db"}) {
    for (int o : Catalog::Builtin().model(ImplementationGroup::kIG1).applicable_outcomes()) {
      Report(asset, Catalog::Builtin().outcomes()[o].id, v1::DLI_100, absl::Hours(24));
    }
  }
  absl::StatusOr<v1::TiersAnswer> answer = tiers_->GetTiers(kAuditor, v1::GetTiersRequest());
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_GE(answer->tiers_size(), 2);
  EXPECT_EQ(answer->tiers(0).scope(), "organization");
  EXPECT_EQ(answer->tiers(0).name(), "the organisation");
  EXPECT_EQ(answer->tiers(0).tier(), 3);
  EXPECT_EQ(answer->tiers(0).tier_name(), "Repeatable");
  EXPECT_THAT(answer->tiers(0).facts(0), HasSubstr("evidence coverage 100%"));
  EXPECT_THAT(answer->tiers(0).facts(),
              testing::Contains(HasSubstr("gaps closed on time: 0 closed")));
  EXPECT_EQ(answer->tiers(0).facts(answer->tiers(0).facts_size() - 1),
            "non-falling trend: no history that far back: no");
  std::vector<std::string> order;
  for (const CatalogFunction& function : Catalog::Builtin().functions())
    order.push_back(function.id);
  size_t last = 0;
  for (int i = 1; i < answer->tiers_size(); ++i) {
    auto at = std::find(order.begin(), order.end(), answer->tiers(i).scope());
    ASSERT_NE(at, order.end()) << answer->tiers(i).scope();
    EXPECT_GE(static_cast<size_t>(at - order.begin()), last);
    last = at - order.begin();
    EXPECT_EQ(answer->tiers(i).tier(), 3) << answer->tiers(i).scope();
  }
}

}  // namespace
}  // namespace postura::collector
