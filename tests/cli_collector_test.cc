// The `postura` client against a real collector: both real binaries, in separate processes
// on loopback, run as a user runs them.

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::ChildProcess;
using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::postura::test::RunProcess;
using ::postura::test::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

ProcessResult RunPostura(std::vector<std::string> args) {
  args.insert(args.begin(), POSTURA_BIN);
  absl::StatusOr<ProcessResult> result = RunProcess(args);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{};
}

Json ReadJson(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return Json::parse(text.str());
}

class CliCollectorTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
  }

  // Runs `postura --collector ADDRESS --ca-file CA --token-file TOKEN args...`, as the
  // first admin unless `token_file` names another token.
  ProcessResult Postura(std::vector<std::string> args, std::string token_file = "") {
    if (token_file.empty()) token_file = collector_->admin_token_file();
    args.insert(args.begin(), {"--collector", collector_->address(), "--ca-file",
                               collector_->ca_file(), "--token-file", token_file});
    return RunPostura(std::move(args));
  }

  // Runs a command that must succeed; its stdout.
  std::string Ok(std::vector<std::string> args) {
    ProcessResult result = Postura(args);
    EXPECT_EQ(result.exit_code, 0) << testing::PrintToString(args) << "\n" << result.err;
    return result.out;
  }

  // A department, the database (IG3) and the web portal (IG2) depending on it, with
  // targets on the portal.
  void RegisterWebAndDatabase() {
    Ok({"departments", "put", "sales", "--name", "Sales"});
    Ok({"assets", "put", "db", "--name", "Database", "--ig", "IG3"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG2", "--department", "sales",
        "--depends-on", "db"});
    Ok({"targets", "set", "web", "asset>=0.7", "PR", ">=", "0.8", "--target", "PR.AC>0.5"});
  }

  TempDir collector_dir_;
  TempDir dir_;
  std::unique_ptr<CollectorProcess> collector_;
};

TEST_F(CliCollectorTest, RegistryCommandsPutAndListTenantsDepartmentsAssetsAndAgents) {
  EXPECT_THAT(Ok({"tenants", "put", "acme", "--name", "ACME Hosting", "--kind", "supplier"}),
              HasSubstr("Tenant acme (supplier) saved."));
  EXPECT_THAT(Ok({"tenants", "list"}), AllOf(HasSubstr("acme  supplier      ACME Hosting"),
                                             HasSubstr("org   organization")));
  RegisterWebAndDatabase();
  Ok({"assets", "put", "mail", "--ig", "IG1", "--supplier", "acme"});
  EXPECT_THAT(Ok({"departments", "list"}), HasSubstr("sales  Sales"));
  EXPECT_THAT(Ok({"assets", "list"}),
              AllOf(HasSubstr("3 assets"), HasSubstr("web   IG2  sales       -         db")));
  const Json web = Json::parse(Ok({"assets", "show", "web", "--format", "json"}));
  EXPECT_EQ(web["implementationGroup"], "IG2");
  EXPECT_EQ(web["dependencyIds"], Json::array({"db"}));

  EXPECT_THAT(Ok({"agents", "put", "host-1", "--asset", "web", "--asset", "db"}),
              HasSubstr("Agent host-1 saved"));
  EXPECT_THAT(Ok({"agents", "put", "acme-1", "--asset", "mail", "--tenant", "acme"}),
              HasSubstr("Agent acme-1 saved"));
  EXPECT_THAT(Ok({"agents", "list"}),
              AllOf(HasSubstr("host-1  org"), HasSubstr("db,web"), HasSubstr("acme-1  acme")));
  const Json agents = Json::parse(Ok({"agents", "list", "--format", "json"}));
  EXPECT_EQ(agents["agents"].size(), 2u);

  // Deleting what is still in use is refused with the collector's reason.
  ProcessResult in_use = Postura({"tenants", "delete", "acme"});
  EXPECT_EQ(in_use.exit_code, 1);
  EXPECT_THAT(in_use.err, HasSubstr("postura: "));
  Ok({"agents", "delete", "acme-1"});
  Ok({"assets", "delete", "mail"});
  Ok({"tenants", "delete", "acme"});
  EXPECT_THAT(Ok({"tenants", "list"}), AllOf(HasSubstr("1 tenant"), Not(HasSubstr("acme"))));
}

TEST_F(CliCollectorTest, DependencyEditsAndACycleIsRefusedWithExitOneNamingIt) {
  RegisterWebAndDatabase();
  Ok({"assets", "put", "dns", "--ig", "IG1"});
  EXPECT_THAT(Ok({"deps", "add", "web", "dns"}), HasSubstr("Asset web now depends on dns."));
  EXPECT_THAT(Ok({"assets", "show", "web"}), HasSubstr("Depends on      db, dns"));

  ProcessResult cycle = Postura({"deps", "add", "db", "web"});
  EXPECT_EQ(cycle.exit_code, 1);
  EXPECT_THAT(cycle.err, HasSubstr("dependency cycle: db -> web -> db"));

  EXPECT_THAT(Ok({"deps", "remove", "web", "dns"}), HasSubstr("no longer depends on dns"));
  ProcessResult absent = Postura({"deps", "remove", "web", "dns"});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_THAT(absent.err, HasSubstr("asset web does not depend on dns"));
  ProcessResult unknown = Postura({"deps", "add", "nope", "db"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no asset 'nope'"));
}

TEST_F(CliCollectorTest, TargetsSetListAndClear) {
  RegisterWebAndDatabase();
  EXPECT_THAT(Ok({"targets", "list", "web"}),
              AllOf(HasSubstr("Asset web: 3 targets"), HasSubstr("asset     asset >= 0.7"),
                    HasSubstr("function  PR >= 0.8"), HasSubstr("category  PR.AC > 0.5")));
  const Json targets = Json::parse(Ok({"targets", "list", "web", "--format", "json"}));
  ASSERT_EQ(targets["targets"].size(), 3u);
  EXPECT_EQ(targets["targets"][1]["scope"], "SCOPE_FUNCTION");
  EXPECT_EQ(targets["targets"][1]["scopeId"], "PR");
  EXPECT_EQ(targets["targets"][1]["operator"], "GREATER_OR_EQUAL");

  EXPECT_THAT(Ok({"targets", "clear", "web"}), HasSubstr("Asset web has no targets now."));
  EXPECT_THAT(Ok({"targets", "list", "web"}), HasSubstr("Asset web has no targets"));
}

TEST_F(CliCollectorTest, BadTargetsExitOneWithAClearMessage) {
  RegisterWebAndDatabase();
  ProcessResult no_operator = Postura({"targets", "set", "web", "PR", "0.8"});
  EXPECT_EQ(no_operator.exit_code, 1);
  EXPECT_THAT(no_operator.err,
              AllOf(HasSubstr("target 'PR': no comparison operator"), HasSubstr("SCOPE OP VALUE")));
  ProcessResult out_of_range = Postura({"targets", "set", "web", "PR>=1.5"});
  EXPECT_EQ(out_of_range.exit_code, 1);
  EXPECT_THAT(out_of_range.err, HasSubstr("value 1.5 is outside [0, 1]"));
  ProcessResult unknown_scope = Postura({"targets", "set", "web", "XX>=0.5"});
  EXPECT_EQ(unknown_scope.exit_code, 1);
  EXPECT_THAT(unknown_scope.err, HasSubstr("unknown scope 'XX'"));
  // RC (Recover) applies to IG3 only: the collector refuses it for the IG2 portal.
  ProcessResult not_applicable = Postura({"targets", "set", "web", "RC>=0.5"});
  EXPECT_EQ(not_applicable.exit_code, 1);
  EXPECT_THAT(not_applicable.err, HasSubstr("function RC does not apply to IG2"));
  // Nothing of the refused commands was stored.
  EXPECT_THAT(Ok({"targets", "list", "web"}), HasSubstr("3 targets"));
}

TEST_F(CliCollectorTest, ScoreShowsTheAssetWithoutEvidenceAtZeroAndItsJsonParses) {
  RegisterWebAndDatabase();
  const std::string text = Ok({"score", "web"});
  EXPECT_THAT(text,
              AllOf(HasSubstr("Asset web (Web portal), IG2, department sales"),
                    HasSubstr("Value            ░░░░░░░░░░ 0.00"), HasSubstr("0 of 3 targets met"),
                    HasSubstr("PR.AC"), HasSubstr("asset >= 0.7   0.00  NOT MET")));
  EXPECT_THAT(Ok({"score", "web", "--outcomes"}),
              AllOf(HasSubstr("Outcomes"), HasSubstr("PR_AC_CSC_5_2"), HasSubstr("no evidence")));

  const Json json = Json::parse(Ok({"score", "web", "--format", "json"}));
  EXPECT_EQ(json["summary"]["assetId"], "web");
  EXPECT_EQ(json["summary"]["value"], 0.0);
  EXPECT_EQ(json["summary"]["targetCount"], 3);
  EXPECT_EQ(json["targets"].size(), 3u);
  EXPECT_FALSE(json["functions"].empty());

  ProcessResult unknown = Postura({"score", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no asset 'nope'"));
}

TEST_F(CliCollectorTest, OrganisationScoreInTextAndJson) {
  RegisterWebAndDatabase();
  EXPECT_THAT(Ok({"score", "--org"}),
              AllOf(HasSubstr("Organisation: 2 assets"), HasSubstr("Implementation groups"),
                    HasSubstr("sales       Sales       1"), HasSubstr("Functional areas"),
                    HasSubstr("Meeting targets")));
  const Json json = Json::parse(Ok({"org", "--format", "json"}));
  EXPECT_EQ(json["assetCount"], 2);
  EXPECT_EQ(json["departments"][0]["key"], "sales");
}

TEST_F(CliCollectorTest, GapsComeByFunctionalAreaLargestShareFirst) {
  RegisterWebAndDatabase();
  const std::string text = Ok({"gaps", "web"});
  EXPECT_THAT(text,
              AllOf(HasSubstr("Gaps of asset web:"), HasSubstr("share"), HasSubstr("no evidence")));
  const Json json = Json::parse(Ok({"gaps", "web", "--format", "json"}));
  ASSERT_FALSE(json["areas"].empty());
  // The first area in the text is the collector's first area.
  const std::string first = json["areas"][0]["functionalAreaId"];
  EXPECT_EQ(text.find("\n" + first + "  "), text.find("\nFA"));
}

TEST_F(CliCollectorTest, EvidenceHistoryIsEmptyBeforeAnyAgentReports) {
  RegisterWebAndDatabase();
  EXPECT_THAT(Ok({"evidence", "web", "PR_AC_CSC_5_2", "--since", "7d"}), HasSubstr("0 records"));
  ProcessResult bad_since = Postura({"evidence", "web", "PR_AC_CSC_5_2", "--since", "soon"});
  EXPECT_EQ(bad_since.exit_code, 1);
  EXPECT_THAT(bad_since.err, HasSubstr("write one like 45s, 90m, 1h30m or 7d"));
}

TEST_F(CliCollectorTest, PlanMeetsTheTargetsOrExitsThreeWhenTheyConflict) {
  RegisterWebAndDatabase();
  ProcessResult plan = Postura({"plan", "web"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out,
              AllOf(HasSubstr("Plan for asset web: all 3 targets met"),
                    HasSubstr("Changes by leading functional area"), HasSubstr("NOT MET -> met")));
  // RS weighs 0.25 in IG2: with RS at 0 the asset cannot reach 0.95.
  Ok({"targets", "set", "web", "asset>=0.95", "RS<=0"});
  ProcessResult conflict = Postura({"plan", "web", "--format", "json"});
  EXPECT_EQ(conflict.exit_code, 3) << conflict.err;
  const Json json = Json::parse(conflict.out);
  EXPECT_EQ(json["feasible"], false);
  EXPECT_EQ(json["conflictingTargets"].size(), 2u);
}

// Issue 24, item 10: under AddressSanitizer a `postura` process sometimes exited while one
// of gRPC's threads was still exiting, and LeakSanitizer failed it for that thread's
// OpenSSL error state. On a busy machine (two spinning threads) every run must exit 0.
TEST_F(CliCollectorTest, CommandsExitCleanlyWhileTheMachineIsBusy) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (int i = 0; i < 2; ++i) {
    spinners.emplace_back([&stop] {
      volatile uint64_t work = 0;
      while (!stop.load(std::memory_order_relaxed)) work = work + 1;
    });
  }
  int failures = 0;
  std::string last_error;
  for (int run = 0; run < 20; ++run) {
    ProcessResult result = Postura({"whoami"});
    if (result.exit_code != 0) {
      ++failures;
      last_error = result.err;
    }
  }
  stop = true;
  for (std::thread& spinner : spinners) spinner.join();
  EXPECT_EQ(failures, 0) << last_error;
}

TEST_F(CliCollectorTest, FlecoExportThenImportRoundTripsTheTargets) {
  RegisterWebAndDatabase();
  const std::string case_path = (dir_.path() / "web.json").string();
  EXPECT_THAT(Ok({"fleco", "export", "web", "-o", case_path}), HasSubstr("Wrote " + case_path));
  const Json exported = ReadJson(case_path);
  EXPECT_EQ(exported["caseIG"], "IG2");
  EXPECT_EQ(exported["hasTargetStatus"], false);
  EXPECT_EQ(exported["strategicConstraints"].size(), 3u);
  // The exported case is a valid case for the offline tools.
  EXPECT_EQ(RunPostura({"fleco", "score", case_path}).exit_code, 0);

  const std::string before = Ok({"targets", "list", "web", "--format", "json"});
  Ok({"targets", "clear", "web"});
  EXPECT_THAT(Ok({"fleco", "import", case_path, "web"}),
              HasSubstr("Asset web now has the 3 targets of " + case_path));
  EXPECT_EQ(Ok({"targets", "list", "web", "--format", "json"}), before);

  ProcessResult missing = Postura({"fleco", "import", (dir_.path() / "nope.json").string(), "web"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nope.json"));
}

TEST_F(CliCollectorTest, WatchPrintsJsonLinesUntilInterrupted) {
  RegisterWebAndDatabase();
  const std::string log = (dir_.path() / "watch.log").string();
  absl::StatusOr<std::unique_ptr<ChildProcess>> watch =
      ChildProcess::Start({POSTURA_BIN, "--collector", collector_->address(), "--ca-file",
                           collector_->ca_file(), "--token-file", collector_->admin_token_file(),
                           "watch", "--asset", "web", "--format", "json"},
                          log);
  ASSERT_TRUE(watch.ok()) << watch.status();
  // The current summary comes first; wait until its line is complete.
  std::string output;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!absl::StrContains(output, "\n") && absl::Now() < deadline) {
    absl::StatusOr<std::string> read = test::WaitForFile(log, absl::Seconds(20));
    ASSERT_TRUE(read.ok()) << read.status();
    output = *read;
  }
  (*watch)->Signal(SIGINT);
  EXPECT_EQ((*watch)->Wait(), 0);
  const Json update = Json::parse(output.substr(0, output.find('\n')));
  EXPECT_EQ(update["summary"]["assetId"], "web");
  EXPECT_EQ(update["summary"]["targetCount"], 3);
}

// An admin hands out a token per role; each role can do what it may and is told plainly
// what it may not; a revoked token stops working at once.
TEST_F(CliCollectorTest, TokensCreateListRevokeAndRolesAreEnforced) {
  RegisterWebAndDatabase();
  const std::string operator_file = (dir_.path() / "operator.token").string();
  EXPECT_THAT(Ok({"tokens", "create", "api", "--role", "operator", "--name", "SOC night shift",
                  "--ttl", "30d", "-o", operator_file}),
              HasSubstr("written to " + operator_file));
  EXPECT_THAT(Postura({"whoami"}, operator_file).out, HasSubstr("role operator, tenant org"));
  EXPECT_EQ(Postura({"score", "web"}, operator_file).exit_code, 0);
  ProcessResult refused =
      Postura({"assets", "put", "x", "--name", "X", "--ig", "IG1"}, operator_file);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("role operator may not change the registry"));
  EXPECT_THAT(Postura({"tokens", "list"}, operator_file).err,
              HasSubstr("role operator may not manage credentials"));

  const std::string enroll_file = (dir_.path() / "enroll.token").string();
  Ok({"tokens", "create", "enrollment", "--asset", "web", "--uses", "2", "--ttl", "1h", "-o",
      enroll_file});
  const Json list = Json::parse(Ok({"tokens", "list", "--format", "json"}));
  std::string operator_id;
  int enrollment_tokens = 0;
  for (const Json& credential : list["credentials"]) {
    EXPECT_EQ(credential.value("secretSha256", ""), "") << credential;  // Never answered.
    if (credential["name"] == "SOC night shift") operator_id = credential["id"];
    if (credential["kind"] == "ENROLLMENT_TOKEN") {
      ++enrollment_tokens;
      EXPECT_EQ(credential["usesLeft"], 2);
    }
  }
  EXPECT_EQ(enrollment_tokens, 1);
  ASSERT_FALSE(operator_id.empty());
  EXPECT_THAT(Ok({"tokens", "list"}), AllOf(HasSubstr("SOC night shift"), HasSubstr("enrollment")));
  EXPECT_THAT(Ok({"tokens", "revoke", operator_id}), HasSubstr("revoked"));
  ProcessResult revoked = Postura({"score", "web"}, operator_file);
  EXPECT_EQ(revoked.exit_code, 1);
  EXPECT_THAT(revoked.err, HasSubstr("refused the credential"));
  EXPECT_EQ(Postura({"tokens", "revoke", operator_id}).exit_code, 1);  // Gone already.
  EXPECT_EQ(Postura({"tokens", "create", "api", "--role", "supplier"}).exit_code, 1);  // No tenant.
}

// The report an auditor exports: Markdown by default, one JSON document on request, the
// same numbers as the API.
TEST_F(CliCollectorTest, ReportExportsTheOrganisationAssetsAndGaps) {
  RegisterWebAndDatabase();
  const std::string auditor_file = (dir_.path() / "auditor.token").string();
  Ok({"tokens", "create", "api", "--role", "auditor", "-o", auditor_file});
  const std::string report_file = (dir_.path() / "report.md").string();
  ProcessResult written = Postura({"report", "-o", report_file, "--top", "3"}, auditor_file);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_THAT(written.out, HasSubstr("Report of 2 assets written to"));
  std::ifstream file(report_file);
  std::stringstream markdown;
  markdown << file.rdbuf();
  EXPECT_THAT(markdown.str(), AllOf(HasSubstr("# Posture report"), HasSubstr("## Organisation"),
                                    HasSubstr("| web | Web portal | IG2 | sales |"),
                                    HasSubstr("### db"), HasSubstr("NOT met (3)")));
  const Json json = Json::parse(Ok({"report", "--format", "json"}));
  EXPECT_EQ(json["organization"]["assetCount"], 2);
  ASSERT_EQ(json["assets"].size(), 2u);
  ASSERT_EQ(json["gaps"].size(), 2u);
  EXPECT_EQ(json["gaps"][0]["assetId"], json["assets"][0]["assetId"]);
  EXPECT_FALSE(json["gaps"][0]["areas"].empty());
  EXPECT_EQ(Postura({"report", "--format", "pdf"}).exit_code, 2);
}

// A supplier's report covers its own assets: the organisation-wide section, which its
// credential may not read, is left out and the report says so.
TEST_F(CliCollectorTest, ASuppliersReportCoversItsOwnAssets) {
  RegisterWebAndDatabase();
  Ok({"tenants", "put", "acme", "--name", "ACME Hosting", "--kind", "supplier"});
  Ok({"assets", "put", "mail", "--name", "Mail", "--ig", "IG1", "--supplier", "acme"});
  const std::string supplier_file = (dir_.path() / "supplier.token").string();
  Ok({"tokens", "create", "api", "--role", "supplier", "--tenant", "acme", "-o", supplier_file});
  ProcessResult markdown = Postura({"report"}, supplier_file);
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_THAT(markdown.out, AllOf(HasSubstr("# Posture report"), HasSubstr("### mail"),
                                  HasSubstr("organisation-wide figures are not shown"),
                                  Not(HasSubstr("## Organisation\n")), Not(HasSubstr("### web"))));
  ProcessResult json_text = Postura({"report", "--format", "json"}, supplier_file);
  ASSERT_EQ(json_text.exit_code, 0) << json_text.err;
  const Json json = Json::parse(json_text.out);
  EXPECT_FALSE(json.contains("organization"));
  ASSERT_EQ(json["assets"].size(), 1u);
  EXPECT_EQ(json["assets"][0]["assetId"], "mail");
}

TEST(CliCollectorUnreachableTest, ExitsFourSayingWhereItLookedAndWhatToDo) {
  // Nothing listens on port 1 of the loopback.
  absl::StatusOr<ProcessResult> result =
      RunProcess({POSTURA_BIN, "--collector", "127.0.0.1:1", "tenants", "list"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 4);
  EXPECT_THAT(result->err, AllOf(HasSubstr("cannot reach the collector at 127.0.0.1:1"),
                                 HasSubstr("is it running"), HasSubstr("(--collector")));

  // $POSTURA_COLLECTOR is the default address.
  setenv("POSTURA_COLLECTOR", "127.0.0.1:1", /*overwrite=*/1);
  result = RunProcess({POSTURA_BIN, "score", "web"});
  unsetenv("POSTURA_COLLECTOR");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 4);
  EXPECT_THAT(result->err, HasSubstr("127.0.0.1:1"));
}

TEST(CliCollectorUsageTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"score"},                                  // Neither an asset nor --org.
           {"assets", "put", "web"},                   // --ig is required.
           {"assets", "put", "web", "--ig", "IG4"},    // Not a group.
           {"tenants", "put", "x", "--kind", "owner"}  // Not a kind.
       }) {
    EXPECT_EQ(RunPostura(args).exit_code, 2) << testing::PrintToString(args);
  }
}

}  // namespace
}  // namespace postura
