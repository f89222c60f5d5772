// Evidence over time, through the real servers and an in-process collector whose clock
// the test moves (tests/access_control_fixture.h): an approved answer goes stale at the
// end of its validity as expired host evidence does; renewing re-opens the request with
// the answer and its document pending, and approving it makes the outcome live again; a
// risk exception moves no level and no score and is counted as accepted risk.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/exceptions.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "postura/v1/requests.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::postura::test::FreshChannel;
using ::testing::HasSubstr;
using Exceptions = v1::RiskExceptions;
using Requests = v1::EvidenceRequests;

constexpr char kAsked[] = "ID_SC_ID_SC_2";

class RequestsLifecycleTest : public AccessControlTest {
 protected:
  // The outcome's score on the asset, as the admin reads it.
  v1::OutcomeScore Outcome(const std::string& asset, const std::string& outcome) {
    v1::GetAssetScoreRequest request;
    request.set_asset_id(asset);
    v1::AssetScore score;
    EXPECT_TRUE(Call<v1::QueryService>(address_, admin_, &v1::QueryService::Stub::GetAssetScore,
                                       request, &score)
                    .ok());
    for (const v1::FunctionScore& function : score.functions()) {
      for (const v1::CategoryScore& category : function.categories()) {
        for (const v1::OutcomeScore& scored : category.outcomes()) {
          if (scored.id() == outcome) return scored;
        }
      }
    }
    ADD_FAILURE() << outcome << " is not scored on " << asset;
    return v1::OutcomeScore();
  }

  // Waits up to 10 s for the outcome to reach `state` (expiry runs on the scorer's thread).
  v1::OutcomeScore AwaitState(const std::string& asset, const std::string& outcome,
                              v1::OutcomeState state) {
    v1::OutcomeScore scored;
    for (int i = 0; i < 200; ++i) {
      scored = Outcome(asset, outcome);
      if (scored.state() == state) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return scored;
  }

  v1::GetAssetScoreRequest ScoreOf(const std::string& asset) {
    v1::GetAssetScoreRequest request;
    request.set_asset_id(asset);
    return request;
  }

  // Opens a request to acme for kAsked, answers it with a text document, approves it.
  v1::EvidenceRequest ApprovedRequest(absl::Duration validity) {
    v1::CreateEvidenceRequestRequest create;
    create.set_title("Supply chain");
    create.mutable_outcomes()->add_outcome_ids(kAsked);
    create.set_scope_kind(v1::REQUEST_SCOPE_SUPPLIER);
    create.set_scope_id("acme");
    create.set_owner_kind(v1::OWNER_SUPPLIER);
    create.set_owner_id("acme");
    create.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(72)));
    create.set_validity_seconds(absl::ToInt64Seconds(validity));
    v1::EvidenceRequest created;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::CreateRequest, create, &created).ok());
    auto stub = Requests::NewStub(FreshChannel(address_, supplier_));
    std::unique_ptr<grpc::ClientContext> context = Context();
    v1::EvidenceRequest answered;
    auto writer = stub->SubmitAnswer(context.get(), &answered);
    v1::SubmitAnswerChunk chunk;
    chunk.mutable_header()->set_request_id(created.id());
    chunk.mutable_header()->set_outcome_id(kAsked);
    chunk.mutable_header()->set_level(v1::DLI_100);
    chunk.mutable_header()->set_statement("Supplier policy v3, signed.");
    chunk.set_file_name("policy.txt");
    chunk.set_data("Supplier policy v3.\n");
    if (writer->Write(chunk)) writer->WritesDone();
    EXPECT_TRUE(writer->Finish().ok());
    Approve(created.id());
    v1::GetEvidenceRequestRequest get;
    get.set_request_id(created.id());
    v1::EvidenceRequest approved;
    EXPECT_TRUE(Call<Requests>(address_, admin_, &Requests::Stub::GetRequest, get, &approved).ok());
    return approved;
  }

  void Approve(const std::string& id) {
    v1::ReviewAnswerRequest review;
    review.set_request_id(id);
    review.set_outcome_id(kAsked);
    review.set_approve(true);
    review.set_comment("Signed policy seen.");
    grpc::Status reviewed = Call<Requests>(address_, admin_, &Requests::Stub::ReviewAnswer, review);
    EXPECT_TRUE(reviewed.ok()) << reviewed.error_message();
  }
};

TEST_F(RequestsLifecycleTest, AnApprovalGoesStaleAtExpiryAndARenewalRestoresIt) {
  const v1::EvidenceRequest approved = ApprovedRequest(absl::Hours(24));
  ASSERT_EQ(approved.status(), v1::REQUEST_COMPLETE);
  v1::OutcomeScore live = Outcome("acme-web", kAsked);
  EXPECT_EQ(live.state(), v1::LIVE);
  EXPECT_EQ(live.level(), v1::DLI_100);

  clock_.Advance(absl::Hours(24) - absl::Seconds(5));
  EXPECT_EQ(Outcome("acme-web", kAsked).state(), v1::LIVE);
  clock_.Advance(absl::Seconds(10));
  v1::OutcomeScore stale = AwaitState("acme-web", kAsked, v1::STALE);
  EXPECT_EQ(stale.state(), v1::STALE);
  EXPECT_EQ(stale.level(), v1::DLI_0);

  v1::RenewEvidenceRequestRequest renew;
  renew.set_request_id(approved.id());
  v1::EvidenceRequest renewal;
  grpc::Status renewed =
      Call<Requests>(address_, admin_, &Requests::Stub::RenewRequest, renew, &renewal);
  ASSERT_TRUE(renewed.ok()) << renewed.error_message();
  EXPECT_EQ(renewal.renews_request_id(), approved.id());
  ASSERT_EQ(renewal.outcomes_size(), 1);
  EXPECT_EQ(renewal.outcomes(0).status(), v1::ANSWER_SUBMITTED);
  EXPECT_EQ(renewal.outcomes(0).answer().documents(0).sha256_hex(),
            approved.outcomes(0).answer().documents(0).sha256_hex());
  // Nothing scores before the review.
  EXPECT_EQ(Outcome("acme-web", kAsked).state(), v1::STALE);
  // The supplier may read its renewal; a second renewal is refused.
  v1::GetEvidenceRequestRequest get;
  get.set_request_id(renewal.id());
  EXPECT_TRUE(Call<Requests>(address_, supplier_, &Requests::Stub::GetRequest, get).ok());
  grpc::Status twice = Call<Requests>(address_, admin_, &Requests::Stub::RenewRequest, renew);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(twice.error_message(), HasSubstr("renewed already by " + renewal.id()));

  Approve(renewal.id());
  live = Outcome("acme-web", kAsked);
  EXPECT_EQ(live.state(), v1::LIVE);
  EXPECT_EQ(live.level(), v1::DLI_100);
}

TEST_F(RequestsLifecycleTest, AnExceptionMovesNoScoreAndCountsAsAcceptedRisk) {
  v1::AssetScore before;
  ASSERT_TRUE(Call<v1::QueryService>(address_, admin_, &v1::QueryService::Stub::GetAssetScore,
                                     ScoreOf("hq"), &before)
                  .ok());
  const v1::OutcomeScore gap = Outcome("hq", kOutcome);  // Reported at 0.67 by the fixture.
  ASSERT_EQ(gap.level(), v1::DLI_67);

  v1::CreateRiskExceptionRequest create;
  create.set_asset_id("hq");
  create.set_outcome_id(kOutcome);
  create.set_reason("MFA rollout finishes in Q3; risk accepted by the CISO.");
  create.set_until_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 30)));
  v1::RiskException created;
  ASSERT_TRUE(
      Call<Exceptions>(address_, admin_, &Exceptions::Stub::CreateException, create, &created)
          .ok());
  EXPECT_EQ(created.status(), v1::RISK_EXCEPTION_ACTIVE);

  v1::AssetScore after;
  ASSERT_TRUE(Call<v1::QueryService>(address_, admin_, &v1::QueryService::Stub::GetAssetScore,
                                     ScoreOf("hq"), &after)
                  .ok());
  EXPECT_EQ(after.summary().value(), before.summary().value());
  EXPECT_EQ(Outcome("hq", kOutcome).level(), v1::DLI_67);

  v1::AcceptedRisk risk;
  ASSERT_TRUE(Call<Exceptions>(address_, auditor_, &Exceptions::Stub::GetAcceptedRisk,
                               v1::GetAcceptedRiskRequest(), &risk)
                  .ok());
  EXPECT_EQ(risk.organization().active_exceptions(), 1u);
  EXPECT_EQ(risk.organization().gaps_with_accepted_risk(), 1u);
  // The same count over HTTPS, for the dashboard.
  auto client = test::HttpsClient(server_->http_address(), ca_file_, auditor_.token);
  httplib::Result http = client->Get("/api/v1/exceptions/accepted-risk");
  ASSERT_TRUE(http);
  EXPECT_EQ(http->status, 200);
  EXPECT_THAT(http->body, HasSubstr("\"gapsWithAcceptedRisk\":1"));

  // Past its end date it counts no more.
  clock_.Advance(absl::Hours(24 * 30));
  ASSERT_TRUE(Call<Exceptions>(address_, auditor_, &Exceptions::Stub::GetAcceptedRisk,
                               v1::GetAcceptedRiskRequest(), &risk)
                  .ok());
  EXPECT_EQ(risk.organization().active_exceptions(), 0u);
}

TEST_F(RequestsLifecycleTest, TheOwnerIsRemindedOnTheEventStreamBeforeExpiry) {
  // Valid 10 days: within the default 30-day notice at once.
  const v1::EvidenceRequest approved = ApprovedRequest(absl::Hours(24 * 10));
  // The first event of a stream, read until its blank line.
  auto first_event = [&](const CollectorTrust& who) {
    auto client = test::HttpsClient(server_->http_address(), ca_file_, who.token);
    client->set_read_timeout(5, 0);
    std::string event;
    client->Get("/api/v1/events", [&](const char* data, size_t length) {
      event.append(data, length);
      return event.find("\n\n") == std::string::npos;
    });
    return event;
  };
  const std::string reminder = first_event(supplier_);
  EXPECT_THAT(reminder, HasSubstr("event: reminder"));
  EXPECT_THAT(reminder, HasSubstr("\"kind\":\"renewal_due\""));
  EXPECT_THAT(reminder, HasSubstr(approved.id() + "/" + kAsked));
  // Another supplier's stream shows its own scores, not acme's reminder.
  const std::string other = first_event(ApiToken(v1::ROLE_SUPPLIER, "other"));
  EXPECT_THAT(other, HasSubstr("event: score"));
  EXPECT_THAT(other, ::testing::Not(HasSubstr("reminder")));
}

}  // namespace
}  // namespace postura
