// Who may do what, through the real servers: a collector with its TLS gRPC and HTTPS
// listeners on loopback (in this process, so that a fake clock can expire tokens), real
// TLS clients, real tokens. Each refusal is checked for its status and for leaving
// nothing stored or revealed; each case has a positive twin, so a gate that refused
// everything would fail too.

#include <httplib.h>

#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/collector_server.h"
#include "collector/test_evidence.h"
#include "common/catalog.h"
#include "common/clock.h"
#include "common/collector_channel.h"
#include "common/local_ca.h"
#include "common/tls_files.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::collector::CollectorOptions;
using ::postura::collector::CollectorServer;
using ::postura::collector::TestEvidence;
using ::postura::test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kOutcome[] = "PR_AC_CSC_5_2";

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return context;
}

// Makes a unary call on a fresh channel with `trust`; the status.
template <typename Service, typename Request, typename Response>
grpc::Status Call(const std::string& address, const CollectorTrust& trust,
                  grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&,
                                                        Response*),
                  const Request& request, Response* response = nullptr) {
  auto stub = Service::NewStub(test::FreshChannel(address, trust));
  Response ignored;
  return ((*stub).*method)(Context().get(), request, response ? response : &ignored);
}

// The organisation of every test: "hq" (the organisation's), "acme-web" (run by the
// supplier acme) and "other-db" (run by the supplier other), each with an agent that has
// reported once, and an operator, an auditor and an acme supplier token.
class AccessControlTest : public testing::Test {
 protected:
  void SetUp() override {
    CollectorOptions options;
    options.listen_address = "127.0.0.1:0";
    options.http_listen_address = "127.0.0.1:0";
    options.data_dir = (dir_.path() / "data").string();
    server_ = CollectorServer::Start(options, Catalog::Builtin(), clock_).value();
    address_ = server_->address();
    admin_ = test::AdminTrust(options.data_dir).value();
    ca_file_ = server_->ca_file();
    for (const auto& [id, kind] : {std::pair{"acme", v1::SUPPLIER}, {"other", v1::SUPPLIER}}) {
      v1::PutTenantRequest tenant;
      tenant.mutable_tenant()->set_id(id);
      tenant.mutable_tenant()->set_name(id);
      tenant.mutable_tenant()->set_kind(kind);
      ASSERT_TRUE(
          Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutTenant, tenant)
              .ok());
    }
    PutAsset("hq", "");
    PutAsset("acme-web", "acme");
    PutAsset("other-db", "other");
    for (const char* asset : {"hq", "acme-web"}) {
      v1::PutTargetsRequest targets;
      targets.set_asset_id(asset);
      v1::Target& target = *targets.add_targets();
      target.set_scope(v1::SCOPE_ASSET);
      target.set_operator_(v1::GREATER_OR_EQUAL);
      target.set_value(0.5);
      ASSERT_TRUE(
          Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutTargets, targets)
              .ok());
    }
    hq_agent_ = Enroll("hq-agent", {"hq"}, "");
    acme_agent_ = Enroll("acme-agent", {"acme-web"}, "acme");
    other_agent_ = Enroll("other-agent", {"other-db"}, "other");
    ASSERT_TRUE(Report(hq_agent_, "hq-agent", 1, "hq").ok());
    ASSERT_TRUE(Report(acme_agent_, "acme-agent", 1, "acme-web").ok());
    ASSERT_TRUE(Report(other_agent_, "other-agent", 1, "other-db").ok());
    operator_ = ApiToken(v1::ROLE_OPERATOR, "");
    auditor_ = ApiToken(v1::ROLE_AUDITOR, "");
    supplier_ = ApiToken(v1::ROLE_SUPPLIER, "acme");
  }

  void PutAsset(const std::string& id, const std::string& supplier) {
    v1::PutAssetRequest request;
    *request.mutable_asset() = collector::TestAsset(id, v1::IG1);
    request.mutable_asset()->set_supplier_id(supplier);
    ASSERT_TRUE(
        Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, request).ok());
  }

  CollectorTrust Enroll(const std::string& agent, const std::vector<std::string>& assets,
                        const std::string& tenant) {
    absl::StatusOr<CollectorTrust> trust =
        test::EnrollAgent(address_, admin_, agent, assets, tenant);
    EXPECT_TRUE(trust.ok()) << trust.status();
    return trust.value_or(CollectorTrust());
  }

  CollectorTrust ApiToken(v1::Role role, const std::string& tenant, int64_t ttl_seconds = 0) {
    absl::StatusOr<std::string> token =
        test::CreateApiToken(address_, admin_, role, tenant, ttl_seconds);
    EXPECT_TRUE(token.ok()) << token.status();
    return CollectorTrust{.ca_certificate_pem = admin_.ca_certificate_pem,
                          .token = token.value_or("")};
  }

  // Opens an ingest stream as `trust`, says Hello as `agent` and sends one batch with one
  // item for `asset`. The stream's final status; `ack` receives the acknowledgement.
  grpc::Status Report(const CollectorTrust& trust, const std::string& agent, uint64_t sequence,
                      const std::string& asset, v1::Ack* ack = nullptr,
                      const std::string& outcome = kOutcome) {
    auto stub = v1::IngestService::NewStub(test::FreshChannel(address_, trust));
    std::unique_ptr<grpc::ClientContext> context = Context();
    auto stream = stub->Report(context.get());
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id(agent);
    v1::CollectorMessage reply;
    if (stream->Write(hello) && stream->Read(&reply)) {
      v1::AgentMessage batch;
      batch.mutable_batch()->set_sequence(sequence);
      *batch.mutable_batch()->add_items() = TestEvidence(asset, outcome, clock_.TimeNow());
      if (stream->Write(batch) && stream->Read(&reply) && ack != nullptr) *ack = reply.ack();
    }
    stream->WritesDone();
    while (stream->Read(&reply)) {
    }
    return stream->Finish();
  }

  uint64_t ItemsStored() {
    v1::IngestStats stats;
    EXPECT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::GetIngestStats,
                                       v1::GetIngestStatsRequest(), &stats)
                    .ok());
    return stats.items_stored();
  }

  std::vector<std::string> AgentIds() {
    v1::ListAgentsResponse agents;
    EXPECT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::ListAgents,
                                       v1::ListAgentsRequest(), &agents)
                    .ok());
    std::vector<std::string> ids;
    for (const v1::Agent& agent : agents.agents()) ids.push_back(agent.id());
    return ids;
  }

  int HttpStatus(const CollectorTrust& trust, const std::string& path) {
    auto client = test::HttpsClient(server_->http_address(), ca_file_, trust.token);
    httplib::Result result = client->Get(path.c_str());
    return result ? result->status : -1;
  }

  FakeClock clock_{absl::Now()};
  TempDir dir_;
  std::unique_ptr<CollectorServer> server_;
  std::string address_;
  std::string ca_file_;
  CollectorTrust admin_, operator_, auditor_, supplier_;
  CollectorTrust hq_agent_, acme_agent_, other_agent_;
};

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
        v1::AgentMessage::descriptor()->file(), v1::WatchRequest::descriptor()->file()}) {
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
  EXPECT_EQ(methods, 6 + 15 + 7 + 1 + 1);
  EXPECT_EQ(ItemsStored(), stored);
  EXPECT_THAT(AgentIds(), ElementsAre("acme-agent", "hq-agent", "other-agent"));
}

TEST_F(AccessControlTest, EveryHttpRouteButHealthRefusesARequestWithoutCredential) {
  const CollectorTrust anonymous{.ca_certificate_pem = "", .token = ""};
  for (const std::string& path :
       std::vector<std::string>{"/api/v1/organization", "/api/v1/assets", "/api/v1/assets/hq",
                                "/api/v1/assets/hq/gaps", "/api/v1/assets/hq/plan",
                                std::string("/api/v1/assets/hq/outcomes/") + kOutcome + "/evidence",
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

// A revoked agent is refused at once: new streams, and the next batch of a stream that
// was open when it was revoked. Nothing more of it is stored.
TEST_F(AccessControlTest, ARevokedAgentIsRefusedAtOnceAndNothingMoreIsStored) {
  auto stub = v1::IngestService::NewStub(test::FreshChannel(address_, hq_agent_));
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto stream = stub->Report(context.get());
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id("hq-agent");
  v1::CollectorMessage reply;
  ASSERT_TRUE(stream->Write(hello));
  ASSERT_TRUE(stream->Read(&reply));
  const uint64_t stored = ItemsStored();

  v1::RevokeAgentRequest revoke;
  revoke.set_agent_id("hq-agent");
  v1::RevokeAgentResponse revoked;
  ASSERT_TRUE(Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::RevokeAgent,
                                      revoke, &revoked)
                  .ok());
  EXPECT_EQ(revoked.revoked(), 1u);

  v1::AgentMessage batch;
  batch.mutable_batch()->set_sequence(2);
  *batch.mutable_batch()->add_items() = TestEvidence("hq", kOutcome, clock_.TimeNow());
  stream->Write(batch);
  while (stream->Read(&reply)) {
  }
  grpc::Status open_stream = stream->Finish();
  EXPECT_EQ(open_stream.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(open_stream.error_message(), HasSubstr("revoked"));
  EXPECT_EQ(Report(hq_agent_, "hq-agent", 3, "hq").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ItemsStored(), stored);
  // Other agents carry on.
  EXPECT_TRUE(Report(acme_agent_, "acme-agent", 2, "acme-web").ok());
  EXPECT_EQ(ItemsStored(), stored + 1);
}

// Revoking a person's token ends what it has open too: its watch stream gets nothing
// after the revocation.
TEST_F(AccessControlTest, ARevokedTokensOpenWatchStreamEndsAtTheNextUpdate) {
  v1::Credential me;
  ASSERT_TRUE(Call<v1::AccessService>(address_, operator_, &v1::AccessService::Stub::WhoAmI,
                                      v1::WhoAmIRequest(), &me)
                  .ok());
  auto query = v1::QueryService::NewStub(test::FreshChannel(address_, operator_));
  std::unique_ptr<grpc::ClientContext> context = Context();
  v1::WatchRequest request;
  request.add_asset_ids("hq");
  auto watch = query->Watch(context.get(), request);
  v1::ScoreUpdate update;
  ASSERT_TRUE(watch->Read(&update));  // The snapshot.
  v1::RevokeTokenRequest revoke;
  revoke.set_id(me.id());
  ASSERT_TRUE(
      Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::RevokeToken, revoke)
          .ok());
  // A new outcome with evidence: a change the watch would otherwise carry.
  ASSERT_TRUE(Report(hq_agent_, "hq-agent", 2, "hq", nullptr, "ID_AM_CSC_1_1").ok());
  EXPECT_FALSE(watch->Read(&update));
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// Deleting an agent deletes its credential: an agent registered later under the same id
// does not inherit it.
TEST_F(AccessControlTest, ADeletedAgentsCredentialDiesWithIt) {
  v1::DeleteAgentRequest remove;
  remove.set_agent_id("other-agent");
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::DeleteAgent, remove).ok());
  v1::PutAgentRequest again;
  again.mutable_agent()->set_id("other-agent");
  again.mutable_agent()->set_tenant_id("other");
  again.mutable_agent()->add_asset_ids("other-db");
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAgent, again).ok());
  EXPECT_EQ(Report(other_agent_, "other-agent", 2, "other-db").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// Agents report only as themselves, for the assets they are bound to; API tokens report
// nothing and agent credentials read nothing.
TEST_F(AccessControlTest, AgentsReportOnlyAsThemselvesForTheirBoundAssets) {
  const uint64_t stored = ItemsStored();
  v1::Ack ack;
  ASSERT_TRUE(Report(acme_agent_, "acme-agent", 2, "hq", &ack).ok());
  ASSERT_EQ(ack.rejected_size(), 1);
  EXPECT_EQ(ack.rejected(0).reason(), v1::ASSET_NOT_BOUND);
  grpc::Status impostor = Report(acme_agent_, "hq-agent", 2, "hq");
  EXPECT_EQ(impostor.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(impostor.error_message(), HasSubstr("cannot report as 'hq-agent'"));
  for (const CollectorTrust* person : {&admin_, &operator_, &supplier_}) {
    EXPECT_EQ(Report(*person, "acme-agent", 2, "acme-web").error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(ItemsStored(), stored);
  v1::GetAssetScoreRequest score;
  score.set_asset_id("acme-web");
  EXPECT_EQ(
      Call<v1::QueryService>(address_, acme_agent_, &v1::QueryService::Stub::GetAssetScore, score)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

// A supplier sees its own assets only: another tenant's asset, its evidence, targets,
// gaps and plan are "not found", organisation rollups are refused, lists and watches
// hold its own assets only.
TEST_F(AccessControlTest, ASupplierSeesOnlyItsOwnTenant) {
  struct AssetCall {
    const char* what;
    std::function<grpc::Status(const std::string& asset)> call;
  };
  const std::vector<AssetCall> asset_calls = {
      {"score",
       [&](const std::string& asset) {
         v1::GetAssetScoreRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetAssetScore,
                                       request);
       }},
      {"gaps",
       [&](const std::string& asset) {
         v1::GetGapsRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetGaps,
                                       request);
       }},
      {"plan",
       [&](const std::string& asset) {
         v1::PlanAssetRequest request;
         request.set_asset_id(asset);
         return Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::PlanAsset,
                                       request);
       }},
      {"evidence",
       [&](const std::string& asset) {
         v1::GetEvidenceHistoryRequest request;
         request.set_asset_id(asset);
         request.set_outcome_id(kOutcome);
         return Call<v1::QueryService>(address_, supplier_,
                                       &v1::QueryService::Stub::GetEvidenceHistory, request);
       }},
      {"targets",
       [&](const std::string& asset) {
         v1::GetTargetsRequest request;
         request.set_asset_id(asset);
         return Call<v1::AdminService>(address_, supplier_, &v1::AdminService::Stub::GetTargets,
                                       request);
       }},
  };
  for (const AssetCall& c : asset_calls) {
    EXPECT_TRUE(c.call("acme-web").ok()) << c.what;
    for (const char* foreign : {"hq", "other-db"}) {
      grpc::Status status = c.call(foreign);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << c.what << " " << foreign;
      EXPECT_EQ(status.error_message(), absl::StrCat("no asset '", foreign, "'")) << c.what;
    }
  }
  EXPECT_EQ(
      Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetOrganizationScore,
                             v1::GetOrganizationScoreRequest())
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call<v1::AdminService>(address_, supplier_, &v1::AdminService::Stub::ListTenants,
                                   v1::ListTenantsRequest())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAssetScoresResponse scores;
  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::ListAssetScores,
                                     v1::ListAssetScoresRequest(), &scores)
                  .ok());
  ASSERT_EQ(scores.assets_size(), 1);
  EXPECT_EQ(scores.assets(0).asset_id(), "acme-web");
  v1::ListAssetScoresRequest others;
  others.set_supplier_id("other");
  EXPECT_EQ(
      Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::ListAssetScores, others)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAssetsResponse assets;
  ASSERT_TRUE(Call<v1::AdminService>(address_, supplier_, &v1::AdminService::Stub::ListAssets,
                                     v1::ListAssetsRequest(), &assets)
                  .ok());
  ASSERT_EQ(assets.assets_size(), 1);
  EXPECT_EQ(assets.assets(0).id(), "acme-web");

  // The same over HTTPS.
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/acme-web"), 200);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/hq"), 404);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/assets/other-db/gaps"), 404);
  EXPECT_EQ(
      HttpStatus(supplier_, std::string("/api/v1/assets/hq/outcomes/") + kOutcome + "/evidence"),
      404);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/organization"), 403);
  EXPECT_EQ(HttpStatus(supplier_, "/metrics"), 403);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/events?asset=hq"), 404);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/events?supplier=other"), 403);
  auto client = test::HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  httplib::Result list = client->Get("/api/v1/assets");
  ASSERT_TRUE(list);
  EXPECT_THAT(list->body, HasSubstr("acme-web"));
  EXPECT_THAT(list->body, testing::Not(HasSubstr("other-db")));
}

TEST_F(AccessControlTest, ASuppliersWatchStreamCarriesOnlyItsOwnAssets) {
  auto query = v1::QueryService::NewStub(test::FreshChannel(address_, supplier_));
  for (const auto& [asset, supplier, code] :
       std::vector<std::tuple<std::string, std::string, grpc::StatusCode>>{
           {"hq", "", grpc::StatusCode::NOT_FOUND},
           {"", "other", grpc::StatusCode::PERMISSION_DENIED}}) {
    v1::WatchRequest request;
    if (!asset.empty()) request.add_asset_ids(asset);
    request.set_supplier_id(supplier);
    std::unique_ptr<grpc::ClientContext> context = Context();
    auto refused = query->Watch(context.get(), request);
    v1::ScoreUpdate update;
    EXPECT_FALSE(refused->Read(&update));
    EXPECT_EQ(refused->Finish().error_code(), code) << asset << supplier;
  }
  // Unfiltered, the stream is narrowed to acme: its snapshot is acme-web alone, and a
  // change to another tenant's asset never comes through, while one to acme-web does.
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto watch = query->Watch(context.get(), v1::WatchRequest());
  v1::ScoreUpdate update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "acme-web");
  constexpr char kNewOutcome[] = "ID_AM_CSC_1_1";  // Evidence for it changes each score.
  ASSERT_TRUE(Report(other_agent_, "other-agent", 2, "other-db", nullptr, kNewOutcome).ok());
  ASSERT_TRUE(Report(hq_agent_, "hq-agent", 2, "hq", nullptr, kNewOutcome).ok());
  ASSERT_TRUE(Report(acme_agent_, "acme-agent", 2, "acme-web", nullptr, kNewOutcome).ok());
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "acme-web");
  EXPECT_EQ(update.summary().outcomes_live(), 2u);
  context->TryCancel();
  // An auditor reads everything but does not watch.
  auto auditor_query = v1::QueryService::NewStub(test::FreshChannel(address_, auditor_));
  std::unique_ptr<grpc::ClientContext> auditor_context = Context();
  auto auditor_watch = auditor_query->Watch(auditor_context.get(), v1::WatchRequest());
  EXPECT_FALSE(auditor_watch->Read(&update));
  EXPECT_EQ(auditor_watch->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// A supplier's asset limited by another tenant's: the supplier sees that it is limited
// (adjusted value below value) but not by which asset, on every path; staff see the id.
TEST_F(AccessControlTest, ASupplierIsNotToldWhichOtherTenantsAssetLimitsItsOwn) {
  v1::PutAssetRequest acme_web;
  *acme_web.mutable_asset() = collector::TestAsset("acme-web", v1::IG1);
  acme_web.mutable_asset()->set_supplier_id("acme");
  acme_web.mutable_asset()->add_dependency_ids("other-db");
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, acme_web).ok());
  constexpr char kNewOutcome[] = "ID_AM_CSC_1_1";  // Lifts acme-web above other-db.
  ASSERT_TRUE(Report(acme_agent_, "acme-agent", 2, "acme-web", nullptr, kNewOutcome).ok());

  v1::GetAssetScoreRequest request;
  request.set_asset_id("acme-web");
  v1::AssetScore staff_view, supplier_view;
  ASSERT_TRUE(Call<v1::QueryService>(address_, operator_, &v1::QueryService::Stub::GetAssetScore,
                                     request, &staff_view)
                  .ok());
  ASSERT_EQ(staff_view.summary().limiting_asset_id(), "other-db");
  ASSERT_LT(staff_view.summary().adjusted_value(), staff_view.summary().value());

  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::GetAssetScore,
                                     request, &supplier_view)
                  .ok());
  EXPECT_EQ(supplier_view.summary().limiting_asset_id(), "");
  EXPECT_EQ(supplier_view.summary().adjusted_value(), staff_view.summary().adjusted_value());
  v1::ListAssetScoresResponse list;
  ASSERT_TRUE(Call<v1::QueryService>(address_, supplier_, &v1::QueryService::Stub::ListAssetScores,
                                     v1::ListAssetScoresRequest(), &list)
                  .ok());
  ASSERT_EQ(list.assets_size(), 1);
  EXPECT_EQ(list.assets(0).limiting_asset_id(), "");

  auto query = v1::QueryService::NewStub(test::FreshChannel(address_, supplier_));
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto watch = query->Watch(context.get(), v1::WatchRequest());
  v1::ScoreUpdate update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.summary().asset_id(), "acme-web");
  EXPECT_EQ(update.summary().limiting_asset_id(), "");
  context->TryCancel();

  auto client = test::HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  for (const char* path : {"/api/v1/assets/acme-web", "/api/v1/assets"}) {
    httplib::Result result = client->Get(path);
    ASSERT_TRUE(result && result->status == 200) << path;
    EXPECT_THAT(result->body, testing::Not(HasSubstr("other-db"))) << path;
  }
  std::string first_event;
  client->Get("/api/v1/events", [&](const char* data, size_t length) {
    first_event.append(data, length);
    return first_event.find("\n\n") == std::string::npos;  // Until one whole event.
  });
  EXPECT_THAT(first_event, HasSubstr("acme-web"));
  EXPECT_THAT(first_event, testing::Not(HasSubstr("other-db")));
}

// Operators and auditors read but change nothing: every change they try is refused and
// the registry and credentials stay as they were.
TEST_F(AccessControlTest, OperatorsAndAuditorsCannotChangeTheRegistryOrCredentials) {
  struct Change {
    const char* what;
    std::function<grpc::Status(const CollectorTrust&)> call;
  };
  v1::PutAssetRequest put_asset;
  *put_asset.mutable_asset() = collector::TestAsset("rogue", v1::IG1);
  v1::DeleteAssetRequest delete_asset;
  delete_asset.set_asset_id("other-db");
  v1::PutTargetsRequest clear_targets;
  clear_targets.set_asset_id("hq");
  v1::PutAgentRequest rebind;
  rebind.mutable_agent()->set_id("acme-agent");
  rebind.mutable_agent()->set_tenant_id("acme");
  rebind.mutable_agent()->add_asset_ids("acme-web");
  v1::PutTenantRequest tenant;
  tenant.mutable_tenant()->set_id("rogue");
  tenant.mutable_tenant()->set_name("Rogue");
  tenant.mutable_tenant()->set_kind(v1::SUPPLIER);
  v1::DeleteTenantRequest delete_tenant;
  delete_tenant.set_tenant_id("other");
  v1::CreateApiTokenRequest admin_token;
  admin_token.set_role(v1::ROLE_ADMIN);
  v1::CreateEnrollmentTokenRequest enrollment;
  enrollment.add_asset_ids("hq");
  enrollment.set_uses(1);
  enrollment.set_ttl_seconds(600);
  v1::RevokeAgentRequest revoke_agent;
  revoke_agent.set_agent_id("hq-agent");
  const std::vector<Change> changes = {
      {"PutAsset",
       [&](auto& t) {
         return Call<v1::AdminService>(address_, t, &v1::AdminService::Stub::PutAsset, put_asset);
       }},
      {"DeleteAsset",
       [&](auto& t) {
         return Call<v1::AdminService>(address_, t, &v1::AdminService::Stub::DeleteAsset,
                                       delete_asset);
       }},
      {"PutTargets",
       [&](auto& t) {
         return Call<v1::AdminService>(address_, t, &v1::AdminService::Stub::PutTargets,
                                       clear_targets);
       }},
      {"PutAgent",
       [&](auto& t) {
         return Call<v1::AdminService>(address_, t, &v1::AdminService::Stub::PutAgent, rebind);
       }},
      {"PutTenant",
       [&](auto& t) {
         return Call<v1::AdminService>(address_, t, &v1::AdminService::Stub::PutTenant, tenant);
       }},
      {"DeleteTenant",
       [&](auto& t) {
         return Call<v1::AdminService>(address_, t, &v1::AdminService::Stub::DeleteTenant,
                                       delete_tenant);
       }},
      {"CreateApiToken",
       [&](auto& t) {
         return Call<v1::AccessService>(address_, t, &v1::AccessService::Stub::CreateApiToken,
                                        admin_token);
       }},
      {"CreateEnrollmentToken",
       [&](auto& t) {
         return Call<v1::AccessService>(
             address_, t, &v1::AccessService::Stub::CreateEnrollmentToken, enrollment);
       }},
      {"ListTokens",
       [&](auto& t) {
         return Call<v1::AccessService>(address_, t, &v1::AccessService::Stub::ListTokens,
                                        v1::ListTokensRequest());
       }},
      {"RevokeAgent",
       [&](auto& t) {
         return Call<v1::AccessService>(address_, t, &v1::AccessService::Stub::RevokeAgent,
                                        revoke_agent);
       }},
  };
  v1::ListTokensResponse tokens_before;
  ASSERT_TRUE(Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::ListTokens,
                                      v1::ListTokensRequest(), &tokens_before)
                  .ok());
  for (const auto& [name, trust] :
       {std::pair<const char*, const CollectorTrust*>{"operator", &operator_},
        {"auditor", &auditor_},
        {"supplier", &supplier_},
        {"agent", &hq_agent_}}) {
    for (const Change& change : changes) {
      grpc::Status status = change.call(*trust);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << name << " " << change.what << ": " << status.error_message();
    }
    // What they may do, they can.
    if (trust != &hq_agent_) {
      EXPECT_TRUE(Call<v1::AdminService>(address_, *trust, &v1::AdminService::Stub::ListAssets,
                                         v1::ListAssetsRequest())
                      .ok())
          << name;
    }
  }
  v1::ListAssetsResponse assets;
  ASSERT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::ListAssets,
                                     v1::ListAssetsRequest(), &assets)
                  .ok());
  EXPECT_EQ(assets.assets_size(), 3);
  v1::GetTargetsRequest get_targets;
  get_targets.set_asset_id("hq");
  v1::GetTargetsResponse targets;
  ASSERT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::GetTargets,
                                     get_targets, &targets)
                  .ok());
  EXPECT_EQ(targets.targets_size(), 1);
  v1::ListTokensResponse tokens_after;
  ASSERT_TRUE(Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::ListTokens,
                                      v1::ListTokensRequest(), &tokens_after)
                  .ok());
  EXPECT_EQ(tokens_after.credentials_size(), tokens_before.credentials_size());
  // The admin's own changes go through: the gate is not simply closed.
  EXPECT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, put_asset).ok());
}

}  // namespace
}  // namespace postura

namespace postura {
namespace {

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
