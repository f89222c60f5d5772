#include "tests/testing/collector_client.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/grpc_status.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"

namespace postura::test {
namespace {

std::unique_ptr<grpc::ClientContext> WithDeadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return context;
}

}  // namespace

std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address,
                                            const CollectorTrust& trust) {
  return FreshChannel(address, trust, ClientCertificate());
}

std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address, const CollectorTrust& trust,
                                            const ClientCertificate& certificate) {
  static std::atomic<int> channels{0};
  grpc::ChannelArguments args;
  args.SetInt("postura.test_channel", ++channels);
  return CreateCollectorChannel(address, trust, certificate, args);
}

absl::StatusOr<CollectorTrust> AdminTrust(const std::string& data_dir) {
  return LoadCollectorTrust(data_dir + "/tls/ca.crt", data_dir + "/admin.token");
}

absl::StatusOr<std::string> CreateEnrollmentToken(const std::string& address,
                                                  const CollectorTrust& admin,
                                                  const std::vector<std::string>& asset_ids,
                                                  const std::string& tenant_id, uint32_t uses) {
  auto access = v1::AccessService::NewStub(FreshChannel(address, admin));
  v1::CreateEnrollmentTokenRequest request;
  request.set_tenant_id(tenant_id);
  for (const std::string& asset : asset_ids) request.add_asset_ids(asset);
  request.set_uses(uses);
  request.set_ttl_seconds(600);
  v1::CreatedToken created;
  if (grpc::Status s = access->CreateEnrollmentToken(WithDeadline().get(), request, &created);
      !s.ok()) {
    return FromGrpcStatus(s);
  }
  return created.token();
}

absl::StatusOr<std::string> CreateApiToken(const std::string& address, const CollectorTrust& admin,
                                           v1::Role role, const std::string& tenant_id,
                                           int64_t ttl_seconds, const std::string& department_id) {
  auto access = v1::AccessService::NewStub(FreshChannel(address, admin));
  v1::CreateApiTokenRequest request;
  request.set_role(role);
  request.set_tenant_id(tenant_id);
  request.set_ttl_seconds(ttl_seconds);
  request.set_department_id(department_id);
  v1::CreatedToken created;
  if (grpc::Status s = access->CreateApiToken(WithDeadline().get(), request, &created); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return created.token();
}

absl::StatusOr<CollectorTrust> EnrollAgent(const std::string& address, const CollectorTrust& admin,
                                           const std::string& agent_id,
                                           const std::vector<std::string>& asset_ids,
                                           const std::string& tenant_id) {
  absl::StatusOr<std::string> token = CreateEnrollmentToken(address, admin, asset_ids, tenant_id);
  if (!token.ok()) return token.status();
  CollectorTrust anonymous{.ca_certificate_pem = admin.ca_certificate_pem, .token = ""};
  auto enrollment = v1::EnrollmentService::NewStub(FreshChannel(address, anonymous));
  v1::EnrollRequest enroll;
  enroll.set_token(*token);
  enroll.set_agent_id(agent_id);
  v1::EnrollResponse enrolled;
  if (grpc::Status s = enrollment->Enroll(WithDeadline().get(), enroll, &enrolled); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return CollectorTrust{.ca_certificate_pem = admin.ca_certificate_pem,
                        .token = enrolled.credential()};
}

absl::StatusOr<KeyedAgent> EnrollAgentWithKey(const std::string& address,
                                              const CollectorTrust& admin,
                                              const std::string& agent_id,
                                              const std::vector<std::string>& asset_ids,
                                              const std::string& tenant_id) {
  absl::StatusOr<std::string> token = CreateEnrollmentToken(address, admin, asset_ids, tenant_id);
  if (!token.ok()) return token.status();
  absl::StatusOr<std::string> key = NewAgentKeyPem();
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> request = AgentSigningRequestPem(*key, agent_id);
  if (!request.ok()) return request.status();
  const CollectorTrust anonymous{.ca_certificate_pem = admin.ca_certificate_pem, .token = ""};
  auto enrollment = v1::EnrollmentService::NewStub(FreshChannel(address, anonymous));
  v1::EnrollRequest enroll;
  enroll.set_token(*token);
  enroll.set_agent_id(agent_id);
  enroll.set_signing_request(*request);
  v1::EnrollResponse enrolled;
  if (grpc::Status s = enrollment->Enroll(WithDeadline().get(), enroll, &enrolled); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return KeyedAgent{
      .trust = anonymous,
      .certificate = {.key_pem = *std::move(key), .certificate_pem = enrolled.certificate()}};
}

absl::Status PutAsset(const std::string& address, const CollectorTrust& admin,
                      const std::string& asset_id, v1::ImplementationGroup group) {
  auto stub = v1::AdminService::NewStub(FreshChannel(address, admin));
  v1::PutAssetRequest asset;
  asset.mutable_asset()->set_id(asset_id);
  asset.mutable_asset()->set_name(absl::StrCat("Asset ", asset_id));
  asset.mutable_asset()->set_implementation_group(group);
  v1::PutAssetResponse asset_response;
  return FromGrpcStatus(stub->PutAsset(WithDeadline().get(), asset, &asset_response));
}

absl::StatusOr<CollectorTrust> RegisterAgentForAsset(const std::string& address,
                                                     const CollectorTrust& admin,
                                                     const std::string& agent_id,
                                                     const std::string& asset_id,
                                                     v1::ImplementationGroup group) {
  if (absl::Status put = PutAsset(address, admin, asset_id, group); !put.ok()) return put;
  return EnrollAgent(address, admin, agent_id, {asset_id});
}

absl::StatusOr<v1::Agent> FindAgent(const std::string& address, const CollectorTrust& admin,
                                    const std::string& agent_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::ListAgentsResponse agents;
  grpc::Status status =
      v1::AdminService::NewStub(FreshChannel(address, admin))->ListAgents(&context, {}, &agents);
  if (!status.ok()) return FromGrpcStatus(status);
  for (const v1::Agent& agent : agents.agents()) {
    if (agent.id() == agent_id) return agent;
  }
  return absl::NotFoundError(absl::StrCat("the collector has no agent ", agent_id));
}

absl::StatusOr<v1::IngestStats> GetIngestStats(const std::string& address,
                                               const CollectorTrust& admin) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::IngestStats stats;
  grpc::Status status =
      v1::AdminService::NewStub(FreshChannel(address, admin))->GetIngestStats(&context, {}, &stats);
  if (!status.ok()) return FromGrpcStatus(status);
  return stats;
}

bool WaitForStoredSequence(const std::string& address, const CollectorTrust& admin,
                           const std::string& agent_id, uint64_t sequence, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<v1::Agent> agent = FindAgent(address, admin, agent_id);
    if (agent.ok() && agent->last_stored_sequence() >= sequence) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

absl::StatusOr<v1::Ack> SendBatch(const std::string& address, const CollectorTrust& agent,
                                  const std::string& agent_id, uint64_t sequence,
                                  std::vector<v1::Evidence> items) {
  auto ingest = v1::IngestService::NewStub(FreshChannel(address, agent));
  std::unique_ptr<grpc::ClientContext> context = WithDeadline();
  auto stream = ingest->Report(context.get());
  v1::AgentMessage message;
  message.mutable_hello()->set_agent_id(agent_id);
  v1::CollectorMessage reply;
  bool acknowledged = false;
  if (stream->Write(message) && stream->Read(&reply)) {
    v1::Batch& batch = *message.mutable_batch();
    batch.set_sequence(sequence);
    for (v1::Evidence& item : items) *batch.add_items() = std::move(item);
    acknowledged = stream->Write(message) && stream->Read(&reply) && reply.has_ack();
    stream->WritesDone();
    v1::CollectorMessage rest;
    while (stream->Read(&rest)) {
    }
  }
  const grpc::Status finished = stream->Finish();
  if (!acknowledged) {
    return finished.ok() ? absl::UnavailableError("the stream ended without an acknowledgement")
                         : FromGrpcStatus(finished);
  }
  if (reply.ack().sequence() != sequence) {
    return absl::InternalError(
        absl::StrCat("acknowledged batch ", reply.ack().sequence(), ", not ", sequence));
  }
  return reply.ack();
}

}  // namespace postura::test
