// Who may do what, through the real servers: a collector with its TLS gRPC and HTTPS
// listeners on loopback (in this process, so that a fake clock can expire tokens), real
// TLS clients, real tokens. Each refusal is checked for its status and for leaving
// nothing stored or revealed; each case has a positive twin, so a gate that refused
// everything would fail too. The fixture is tests/access_control_fixture.h.
//
// This file: roles and revocation. Operators, auditors, suppliers and agents cannot
// change the registry or credentials; a revoked or deleted credential stops working at
// once, even on a stream it already has open.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "collector/testing/test_evidence.h"
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

using ::postura::collector::TestEvidence;
using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace postura
