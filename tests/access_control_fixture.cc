#include "tests/access_control_fixture.h"

#include "collector/testing/test_evidence.h"
#include "common/model/catalog.h"
#include "common/transport/evidence_seal.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/https_client.h"

namespace postura::test {

using ::postura::collector::CollectorOptions;
using ::postura::collector::TestEvidence;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return context;
}

void AccessControlTest::SetUp() {
  CollectorOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "127.0.0.1:0";
  options.data_dir = (dir_.path() / "data").string();
  server_ = collector::CollectorServer::Start(options, Catalog::Builtin(), clock_).value();
  address_ = server_->address();
  admin_ = AdminTrust(options.data_dir).value();
  ca_file_ = server_->ca_file();
  for (const auto& [id, kind] : {std::pair{"acme", v1::SUPPLIER}, {"other", v1::SUPPLIER}}) {
    v1::PutTenantRequest tenant;
    tenant.mutable_tenant()->set_id(id);
    tenant.mutable_tenant()->set_name(id);
    tenant.mutable_tenant()->set_kind(kind);
    ASSERT_TRUE(
        Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutTenant, tenant).ok());
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

void AccessControlTest::PutAsset(const std::string& id, const std::string& supplier) {
  v1::PutAssetRequest request;
  *request.mutable_asset() = collector::TestAsset(id, v1::IG1);
  request.mutable_asset()->set_supplier_id(supplier);
  ASSERT_TRUE(
      Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, request).ok());
}

CollectorTrust AccessControlTest::Enroll(const std::string& agent,
                                         const std::vector<std::string>& assets,
                                         const std::string& tenant) {
  absl::StatusOr<CollectorTrust> trust = EnrollAgent(address_, admin_, agent, assets, tenant);
  EXPECT_TRUE(trust.ok()) << trust.status();
  return trust.value_or(CollectorTrust());
}

CollectorTrust AccessControlTest::ApiToken(v1::Role role, const std::string& tenant,
                                           int64_t ttl_seconds) {
  absl::StatusOr<std::string> token = CreateApiToken(address_, admin_, role, tenant, ttl_seconds);
  EXPECT_TRUE(token.ok()) << token.status();
  return CollectorTrust{.ca_certificate_pem = admin_.ca_certificate_pem,
                        .token = token.value_or("")};
}

grpc::Status AccessControlTest::Report(const CollectorTrust& trust, const std::string& agent,
                                       uint64_t sequence, const std::string& asset, v1::Ack* ack,
                                       const std::string& outcome,
                                       const ClientCertificate& certificate) {
  v1::Batch batch;
  batch.set_sequence(sequence);
  *batch.add_items() = TestEvidence(asset, outcome, clock_.TimeNow());
  if (!certificate.empty()) {
    absl::StatusOr<EvidenceSigner> signer = EvidenceSigner::FromKeyPem(certificate.key_pem);
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (signer.ok()) {
      batch.set_signature(signer->Sign(SealOfItems(agent, sequence, batch.items())).value());
    }
  }
  return SendBatch(trust, certificate, agent, batch, ack);
}

grpc::Status AccessControlTest::SendBatch(const CollectorTrust& trust,
                                          const ClientCertificate& certificate,
                                          const std::string& agent, const v1::Batch& batch,
                                          v1::Ack* ack) {
  auto stub = v1::IngestService::NewStub(FreshChannel(address_, trust, certificate));
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto stream = stub->Report(context.get());
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(agent);
  v1::CollectorMessage reply;
  if (stream->Write(hello) && stream->Read(&reply)) {
    v1::AgentMessage message;
    *message.mutable_batch() = batch;
    if (stream->Write(message) && stream->Read(&reply) && ack != nullptr) *ack = reply.ack();
  }
  stream->WritesDone();
  while (stream->Read(&reply)) {
  }
  return stream->Finish();
}

uint64_t AccessControlTest::ItemsStored() {
  v1::IngestStats stats;
  EXPECT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::GetIngestStats,
                                     v1::GetIngestStatsRequest(), &stats)
                  .ok());
  return stats.items_stored();
}

std::vector<std::string> AccessControlTest::AgentIds() {
  v1::ListAgentsResponse agents;
  EXPECT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::ListAgents,
                                     v1::ListAgentsRequest(), &agents)
                  .ok());
  std::vector<std::string> ids;
  for (const v1::Agent& agent : agents.agents()) ids.push_back(agent.id());
  return ids;
}

int AccessControlTest::HttpStatus(const CollectorTrust& trust, const std::string& path) {
  auto client = HttpsClient(server_->http_address(), ca_file_, trust.token);
  httplib::Result result = client->Get(path.c_str());
  return result ? result->status : -1;
}

}  // namespace postura::test
