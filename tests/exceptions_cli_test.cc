// Risk exceptions and renewal through real processes: a collector and the `postura`
// client as an admin, a supplier and a reviewer run them. The admin accepts a risk, the
// report counts it as a gap with an accepted risk, everyone sees what their role and
// tenant allow, bad input gets specific errors and stores nothing, revoking works once.
// A complete request is renewed with its approved answer pending again.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/cli_process_test.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kOutcome[] = "ID_SC_ID_SC_2";  // Supply chain, IG1: a gap on web until answered.

class ExceptionsCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string(), "127.0.0.1:0", "");
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
    Ok({"tenants", "put", "acme", "--name", "ACME Hosting", "--kind", "supplier"});
    Ok({"tenants", "put", "other", "--name", "Other Ltd", "--kind", "supplier"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG1", "--supplier", "acme"});
    supplier_ = Token("supplier", {"--role", "supplier", "--tenant", "acme", "--name", "acme-ops"});
    other_ = Token("other", {"--role", "supplier", "--tenant", "other", "--name", "other-ops"});
    reviewer_ = Token("reviewer", {"--role", "admin", "--name", "reviewer"});
  }

  std::string Token(const std::string& name, std::vector<std::string> args) {
    const std::string file = (dir_.path() / (name + ".token")).string();
    args.insert(args.begin(), {"tokens", "create", "api"});
    args.insert(args.end(), {"-o", file});
    Ok(args);
    return file;
  }

  std::vector<std::string> Create(const std::string& asset, const std::string& until,
                                  const std::string& reason = "Replacement contracted for Q2.") {
    return {"exceptions", "create", "--asset", asset, "--outcome",      kOutcome,
            "--reason",   reason,   "--until", until, "--requested-by", "CISO"};
  }

  std::string supplier_, other_, reviewer_;
};

TEST_F(ExceptionsCliTest, AcceptRiskListCountInTheReportAndRevoke) {
  EXPECT_THAT(Ok(Create("web", "90d")),
              HasSubstr("EXC-000001: the risk of outcome ID_SC_ID_SC_2 on asset web is accepted "
                        "until"));
  EXPECT_THAT(Ok({"exceptions", "list"}), HasSubstr("EXC-000001  active  web"));
  Json listed = OkJson({"exceptions", "list", "--asset", "web"});
  ASSERT_EQ(listed["exceptions"].size(), 1u);
  EXPECT_EQ(listed["exceptions"][0]["status"], "RISK_EXCEPTION_ACTIVE");
  EXPECT_EQ(listed["exceptions"][0]["requestedBy"], "CISO");
  // The supplier of web reads it; another supplier sees none and may not create any.
  EXPECT_THAT(Ok({"exceptions", "list"}, supplier_), HasSubstr("EXC-000001"));
  EXPECT_THAT(Ok({"exceptions", "list"}, other_), HasSubstr("No risk exceptions."));
  EXPECT_THAT(Refused(Create("web", "30d"), supplier_), HasSubstr("role supplier may not"));

  // The report counts the gap apart; the score is the same as without the exception.
  const std::string report = Ok({"report"});
  EXPECT_THAT(report, HasSubstr("## Gaps with an accepted risk"));
  EXPECT_THAT(report, HasSubstr("1 gaps with an accepted risk (1 active risk exceptions)"));
  EXPECT_THAT(report, HasSubstr("| web | ID_SC_ID_SC_2 | DLI_0 | EXC-000001 |"));
  Json json = OkJson({"report"});
  EXPECT_EQ(json["acceptedRisk"]["gapsWithAcceptedRisk"], 1);
  EXPECT_EQ(json["assets"][0]["value"], 0.0);
  EXPECT_THAT(Ok({"audit"}), HasSubstr("exception.create  EXC-000001"));

  EXPECT_THAT(Ok({"exceptions", "revoke", "EXC-000001", "--reason", "Contract signed."}),
              HasSubstr("Revoked EXC-000001."));
  EXPECT_THAT(Refused({"exceptions", "revoke", "EXC-000001"}), HasSubstr("revoked already"));
  EXPECT_THAT(Ok({"report"}), HasSubstr("0 gaps with an accepted risk (0 active"));
}

TEST_F(ExceptionsCliTest, BadInputGetsSpecificErrorsAndStoresNothing) {
  const std::string yesterday =
      absl::FormatTime(absl::RFC3339_sec, absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  EXPECT_THAT(Refused(Create("nope", "90d")), HasSubstr("asset: no asset 'nope'"));
  std::vector<std::string> unknown_outcome = Create("web", "90d");
  unknown_outcome[5] = "XX_NOPE";
  EXPECT_THAT(Refused(unknown_outcome), HasSubstr("outcome: no outcome 'XX_NOPE'"));
  EXPECT_THAT(Refused(Create("web", yesterday)), HasSubstr("until: an end date after now"));
  EXPECT_THAT(Refused(Create("web", "1200d")), HasSubstr("at most 3 years ahead"));
  EXPECT_THAT(Refused(Create("web", "soon")), HasSubstr("--until 'soon'"));
  EXPECT_THAT(Refused(Create("web", "90d", "")), HasSubstr("reason: give 1 to 4096 bytes"));
  EXPECT_THAT(Refused({"exceptions", "revoke", "EXC-000009"}),
              HasSubstr("no exception 'EXC-000009'"));
  EXPECT_THAT(Ok({"exceptions", "list"}), HasSubstr("No risk exceptions."));
  EXPECT_THAT(Ok({"audit"}), Not(HasSubstr("exception.")));
  // The collector keeps serving.
  EXPECT_THAT(Ok(Create("web", "90d")), HasSubstr("EXC-000001"));
}

TEST_F(ExceptionsCliTest, RenewACompleteRequestWithItsAnswerPendingAgain) {
  Ok({"requests", "create", "--title", "Supply chain 2027", "--outcome", kOutcome, "--supplier",
      "acme", "--owner-supplier", "acme", "--due", "30d", "--validity", "30d"});
  const std::filesystem::path policy = dir_.path() / "policy.txt";
  std::ofstream(policy) << "Supplier policy v3, signed by the CISO.\n";
  Ok({"evidence", "submit", "REQ-000001", "--outcome", kOutcome, "--level", "1", "--statement",
      "Policy v3.", "--attach", policy.string()},
     supplier_);
  EXPECT_THAT(Refused({"requests", "renew", "REQ-000001"}), HasSubstr("is still open"));
  Ok({"evidence", "review", "REQ-000001", "--outcome", kOutcome, "--approve", "--comment", "ok"},
     reviewer_);

  EXPECT_THAT(Refused({"requests", "renew", "REQ-000001"}, supplier_),
              HasSubstr("role supplier may not"));
  const std::string renewed = Ok({"requests", "renew", "REQ-000001"});
  EXPECT_THAT(renewed, HasSubstr("Renewed REQ-000001 as REQ-000002"));
  EXPECT_THAT(renewed, HasSubstr("renews REQ-000001"));
  EXPECT_THAT(renewed, HasSubstr("submitted"));
  EXPECT_THAT(Ok({"requests", "show", "REQ-000001"}), HasSubstr("renewed by REQ-000002"));
  Json renewal = OkJson({"requests", "show", "REQ-000002"}, supplier_);
  EXPECT_EQ(renewal["outcomes"][0]["status"], "ANSWER_SUBMITTED");
  EXPECT_EQ(renewal["outcomes"][0]["answer"]["statement"], "Policy v3.");
  EXPECT_THAT(Refused({"requests", "renew", "REQ-000001"}),
              HasSubstr("renewed already by REQ-000002"));
  EXPECT_THAT(Ok({"audit"}), HasSubstr("request.renew"));
  // The pre-filled answer is approved as any other.
  Ok({"evidence", "review", "REQ-000002", "--outcome", kOutcome, "--approve", "--comment", "ok"},
     reviewer_);
  EXPECT_THAT(Ok({"requests", "show", "REQ-000002"}), HasSubstr("complete"));
}

}  // namespace
}  // namespace postura
