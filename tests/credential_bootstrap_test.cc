// The first credentials, as an operator meets them: the collector's first admin token, its
// recovery when every admin token is lost, and an agent's enrollment whose answer is lost.
// Real collector processes on loopback.

#include <filesystem>

#include "common/transport/token_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::RunProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

// True if `trust` may list the agents: an admin's token.
bool IsAdmin(const std::string& address, const CollectorTrust& trust) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListAgentsResponse agents;
  return v1::AdminService::NewStub(test::FreshChannel(address, trust))
      ->ListAgents(&context, {}, &agents)
      .ok();
}

// Issue 24, 5: the token used to be stored before its file was written, so a failed
// write left a live admin token that nobody had, and no later start wrote another.
TEST(CredentialBootstrapTest, AnAdminTokenFileThatCannotBeWrittenLeavesNoTokenBehind) {
  TempDir dir;
  const std::filesystem::path token_path = dir.path() / "data/admin.token";
  std::filesystem::create_directories(token_path);  // In the way of the file.
  const std::string config =
      dir.WriteFile("refused.yaml", "data_dir: " + (dir.path() / "data").string() +
                                        "\nlisten_address: 127.0.0.1:0\n"
                                        "http_listen_address: 127.0.0.1:0\n");
  auto refused = RunProcess({POSTURA_COLLECTOR_BIN, "--config", config}).value();
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("cannot write the admin token file (no token was made)"));

  std::filesystem::remove(token_path);
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  EXPECT_TRUE(IsAdmin(collector->address(), collector->admin()));
  EXPECT_EQ(collector->Stop(), 0);
}

TEST(CredentialBootstrapTest, AnOperatorIssuesANewAdminTokenWithTheCollectorStopped) {
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  const std::string config = (dir.path() / "collector.yaml").string();
  const std::string token_file = collector->admin_token_file();
  const CollectorTrust lost = collector->admin();
  auto while_running =
      RunProcess({POSTURA_COLLECTOR_BIN, "--config", config, "--issue-admin-token", token_file})
          .value();
  EXPECT_EQ(while_running.exit_code, 1);
  EXPECT_THAT(while_running.err, HasSubstr("stop the collector first"));
  EXPECT_EQ(collector->Stop(), 0);

  std::filesystem::remove(token_file);  // Every admin token's text is lost.
  auto issued =
      RunProcess({POSTURA_COLLECTOR_BIN, "--config", config, "--issue-admin-token", token_file})
          .value();
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_THAT(issued.out, HasSubstr("issued admin token"));
  EXPECT_EQ(std::filesystem::status(token_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  EXPECT_TRUE(IsAdmin(collector->address(), collector->admin()));
  EXPECT_NE(collector->admin().token, lost.token);
  EXPECT_TRUE(IsAdmin(collector->address(), lost));  // Existing tokens stay valid.
  EXPECT_EQ(collector->Stop(), 0);
}

// An agent whose enrollment answer was lost asks again with the credential it proposed
// and saved: it is enrolled, and no second use is spent.
TEST(CredentialBootstrapTest, AskingAgainWithTheSameProposedCredentialSpendsNoUse) {
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  const std::string address = collector->address();
  ASSERT_TRUE(test::PutAsset(address, collector->admin(), "web", v1::IG1).ok());
  const std::string token =
      test::CreateEnrollmentToken(address, collector->admin(), {"web"}).value();
  CollectorTrust anonymous{.ca_certificate_pem = collector->admin().ca_certificate_pem,
                           .token = ""};
  auto enroll = [&](const std::string& credential, v1::EnrollResponse* response) {
    grpc::ClientContext context;
    v1::EnrollRequest request;
    request.set_token(token);
    request.set_agent_id("host-1");
    request.set_credential(credential);
    return v1::EnrollmentService::NewStub(test::FreshChannel(address, anonymous))
        ->Enroll(&context, request, response);
  };
  const std::string proposed = NewTokenText();
  v1::EnrollResponse first, again, other;
  ASSERT_TRUE(enroll(proposed, &first).ok());
  EXPECT_EQ(first.credential(), proposed);
  ASSERT_TRUE(enroll(proposed, &again).ok());
  EXPECT_EQ(again.credential(), proposed);
  EXPECT_THAT(again.asset_ids(), ::testing::ElementsAre("web"));
  // The one use is spent: anything else is refused.
  EXPECT_EQ(enroll(NewTokenText(), &other).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(enroll("pst.not-a-token", &other).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // The agent reports with the credential it proposed.
  CollectorTrust agent{.ca_certificate_pem = anonymous.ca_certificate_pem, .token = proposed};
  grpc::ClientContext context;
  v1::Credential who;
  ASSERT_TRUE(v1::AccessService::NewStub(test::FreshChannel(address, agent))
                  ->WhoAmI(&context, {}, &who)
                  .ok());
  EXPECT_EQ(who.agent_id(), "host-1");
  EXPECT_EQ(collector->Stop(), 0);
}

}  // namespace
}  // namespace postura
