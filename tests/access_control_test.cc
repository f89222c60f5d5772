// Who may do what, through the real servers: a collector with its TLS gRPC and HTTPS
// listeners on loopback (in this process, so that a fake clock can expire tokens), real
// TLS clients, real tokens. Each refusal is checked for its status and for leaving
// nothing stored or revealed; each case has a positive twin, so a gate that refused
// everything would fail too. The fixture is tests/access_control_fixture.h.
//
// This file: callers without a credential, with the wrong CA, or with a token that has
// expired or is used up; and the TLS material the collector serves.

#include <httplib.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/collector_server.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "common/transport/collector_channel.h"
#include "common/transport/local_ca.h"
#include "common/transport/tls_files.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/exceptions.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "postura/v1/operations.grpc.pb.h"
#include "postura/v1/profile.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "postura/v1/requests.grpc.pb.h"
#include "postura/v1/tiers.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::collector::CollectorOptions;
using ::postura::collector::CollectorServer;
using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::postura::test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Every method of every service, called with no credential, is refused before it does
// anything: the list comes from the services' descriptors, so a new method is covered
// the day it is added.
TEST_F(AccessControlTest, EveryGrpcMethodRefusesACallWithoutCredential) {
  CollectorTrust anonymous{.ca_certificate_pem = admin_.ca_certificate_pem, .token = ""};
  grpc::GenericStub stub(test::FreshChannel(address_, anonymous));
  const uint64_t stored = ItemsStored();
  int methods = 0;
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const google::protobuf::FileDescriptor* file :
       {v1::Credential::descriptor()->file(), v1::Asset::descriptor()->file(),
        v1::AgentMessage::descriptor()->file(), v1::WatchRequest::descriptor()->file(),
        v1::GetTiersRequest::descriptor()->file(), v1::EvidenceRequest::descriptor()->file(),
        v1::RiskException::descriptor()->file(), v1::GetProfileRequest::descriptor()->file(),
        v1::BackupRequest::descriptor()->file()}) {
    for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  }
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int m = 0; m < service->method_count(); ++m, ++methods) {
      const std::string method =
          absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
      grpc::Slice empty("");  // An empty message: every request type parses it.
      grpc::ByteBuffer request(&empty, 1), response;
      std::unique_ptr<grpc::ClientContext> context = Context();
      std::promise<grpc::Status> done;
      stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request, &response,
                     [&done](grpc::Status status) { done.set_value(std::move(status)); });
      const grpc::Status status = done.get_future().get();
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << method << ": " << status.error_message();
    }
  }
  // access (with the certificate renewal), admin, query (with the evidence proof), ingest,
  // watch, tiers, requests, exceptions, profile, operations.
  EXPECT_EQ(methods, 7 + 15 + 11 + 1 + 1 + 1 + 9 + 4 + 1 + 2);
  EXPECT_EQ(ItemsStored(), stored);
  EXPECT_THAT(AgentIds(), ElementsAre("acme-agent", "hq-agent", "other-agent"));
}

TEST_F(AccessControlTest, EveryHttpRouteButHealthRefusesARequestWithoutCredential) {
  const CollectorTrust anonymous{.ca_certificate_pem = "", .token = ""};
  for (const std::string& path :
       std::vector<std::string>{"/api/v1/organization", "/api/v1/assets", "/api/v1/assets/hq",
                                "/api/v1/assets/hq/gaps", "/api/v1/assets/hq/plan",
                                std::string("/api/v1/assets/hq/outcomes/") + kOutcome + "/evidence",
                                std::string("/api/v1/assets/hq/outcomes/") + kOutcome + "/answers",
                                "/api/v1/assets/hq/history", "/api/v1/organization/history",
                                "/api/v1/history", "/api/v1/remediation", "/api/v1/tiers",
                                "/api/v1/whoami", "/metrics", "/api/v1/events"}) {
    EXPECT_EQ(HttpStatus(anonymous, path), 401) << path;
    EXPECT_EQ(HttpStatus(operator_, path == "/api/v1/events" ? "/api/v1/whoami" : path), 200)
        << path;
  }
  EXPECT_EQ(HttpStatus(anonymous, "/healthz"), 200);
  EXPECT_EQ(
      HttpStatus(CollectorTrust{.ca_certificate_pem = "", .token = "pst.0123456789abcdef.forged"},
                 "/api/v1/assets"),
      401);
}

// A client that pins another CA does not finish the handshake: the collector is not who
// it trusts. Nothing is sent, so nothing is revealed.
TEST_F(AccessControlTest, AClientPinningAnotherCaCannotConnect) {
  const TlsMaterial other = EnsureLocalCertificateAuthority(dir_.path() / "other-ca", {}).value();
  CollectorTrust wrong_ca{.ca_certificate_pem = other.ca_certificate_pem, .token = admin_.token};
  v1::ListAssetsResponse assets;
  grpc::Status status = Call<v1::AdminService>(
      address_, wrong_ca, &v1::AdminService::Stub::ListAssets, v1::ListAssetsRequest(), &assets);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(assets.assets_size(), 0);
  std::filesystem::path other_ca_file = dir_.path() / "other-ca" / "ca.crt";
  auto client = test::HttpsClient(server_->http_address(), other_ca_file.string(), admin_.token);
  EXPECT_FALSE(client->Get("/api/v1/assets"));
  // The same call with the right CA works.
  EXPECT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::ListAssets,
                                     v1::ListAssetsRequest(), &assets)
                  .ok());
  EXPECT_EQ(assets.assets_size(), 3);
}

TEST_F(AccessControlTest, ExpiredAndExhaustedTokensAreRefusedAndRegisterNothing) {
  CollectorTrust short_lived = ApiToken(v1::ROLE_OPERATOR, "", /*ttl_seconds=*/30);
  v1::CreateEnrollmentTokenRequest request;
  request.add_asset_ids("hq");
  request.set_uses(1);
  request.set_ttl_seconds(60);
  v1::CreatedToken once, expiring;
  ASSERT_TRUE(Call<v1::AccessService>(
                  address_, admin_, &v1::AccessService::Stub::CreateEnrollmentToken, request, &once)
                  .ok());
  ASSERT_TRUE(Call<v1::AccessService>(address_, admin_,
                                      &v1::AccessService::Stub::CreateEnrollmentToken, request,
                                      &expiring)
                  .ok());
  const CollectorTrust anonymous{.ca_certificate_pem = admin_.ca_certificate_pem, .token = ""};
  auto enroll = [&](const std::string& token, const std::string& agent) {
    v1::EnrollRequest enroll_request;
    enroll_request.set_token(token);
    enroll_request.set_agent_id(agent);
    return Call<v1::EnrollmentService>(address_, anonymous, &v1::EnrollmentService::Stub::Enroll,
                                       enroll_request);
  };
  ASSERT_TRUE(enroll(once.token(), "first").ok());
  EXPECT_EQ(enroll(once.token(), "second").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      Call<v1::QueryService>(address_, short_lived, &v1::QueryService::Stub::GetOrganizationScore,
                             v1::GetOrganizationScoreRequest())
          .error_code(),
      grpc::StatusCode::OK);

  clock_.Advance(absl::Seconds(61));
  EXPECT_EQ(enroll(expiring.token(), "late").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      Call<v1::QueryService>(address_, short_lived, &v1::QueryService::Stub::GetOrganizationScore,
                             v1::GetOrganizationScoreRequest())
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(HttpStatus(short_lived, "/api/v1/organization"), 401);
  EXPECT_THAT(AgentIds(), ElementsAre("acme-agent", "first", "hq-agent", "other-agent"));
  // A forged secret for a real id is refused like an unknown token.
  const std::string forged = once.token().substr(0, once.token().rfind('.') + 1) + "AAAA";
  EXPECT_EQ(enroll(forged, "forger").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// With certificate files of its own, the collector presents them on both listeners and
// creates no CA; clients pin the CA that signed them.
TEST(CollectorTlsTest, OperatorProvidedCertificatesAreServedOnBothListeners) {
  TempDir dir;
  const std::filesystem::path pki = dir.path() / "pki";
  const TlsMaterial own = EnsureLocalCertificateAuthority(pki, {}).value();
  CollectorOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "127.0.0.1:0";
  options.data_dir = (dir.path() / "data").string();
  options.tls_certificate_file = (pki / "server.crt").string();
  options.tls_key_file = (pki / "server.key").string();
  std::unique_ptr<CollectorServer> server =
      CollectorServer::Start(options, Catalog::Builtin(), Clock::GetRealClock()).value();
  EXPECT_EQ(server->ca_file(), "");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "tls"));
  absl::StatusOr<CollectorTrust> token =
      LoadCollectorTrust((pki / "ca.crt").string(), options.data_dir + "/admin.token");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_TRUE(Call<v1::AdminService>(server->address(), *token, &v1::AdminService::Stub::ListAssets,
                                     v1::ListAssetsRequest())
                  .ok());
  auto client = test::HttpsClient(server->http_address(), (pki / "ca.crt").string(), token->token);
  httplib::Result whoami = client->Get("/api/v1/whoami");
  ASSERT_TRUE(whoami);
  EXPECT_EQ(whoami->status, 200);
  EXPECT_THAT(whoami->body, HasSubstr("ROLE_ADMIN"));
  // The pinned CA is the operator's: the server's certificate chains to it.
  EXPECT_EQ(token->ca_certificate_pem, own.ca_certificate_pem);
}

TEST(CollectorTlsTest, MismatchedCertificateFilesStopStartUpNamingThem) {
  TempDir dir;
  EnsureLocalCertificateAuthority(dir.path() / "a", {}).value();
  EnsureLocalCertificateAuthority(dir.path() / "b", {}).value();
  CollectorOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "127.0.0.1:0";
  options.data_dir = (dir.path() / "data").string();
  options.tls_certificate_file = (dir.path() / "a" / "server.crt").string();
  options.tls_key_file = (dir.path() / "b" / "server.key").string();
  absl::StatusOr<std::unique_ptr<CollectorServer>> server =
      CollectorServer::Start(options, Catalog::Builtin(), Clock::GetRealClock());
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("server.key"));
}

}  // namespace
}  // namespace postura
