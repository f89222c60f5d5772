// Who may do what, through the real servers (tests/access_control_fixture.h): agents
// that prove who they are with their own key and a client certificate from the agent CA
// (issue 22, items 1 and 7). Each refusal is checked for its status and for storing
// nothing; each has a positive twin, so a gate that refused everything would fail too.

#include <memory>
#include <string>

#include "collector/testing/test_evidence.h"
#include "common/model/catalog.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/evidence_proof.h"
#include "common/transport/evidence_seal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/collector_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::postura::test::KeyedAgent;
using ::testing::HasSubstr;

class AgentCertificateAccessTest : public AccessControlTest {
 protected:
  KeyedAgent EnrollWithKey(const std::string& agent, const std::string& asset,
                           const std::string& tenant) {
    absl::StatusOr<KeyedAgent> keyed =
        test::EnrollAgentWithKey(address_, admin_, agent, {asset}, tenant);
    EXPECT_TRUE(keyed.ok()) << keyed.status();
    return keyed.value_or(KeyedAgent());
  }

  grpc::Status ReportAs(const KeyedAgent& keyed, const std::string& agent, uint64_t sequence,
                        const std::string& asset, v1::Ack* ack = nullptr) {
    return Report(keyed.trust, agent, sequence, asset, ack, kOutcome, keyed.certificate);
  }

  // The certificate that `ca` issues for a new key named `agent` of `tenant`, valid from
  // now for `lifetime`, with that key: a client the collector's agent CA never saw.
  KeyedAgent IssuedBy(const AgentCertificateAuthority& ca, const std::string& agent,
                      const std::string& tenant, absl::Duration lifetime) {
    KeyedAgent keyed{.trust = {.ca_certificate_pem = admin_.ca_certificate_pem, .token = ""},
                     .certificate = {.key_pem = NewAgentKeyPem().value(), .certificate_pem = ""}};
    const std::string request = AgentSigningRequestPem(keyed.certificate.key_pem, agent).value();
    keyed.certificate.certificate_pem =
        IssueAgentCertificate(ca, request, agent, tenant, clock_.TimeNow(), lifetime).value();
    return keyed;
  }

  v1::ListTokensResponse Tokens() {
    v1::ListTokensResponse tokens;
    EXPECT_TRUE(Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::ListTokens,
                                        v1::ListTokensRequest(), &tokens)
                    .ok());
    return tokens;
  }

  // Asks for a new certificate as `keyed`, with a request naming `agent` for its key (a
  // new key if it has none).
  grpc::Status Renew(const KeyedAgent& keyed, const std::string& agent,
                     v1::RenewCertificateResponse* response = nullptr) {
    const std::string key =
        keyed.certificate.empty() ? NewAgentKeyPem().value() : keyed.certificate.key_pem;
    v1::RenewCertificateRequest request;
    request.set_signing_request(AgentSigningRequestPem(key, agent).value());
    auto stub = v1::EnrollmentService::NewStub(
        test::FreshChannel(address_, keyed.trust, keyed.certificate));
    v1::RenewCertificateResponse ignored;
    return stub->RenewCertificate(Context().get(), request, response ? response : &ignored);
  }
  grpc::Status Renew(const CollectorTrust& bearer, const std::string& agent) {
    return Renew(KeyedAgent{.trust = bearer, .certificate = {}}, agent);
  }
};

// The positive twin of every refusal below: a key-enrolled agent reports without any
// bearer token, and its certificate is listed (by serial) among the credentials.
TEST_F(AgentCertificateAccessTest, AnAgentReportsWithItsCertificateAndNoToken) {
  const KeyedAgent agent = EnrollWithKey("acme-2", "acme-web", "acme");
  ASSERT_TRUE(agent.trust.token.empty());
  const AgentCertificateFacts facts =
      ReadAgentCertificate(agent.certificate.certificate_pem).value();
  EXPECT_EQ(facts.agent_id, "acme-2");
  EXPECT_EQ(facts.tenant_id, "acme");
  EXPECT_NEAR(absl::ToDoubleHours(facts.not_after - clock_.TimeNow()), 24 * 7, 0.01);
  const uint64_t stored = ItemsStored();
  v1::Ack ack;
  ASSERT_TRUE(ReportAs(agent, "acme-2", 1, "acme-web", &ack).ok());
  EXPECT_EQ(ack.rejected_size(), 0);
  EXPECT_EQ(ItemsStored(), stored + 1);
  bool listed = false;
  const v1::ListTokensResponse tokens = Tokens();
  for (const v1::Credential& credential : tokens.credentials()) {
    if (credential.id() != facts.serial) continue;
    listed = true;
    EXPECT_EQ(credential.kind(), v1::AGENT_CERTIFICATE);
    EXPECT_EQ(credential.agent_id(), "acme-2");
    EXPECT_TRUE(credential.secret_sha256().empty());
    // Its last use is recorded, as a bearer credential's is (issue 22, item 3).
    EXPECT_EQ(credential.last_used_unix_seconds(), absl::ToUnixSeconds(clock_.TimeNow()));
    EXPECT_EQ(credential.last_used_from(), "127.0.0.1");
  }
  EXPECT_TRUE(listed);
}

// A certificate from another CA, for a registered agent and its tenant, with its key
// held: the handshake completes (certificates are optional there), the stream does not.
TEST_F(AgentCertificateAccessTest, ACertificateFromAnotherCaIsRefused) {
  const AgentCertificateAuthority foreign = NewAgentCertificateAuthority().value();
  const KeyedAgent impostor = IssuedBy(foreign, "hq-agent", "org", absl::Hours(24));
  const uint64_t stored = ItemsStored();
  grpc::Status refused = ReportAs(impostor, "hq-agent", 2, "hq");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(refused.error_message(), HasSubstr("does not verify"));
  EXPECT_EQ(Renew(impostor, "hq-agent").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ItemsStored(), stored);
}

// An expired certificate is refused, for reports and for renewal alike (it needs
// enrollment again); the same certificate worked before its end.
TEST_F(AgentCertificateAccessTest, AnExpiredCertificateIsRefusedAndCannotRenew) {
  const KeyedAgent agent = EnrollWithKey("hq-2", "hq", "");
  ASSERT_TRUE(ReportAs(agent, "hq-2", 1, "hq").ok());
  clock_.Advance(absl::Hours(24 * 7) + absl::Seconds(1));
  const uint64_t stored = ItemsStored();
  grpc::Status refused = ReportAs(agent, "hq-2", 2, "hq");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(refused.error_message(), HasSubstr("expired"));
  grpc::Status renewal = Renew(agent, "hq-2");
  EXPECT_EQ(renewal.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ItemsStored(), stored);
}

// `postura agents revoke` revokes the agent's certificates: a stream open when it is
// revoked ends at its next batch, new streams and renewal are refused, nothing is stored.
TEST_F(AgentCertificateAccessTest, ARevokedCertificateEndsItsOpenStreamAndIsRefusedAfter) {
  const KeyedAgent agent = EnrollWithKey("hq-2", "hq", "");
  auto stub =
      v1::IngestService::NewStub(test::FreshChannel(address_, agent.trust, agent.certificate));
  std::unique_ptr<grpc::ClientContext> context = Context();
  auto stream = stub->Report(context.get());
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id("hq-2");
  v1::CollectorMessage reply;
  ASSERT_TRUE(stream->Write(hello));
  ASSERT_TRUE(stream->Read(&reply));
  ASSERT_TRUE(reply.has_welcome());
  const uint64_t stored = ItemsStored();

  v1::RevokeAgentRequest revoke;
  revoke.set_agent_id("hq-2");
  v1::RevokeAgentResponse revoked;
  ASSERT_TRUE(Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::RevokeAgent,
                                      revoke, &revoked)
                  .ok());
  EXPECT_EQ(revoked.revoked(), 1u);

  v1::AgentMessage batch;
  batch.mutable_batch()->set_sequence(1);
  *batch.mutable_batch()->add_items() = collector::TestEvidence("hq", kOutcome, clock_.TimeNow());
  stream->Write(batch);
  while (stream->Read(&reply)) {
  }
  grpc::Status open_stream = stream->Finish();
  EXPECT_EQ(open_stream.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(open_stream.error_message(), HasSubstr("revoked"));
  grpc::Status new_stream = ReportAs(agent, "hq-2", 2, "hq");
  EXPECT_EQ(new_stream.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(new_stream.error_message(), HasSubstr("revoked"));
  EXPECT_EQ(Renew(agent, "hq-2").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ItemsStored(), stored);
  // Other agents carry on.
  EXPECT_TRUE(Report(acme_agent_, "acme-agent", 2, "acme-web").ok());
  EXPECT_EQ(ItemsStored(), stored + 1);
}

// A valid certificate of one supplier's agent reports nothing for another tenant's asset,
// and cannot pass for another agent, even one of its own tenant.
TEST_F(AgentCertificateAccessTest, AValidCertificateCannotReportForAnotherTenantsAsset) {
  const KeyedAgent agent = EnrollWithKey("acme-2", "acme-web", "acme");
  const uint64_t stored = ItemsStored();
  v1::Ack ack;
  ASSERT_TRUE(ReportAs(agent, "acme-2", 1, "other-db", &ack).ok());
  ASSERT_EQ(ack.rejected_size(), 1);
  EXPECT_EQ(ack.rejected(0).reason(), v1::ASSET_NOT_BOUND);
  grpc::Status impostor = ReportAs(agent, "acme-agent", 2, "acme-web");
  EXPECT_EQ(impostor.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReportAs(agent, "other-agent", 2, "other-db").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ItemsStored(), stored);
  EXPECT_TRUE(ReportAs(agent, "acme-2", 2, "acme-web").ok());
  EXPECT_EQ(ItemsStored(), stored + 1);
}

// Renewal needs the certificate (mutual TLS), not a bearer credential; the new
// certificate is for the same agent and tenant, ends later, and reports; a request that
// names another agent gets nothing.
TEST_F(AgentCertificateAccessTest, RenewalNeedsTheCertificateAndKeepsAgentAndTenant) {
  const KeyedAgent agent = EnrollWithKey("acme-2", "acme-web", "acme");
  const AgentCertificateFacts before =
      ReadAgentCertificate(agent.certificate.certificate_pem).value();
  EXPECT_EQ(Renew(acme_agent_, "acme-agent").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Renew(supplier_, "acme-2").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Renew(agent, "acme-agent").error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  clock_.Advance(absl::Hours(24 * 5));
  v1::RenewCertificateResponse renewed;
  ASSERT_TRUE(Renew(agent, "acme-2", &renewed).ok());
  const AgentCertificateFacts after = ReadAgentCertificate(renewed.certificate()).value();
  EXPECT_EQ(after.agent_id, "acme-2");
  EXPECT_EQ(after.tenant_id, "acme");
  EXPECT_NE(after.serial, before.serial);
  EXPECT_EQ(after.key_sha256, before.key_sha256);
  EXPECT_GT(after.not_after, before.not_after + absl::Hours(24 * 4));
  KeyedAgent fresh = agent;
  fresh.certificate.certificate_pem = renewed.certificate();
  clock_.Advance(absl::Hours(24 * 3));  // The first certificate has expired by now.
  EXPECT_EQ(ReportAs(agent, "acme-2", 1, "acme-web").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(ReportAs(fresh, "acme-2", 1, "acme-web").ok());
}

// An enrollment whose answer was lost is asked again with the same key: it succeeds
// without a second use of the one-use token; another key finds the token spent.
TEST_F(AgentCertificateAccessTest, AskingAgainWithTheSameKeySpendsNoSecondUse) {
  const std::string token =
      test::CreateEnrollmentToken(address_, admin_, {"hq"}, "", /*uses=*/1).value();
  const std::string key = NewAgentKeyPem().value();
  v1::EnrollRequest enroll;
  enroll.set_token(token);
  enroll.set_agent_id("hq-2");
  enroll.set_signing_request(AgentSigningRequestPem(key, "hq-2").value());
  const CollectorTrust anonymous{.ca_certificate_pem = admin_.ca_certificate_pem, .token = ""};
  v1::EnrollResponse first, second, other;
  ASSERT_TRUE(Call<v1::EnrollmentService>(address_, anonymous, &v1::EnrollmentService::Stub::Enroll,
                                          enroll, &first)
                  .ok());
  ASSERT_TRUE(Call<v1::EnrollmentService>(address_, anonymous, &v1::EnrollmentService::Stub::Enroll,
                                          enroll, &second)
                  .ok());
  EXPECT_EQ(ReadAgentCertificate(second.certificate())->key_sha256,
            ReadAgentCertificate(first.certificate())->key_sha256);
  enroll.set_signing_request(AgentSigningRequestPem(NewAgentKeyPem().value(), "hq-2").value());
  EXPECT_EQ(Call<v1::EnrollmentService>(address_, anonymous, &v1::EnrollmentService::Stub::Enroll,
                                        enroll, &other)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  enroll.set_credential("pst.0123456789abcdef.c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
  EXPECT_EQ(Call<v1::EnrollmentService>(address_, anonymous, &v1::EnrollmentService::Stub::Enroll,
                                        enroll, &other)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// With agents.allow_bearer_credentials false, an agent's bearer credential reports no
// more (it is told why), while certificates report and API tokens keep working.
TEST_F(AgentCertificateAccessTest, BearerAgentCredentialsCanBeSwitchedOff) {
  const KeyedAgent agent = EnrollWithKey("hq-2", "hq", "");
  server_->Shutdown();
  server_.reset();
  collector::CollectorOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "127.0.0.1:0";
  options.data_dir = (dir_.path() / "data").string();
  options.allow_bearer_agent_credentials = false;
  server_ = collector::CollectorServer::Start(options, Catalog::Builtin(), clock_).value();
  address_ = server_->address();
  const uint64_t stored = ItemsStored();
  grpc::Status bearer = Report(hq_agent_, "hq-agent", 2, "hq");
  EXPECT_EQ(bearer.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(bearer.error_message(), HasSubstr("allow_bearer_credentials"));
  EXPECT_EQ(ItemsStored(), stored);
  EXPECT_TRUE(ReportAs(agent, "hq-2", 1, "hq").ok());
  EXPECT_EQ(ItemsStored(), stored + 1);
}

// Signed evidence (items 2 and 7): on a certificate's stream a batch that is unsigned,
// signed by another key, or a replay of a signed batch with an item changed under its
// signature is refused with UNAUTHENTICATED, stores nothing and is counted; the positive
// twins are the signed batches before and after. The export of what was stored proves
// each item, offline, against the collector's agent CA.
TEST_F(AgentCertificateAccessTest, ABatchWithAForgedOrMissingSignatureIsRefusedAndNothingStored) {
  const KeyedAgent agent = EnrollWithKey("acme-2", "acme-web", "acme");
  ASSERT_TRUE(ReportAs(agent, "acme-2", 1, "acme-web").ok());
  const uint64_t stored = ItemsStored();

  v1::Batch batch;
  batch.set_sequence(2);
  *batch.add_items() = collector::TestEvidence("acme-web", kOutcome, clock_.TimeNow());
  grpc::Status unsigned_batch = SendBatch(agent.trust, agent.certificate, "acme-2", batch);
  EXPECT_EQ(unsigned_batch.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(unsigned_batch.error_message(), HasSubstr("unsigned"));

  const EvidenceSigner stranger = EvidenceSigner::FromKeyPem(NewAgentKeyPem().value()).value();
  batch.set_signature(stranger.Sign(SealOfItems("acme-2", 2, batch.items())).value());
  grpc::Status forged = SendBatch(agent.trust, agent.certificate, "acme-2", batch);
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(forged.error_message(), HasSubstr("does not match"));

  // The agent's own signature over one level, replayed over another.
  const EvidenceSigner own = EvidenceSigner::FromKeyPem(agent.certificate.key_pem).value();
  batch.set_signature(own.Sign(SealOfItems("acme-2", 2, batch.items())).value());
  batch.mutable_items(0)->set_level(v1::DLI_100);
  grpc::Status replayed = SendBatch(agent.trust, agent.certificate, "acme-2", batch);
  EXPECT_EQ(replayed.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ItemsStored(), stored);

  v1::IngestStats stats;
  ASSERT_TRUE(Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::GetIngestStats,
                                     v1::GetIngestStatsRequest(), &stats)
                  .ok());
  EXPECT_EQ(stats.batches_signature_refused(), 3u);
  EXPECT_TRUE(ReportAs(agent, "acme-2", 2, "acme-web").ok());
  EXPECT_EQ(ItemsStored(), stored + 1);

  v1::ExportEvidenceProofRequest request;
  request.set_asset_id("acme-web");
  v1::EvidenceProof proof;
  ASSERT_TRUE(Call<v1::QueryService>(address_, admin_, &v1::QueryService::Stub::ExportEvidenceProof,
                                     request, &proof)
                  .ok());
  const ProofReport report = VerifyEvidenceProof(proof, proof.agent_ca_certificate_pem()).value();
  EXPECT_EQ(report.verified, 2);  // acme-2's two batches; acme-agent's came over a token.
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(report.unsigned_items, proof.items_size() - 2);
  EXPECT_EQ(proof.agent_certificates_pem_size(), 1);

  // A limit of exactly the items that match exports them; one fewer is refused.
  request.set_limit(proof.items_size());
  EXPECT_TRUE(Call<v1::QueryService>(address_, admin_, &v1::QueryService::Stub::ExportEvidenceProof,
                                     request)
                  .ok());
  request.set_limit(proof.items_size() - 1);
  EXPECT_EQ(Call<v1::QueryService>(address_, admin_, &v1::QueryService::Stub::ExportEvidenceProof,
                                   request)
                .error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace postura
