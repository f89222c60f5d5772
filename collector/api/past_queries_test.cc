// The answers about the past refuse bad requests with specific errors: instants in the
// future, before the store began or beyond the evidence retention, windows and steps that
// do not fit, unknown assets, departments and suppliers, requests naming no subject or two.

#include "collector/api/past_queries.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'764'849'600);  // 2025-12-04T12:00:00Z

class PastQueriesTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    recorder_ = HistoryRecorder::Start(*store_, clock_, {}).value();
    scorer_ = std::make_unique<LiveScorer>(*store_, Catalog::Builtin(), clock_, recorder_.get());
    registry_->SetObserver(scorer_.get());
    ASSERT_TRUE(scorer_->Start().ok());
    ASSERT_TRUE(registry_->PutDepartment(TestDepartment("it")).ok());
    v1::Asset web = TestAsset("web");
    web.set_department_id("it");
    ASSERT_TRUE(registry_->PutAsset(web).ok());
    queries_ = std::make_unique<ScoreQueries>(*scorer_, *registry_, *store_, Catalog::Builtin());
    past_ = std::make_unique<PastQueries>(
        PastQueriesSources{.queries = queries_.get(),
                           .scorer = scorer_.get(),
                           .registry = registry_.get(),
                           .store = store_.get(),
                           .catalog = &Catalog::Builtin(),
                           .clock = &clock_,
                           .began = recorder_->began(),
                           .evidence_retention = absl::Hours(24 * 90)});
    clock_.Advance(absl::Hours(24 * 100));  // Old enough for every rule to bite.
  }

  void TearDown() override {
    registry_->SetObserver(nullptr);
    past_.reset();
    queries_.reset();
    scorer_.reset();
    recorder_.reset();
  }

  static int64_t Nanos(absl::Time time) { return absl::ToUnixNanos(time); }

  FakeClock clock_{kStart};
  std::unique_ptr<HistoryRecorder> recorder_;
  std::unique_ptr<LiveScorer> scorer_;
  std::unique_ptr<ScoreQueries> queries_;
  std::unique_ptr<PastQueries> past_;
};

MATCHER_P2(IsError, code, text, "") {
  return arg.status().code() == code && absl::StrContains(arg.status().message(), text);
}

TEST_F(PastQueriesTest, AsOfRefusesTheFutureTheTimeBeforeTheStoreAndBeyondRetention) {
  v1::GetAssetScoreRequest request;
  request.set_asset_id("web");
  request.set_as_of_unix_nanos(Nanos(clock_.TimeNow() + absl::Minutes(1)));
  EXPECT_THAT(past_->GetAssetScore(request),
              IsError(absl::StatusCode::kInvalidArgument, "is in the future"));
  request.set_as_of_unix_nanos(Nanos(kStart - absl::Seconds(1)));
  EXPECT_THAT(past_->GetAssetScore(request),
              IsError(absl::StatusCode::kInvalidArgument,
                      "2025-12-04T11:59:59Z is before the store began recording, at "
                      "2025-12-04T12:00:00Z"));
  request.set_as_of_unix_nanos(Nanos(kStart + absl::Hours(24)));
  EXPECT_THAT(past_->GetAssetScore(request),
              IsError(absl::StatusCode::kInvalidArgument, "older than the evidence retention"));
  request.set_as_of_unix_nanos(Nanos(clock_.TimeNow() - absl::Hours(1)));
  absl::StatusOr<v1::AssetScore> score = past_->GetAssetScore(request);
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->summary().name(), "Asset web");
  request.set_asset_id("nosuch");
  EXPECT_THAT(past_->GetAssetScore(request),
              IsError(absl::StatusCode::kNotFound, "no asset 'nosuch'"));
  request.set_asset_id("bad id!");
  EXPECT_THAT(past_->GetAssetScore(request),
              IsError(absl::StatusCode::kInvalidArgument, "asset_id must be"));
  v1::GetOrganizationScoreRequest organization;
  organization.set_as_of_unix_nanos(-5);
  EXPECT_THAT(past_->GetOrganizationScore(organization),
              IsError(absl::StatusCode::kInvalidArgument, "as_of must be a time after 1970"));
}

TEST_F(PastQueriesTest, HistoryNeedsOneKnownSubjectAndAWindowAndStepThatFit) {
  v1::GetScoreHistoryRequest request;
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument, "give exactly one of asset_id"));
  request.set_asset_id("web");
  request.set_organization(true);
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument, "give exactly one of asset_id"));
  request.clear_asset_id();
  request.set_organization(false);
  request.set_department_id("sales");
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kNotFound, "no department 'sales'"));
  request.clear_department_id();
  request.set_supplier_id("acme");
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kNotFound, "no supplier 'acme'"));
  request.clear_supplier_id();
  request.set_implementation_group("IG4");
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument, "'IG4' is not IG1, IG2 or IG3"));
  request.set_implementation_group("IG2");
  ASSERT_TRUE(past_->GetScoreHistory(request).ok());

  request.set_step_nanos(absl::ToInt64Nanoseconds(absl::Milliseconds(10)));
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument, "step must be at least 1s"));
  request.set_step_nanos(absl::ToInt64Nanoseconds(absl::Seconds(1)));
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument,
                      "gives 8640001 points; at most 10000: give a longer step"));
  request.set_step_nanos(absl::ToInt64Nanoseconds(absl::Hours(24)));
  recorder_->Flush();
  absl::StatusOr<v1::ScoreHistory> daily = past_->GetScoreHistory(request);
  ASSERT_TRUE(daily.ok()) << daily.status();
  EXPECT_EQ(daily->points_size(), 101) << "one a day from the start to now, both included";
  EXPECT_EQ(daily->points(0).asset_count(), 1u);

  request.set_since_unix_nanos(Nanos(clock_.TimeNow() - absl::Hours(1)));
  request.set_until_unix_nanos(Nanos(clock_.TimeNow() - absl::Hours(2)));
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument, "is after until"));
  request.set_until_unix_nanos(Nanos(kStart - absl::Hours(2)));
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument,
                      "until 2025-12-04T10:00:00Z is before the store began recording"));
  request.set_since_unix_nanos(Nanos(clock_.TimeNow() + absl::Hours(1)));
  request.clear_until_unix_nanos();
  EXPECT_THAT(past_->GetScoreHistory(request),
              IsError(absl::StatusCode::kInvalidArgument, "is in the future"));
}

TEST_F(PastQueriesTest, DiffNeedsOneSubjectAndFromBeforeTo) {
  v1::GetScoreDiffRequest request;
  request.set_asset_id("web");
  EXPECT_THAT(past_->GetScoreDiff(request),
              IsError(absl::StatusCode::kInvalidArgument, "from is required"));
  request.set_organization(true);
  request.set_from_unix_nanos(Nanos(clock_.TimeNow() - absl::Hours(1)));
  EXPECT_THAT(past_->GetScoreDiff(request),
              IsError(absl::StatusCode::kInvalidArgument, "exactly one of asset_id and"));
  request.set_organization(false);
  request.set_to_unix_nanos(Nanos(clock_.TimeNow() - absl::Hours(2)));
  EXPECT_THAT(past_->GetScoreDiff(request),
              IsError(absl::StatusCode::kInvalidArgument, "is after to"));
  request.set_to_unix_nanos(Nanos(clock_.TimeNow() + absl::Hours(2)));
  EXPECT_THAT(past_->GetScoreDiff(request),
              IsError(absl::StatusCode::kInvalidArgument, "to 2026-03-14T14:00:00Z is in the "));
  request.clear_to_unix_nanos();
  absl::StatusOr<v1::ScoreDiff> diff = past_->GetScoreDiff(request);
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_TRUE(diff->changes().empty()) << "no evidence came, nothing changed";
  request.set_asset_id("nosuch");
  EXPECT_THAT(past_->GetScoreDiff(request),
              IsError(absl::StatusCode::kNotFound, "no asset 'nosuch'"));
}

TEST_F(PastQueriesTest, WindowStartsAtTheHistoryThenAtTheRetentionAndEndsNow) {
  PastWindow window = past_->Window();
  EXPECT_EQ(window.began, kStart);
  EXPECT_EQ(window.now, clock_.TimeNow());
  EXPECT_EQ(window.earliest, clock_.TimeNow() - absl::Hours(24 * 90))
      << "100 days after the start, the 90-day evidence retention bounds as-of and diff";
  v1::GetScoreDiffRequest diff;
  diff.set_organization(true);
  diff.set_from_unix_nanos(Nanos(window.earliest));
  EXPECT_TRUE(past_->GetScoreDiff(diff).ok()) << "the earliest instant is accepted";
  diff.set_from_unix_nanos(Nanos(window.earliest - absl::Seconds(1)));
  EXPECT_THAT(past_->GetScoreDiff(diff),
              IsError(absl::StatusCode::kInvalidArgument, "older than the evidence retention"));

  // A young store: the history's start bounds them.
  PastQueries young(PastQueriesSources{.queries = queries_.get(),
                                       .scorer = scorer_.get(),
                                       .registry = registry_.get(),
                                       .store = store_.get(),
                                       .catalog = &Catalog::Builtin(),
                                       .clock = &clock_,
                                       .began = clock_.TimeNow() - absl::Hours(3),
                                       .evidence_retention = absl::Hours(24 * 90)});
  window = young.Window();
  EXPECT_EQ(window.began, clock_.TimeNow() - absl::Hours(3));
  EXPECT_EQ(window.earliest, window.began);
  diff.set_from_unix_nanos(Nanos(window.earliest));
  EXPECT_TRUE(young.GetScoreDiff(diff).ok());
  diff.set_from_unix_nanos(Nanos(window.earliest - absl::Seconds(1)));
  EXPECT_THAT(young.GetScoreDiff(diff),
              IsError(absl::StatusCode::kInvalidArgument, "before the store began recording"));
}

}  // namespace
}  // namespace postura::collector
