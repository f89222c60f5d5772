// The credentials' changes as cluster mode routes them (credential_store.h): two
// collectors' credential stores, each on its own real RocksDB in memory, and a log that
// applies every routed change to both in order, as the cluster's applier does.

#include <memory>
#include <vector>

#include "collector/access/credential_store.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

// One collector's store and credentials.
struct Node {
  std::unique_ptr<rocksdb::Env> env{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::unique_ptr<EvidenceStore> store;
  std::unique_ptr<CredentialStore> credentials;
};

class CredentialChangesTest : public testing::Test {
 protected:
  void SetUp() override {
    for (Node& node : nodes_) {
      node.store =
          EvidenceStore::Open({.path = "/store", .clock = &clock_, .env = node.env.get()}).value();
      node.credentials = CredentialStore::Load(*node.store, clock_).value();
      // What the maker gets is what its own store's Apply gave; the other applies it too.
      node.credentials->RouteChangesThrough([this, &node](const v1::RegistryChange& change) {
        log_.push_back(change);
        absl::Status here;
        for (Node& applier : nodes_) {
          absl::Status applied = applier.credentials->Apply(change);
          if (&applier == &node) here = applied;
        }
        return here;
      });
    }
  }

  CredentialStore& At(int node) { return *nodes_[node].credentials; }

  absl::StatusOr<IssuedToken> IssueEnrollmentToken(int node, uint32_t uses) {
    v1::Credential token;
    token.set_kind(v1::ENROLLMENT_TOKEN);
    token.set_tenant_id("org");
    token.add_asset_ids("web");
    token.set_uses_left(uses);
    return At(node).Issue(token);
  }

  FakeClock clock_{absl::FromUnixSeconds(1'763'900'000)};
  Node nodes_[2];
  std::vector<v1::RegistryChange> log_;
};

TEST_F(CredentialChangesTest, ATokenIssuedAtOneCollectorAuthenticatesAtTheOther) {
  v1::Credential token;
  token.set_kind(v1::API_TOKEN);
  token.set_role(v1::ROLE_ADMIN);
  token.set_tenant_id("org");
  absl::StatusOr<IssuedToken> issued = At(0).Issue(token);
  ASSERT_TRUE(issued.ok()) << issued.status();
  ASSERT_EQ(log_.size(), 1u);
  // The log carries the secret's hash, never the secret.
  EXPECT_EQ(log_[0].put_credential().secret_sha256().size(), 32u);
  EXPECT_EQ(log_[0].SerializeAsString().find(issued->token.substr(21)), std::string::npos);
  EXPECT_TRUE(issued->credential.secret_sha256().empty());
  absl::StatusOr<v1::Credential> there = At(1).Authenticate(issued->token, v1::API_TOKEN);
  ASSERT_TRUE(there.ok()) << there.status();
  EXPECT_EQ(there->id(), issued->credential.id());
  // Revoked at the other, it is gone at both.
  ASSERT_TRUE(At(1).Revoke(issued->credential.id()).ok());
  EXPECT_FALSE(At(0).Authenticate(issued->token, v1::API_TOKEN).ok());
  EXPECT_TRUE(absl::IsNotFound(At(0).Revoke(issued->credential.id())));
}

TEST_F(CredentialChangesTest, EnrollmentUsesAreSpentOnceAcrossCollectors) {
  absl::StatusOr<IssuedToken> token = IssueEnrollmentToken(0, 2);
  ASSERT_TRUE(token.ok()) << token.status();
  ASSERT_TRUE(At(0).SpendEnrollmentUse(token->token).ok());
  ASSERT_TRUE(At(1).SpendEnrollmentUse(token->token).ok());
  EXPECT_EQ(At(0).SpendEnrollmentUse(token->token).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(At(0).Find(token->credential.id())->uses_left(), 0u);
  EXPECT_EQ(At(1).Find(token->credential.id())->uses_left(), 0u);
}

TEST_F(CredentialChangesTest, AUseSpentTwiceOrAfterAnotherIsRefused) {
  absl::StatusOr<IssuedToken> token = IssueEnrollmentToken(0, 3);
  ASSERT_TRUE(token.ok()) << token.status();
  v1::RegistryChange use;
  use.mutable_spend_enrollment_use()->set_credential_id(token->credential.id());
  use.mutable_spend_enrollment_use()->set_uses_left_before(3);
  // The first spends; the same change again (a restart applying it anew, or a second
  // collector that saw three uses left too) spends nothing.
  ASSERT_TRUE(At(1).Apply(use).ok());
  EXPECT_TRUE(absl::IsAborted(At(1).Apply(use)));
  EXPECT_EQ(At(1).Find(token->credential.id())->uses_left(), 2u);
  // A maker whose change lost the race makes it again from the uses it then sees.
  ASSERT_TRUE(At(1).SpendEnrollmentUse(token->token).ok());
  EXPECT_EQ(At(1).Find(token->credential.id())->uses_left(), 1u);
}

TEST_F(CredentialChangesTest, RevokingAnAgentOrATenantReachesEveryCollector) {
  v1::Credential agent;
  agent.set_kind(v1::AGENT_CREDENTIAL);
  agent.set_role(v1::ROLE_AGENT);
  agent.set_tenant_id("supplier-1");
  agent.set_agent_id("host-1");
  ASSERT_TRUE(At(0).Issue(agent).ok());
  v1::Credential certificate = agent;
  certificate.set_kind(v1::AGENT_CERTIFICATE);
  certificate.set_id("0a1b2c3d4e5f");
  certificate.set_secret_sha256(std::string(32, 'k'));
  ASSERT_TRUE(At(1).RecordAgentCertificate(certificate).ok());
  EXPECT_TRUE(At(0).FindAgentCertificate("host-1", std::string(32, 'k')).has_value());
  EXPECT_EQ(At(1).RevokeAgent("host-1").value_or(-1), 2);
  EXPECT_FALSE(At(0).AgentHasCredential("host-1"));
  EXPECT_TRUE(absl::IsNotFound(At(0).RevokeAgent("host-1").status()));

  ASSERT_TRUE(IssueEnrollmentToken(1, 1).ok());
  v1::Credential supplier_token;
  supplier_token.set_kind(v1::API_TOKEN);
  supplier_token.set_role(v1::ROLE_SUPPLIER);
  supplier_token.set_tenant_id("supplier-1");
  ASSERT_TRUE(At(1).Issue(supplier_token).ok());
  EXPECT_EQ(At(0).RevokeTenant("supplier-1").value_or(-1), 1);
  EXPECT_EQ(At(1).List().size(), 1u);  // The organisation's enrollment token stays.
  EXPECT_EQ(At(0).RevokeTenant("supplier-1").value_or(-1), 0);
}

TEST_F(CredentialChangesTest, AMalformedChangeFromTheLogIsRefused) {
  v1::RegistryChange no_hash;
  no_hash.mutable_put_credential()->set_id("0123456789abcdef");
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).Apply(no_hash)));
  v1::RegistryChange not_a_certificate;
  *not_a_certificate.mutable_record_agent_certificate() = no_hash.put_credential();
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).Apply(not_a_certificate)));
  // A certificate is recorded, not put (which would skip taking expired ones away); an id
  // must be a token's.
  v1::RegistryChange certificate_put;
  certificate_put.mutable_put_credential()->set_id("0123456789abcdef");
  certificate_put.mutable_put_credential()->set_kind(v1::AGENT_CERTIFICATE);
  certificate_put.mutable_put_credential()->set_secret_sha256(std::string(32, 'h'));
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).Apply(certificate_put)));
  v1::RegistryChange bad_id = certificate_put;
  bad_id.mutable_put_credential()->set_kind(v1::API_TOKEN);
  bad_id.mutable_put_credential()->set_id("../../etc");
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).Apply(bad_id)));
  // The organisation's credentials are never revoked as a tenant's.
  v1::Credential admin;
  admin.set_kind(v1::API_TOKEN);
  admin.set_role(v1::ROLE_ADMIN);
  admin.set_tenant_id("org");
  ASSERT_TRUE(At(0).Issue(admin).ok());
  v1::RegistryChange revoke_organisation;
  revoke_organisation.set_revoke_tenant_credentials("org");
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).Apply(revoke_organisation)));
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).RevokeTenant("org").status()));
  EXPECT_EQ(At(1).List().size(), 1u);

  v1::RegistryChange registry_change;
  registry_change.set_delete_agent("host-1");
  EXPECT_FALSE(IsCredentialChange(registry_change));
  EXPECT_TRUE(absl::IsInvalidArgument(At(0).Apply(registry_change)));
  EXPECT_EQ(At(0).List().size(), 1u);  // The admin token only.
}

}  // namespace
}  // namespace postura::collector
