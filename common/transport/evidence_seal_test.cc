#include "common/transport/evidence_seal.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>

#include "absl/time/time.h"
#include "common/transport/agent_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

v1::Evidence Item(const std::string& outcome, v1::Level level) {
  v1::Evidence item;
  item.set_asset_id("web-1");
  item.set_outcome_id(outcome);
  item.set_level(level);
  item.set_observed_at_unix_nanos(1'800'000'000'000'000'000);
  item.set_expires_at_unix_nanos(1'800'086'400'000'000'000);
  item.set_check_id("ssh.permit-root-login");
  item.set_kind(v1::OBSERVED);
  item.set_detail("PermitRootLogin no");
  return item;
}

// An agent's key and the certificate the agent CA gave it.
struct SignedAgent {
  std::string key_pem;
  std::string certificate_pem;
};

SignedAgent NewSignedAgent(const AgentCertificateAuthority& ca, const std::string& agent_id) {
  SignedAgent agent;
  agent.key_pem = NewAgentKeyPem().value();
  agent.certificate_pem =
      IssueAgentCertificate(ca, AgentSigningRequestPem(agent.key_pem, agent_id).value(), agent_id,
                            "", absl::Now(), absl::Hours(24))
          .value();
  return agent;
}

class EvidenceSealTest : public testing::Test {
 protected:
  void SetUp() override {
    ca_ = NewAgentCertificateAuthority().value();
    agent_ = NewSignedAgent(ca_, "agent-1");
    *batch_.Add() = Item("PR_AC_CSC_5_2", v1::DLI_100);
    *batch_.Add() = Item("PR_DS_1", v1::DLI_33);
  }

  AgentCertificateAuthority ca_;
  SignedAgent agent_;
  google::protobuf::RepeatedPtrField<v1::Evidence> batch_;
};

TEST(CanonicalEvidenceTest, SpellsEachFieldWithItsLengthOrAsEightBytes) {
  v1::Evidence item;
  item.set_asset_id("a");
  item.set_level(v1::DLI_67);
  item.set_observed_at_unix_nanos(-1);
  const std::string canonical = CanonicalEvidence(item);
  const std::string tag = std::string("\0\0\0\x13", 4) + "postura.evidence.v1";
  EXPECT_EQ(canonical.substr(0, tag.size()), tag);
  std::string rest = canonical.substr(tag.size());
  EXPECT_EQ(rest.substr(0, 5), std::string("\0\0\0\x01"
                                           "a",
                                           5));        // asset_id
  EXPECT_EQ(rest.substr(5, 4), std::string(4, '\0'));  // outcome_id, empty
  EXPECT_EQ(rest.substr(9, 8), std::string("\0\0\0\0\0\0\0", 7) + char(v1::DLI_67));
  EXPECT_EQ(rest.substr(17, 8), std::string(8, '\xff'));  // observed_at, -1
  // expires (8), check_id (4), kind (8), detail (4), content_sha256 (4).
  EXPECT_EQ(rest.size(), 25u + 8 + 4 + 8 + 4 + 4);
}

TEST(CanonicalEvidenceTest, EveryFieldChangesTheDigest) {
  const v1::Evidence base = Item("PR_DS_1", v1::DLI_33);
  std::vector<v1::Evidence> variants(9, base);
  variants[0].set_asset_id("web-2");
  variants[1].set_outcome_id("PR_DS_2");
  variants[2].set_level(v1::DLI_67);
  variants[3].set_observed_at_unix_nanos(base.observed_at_unix_nanos() + 1);
  variants[4].set_expires_at_unix_nanos(base.expires_at_unix_nanos() + 1);
  variants[5].set_check_id("ssh.other");
  variants[6].set_kind(v1::ATTESTED);
  variants[7].set_detail("PermitRootLogin yes");
  variants[8].set_content_sha256(std::string(32, 'x'));
  for (const v1::Evidence& variant : variants) {
    EXPECT_NE(DigestOfEvidence(variant), DigestOfEvidence(base)) << variant.ShortDebugString();
  }
}

TEST(CanonicalEvidenceTest, FieldBoundariesCannotBeShifted) {
  v1::Evidence first = Item("PR_DS_1", v1::DLI_33);
  v1::Evidence second = first;
  first.set_asset_id("ab");
  first.set_outcome_id("c");
  second.set_asset_id("a");
  second.set_outcome_id("bc");
  EXPECT_NE(DigestOfEvidence(first), DigestOfEvidence(second));
}

TEST_F(EvidenceSealTest, ASignedSealVerifiesWithTheAgentsCertificate) {
  const BatchSeal seal = SealOfItems("agent-1", 7, batch_);
  ASSERT_EQ(seal.item_digests.size(), 2u);
  EXPECT_EQ(seal.item_digests[1], DigestOfEvidence(batch_[1]));
  const std::string signature = EvidenceSigner::FromKeyPem(agent_.key_pem)->Sign(seal).value();
  const EvidenceVerifier verifier =
      EvidenceVerifier::FromCertificatePem(agent_.certificate_pem).value();
  EXPECT_TRUE(verifier.Verify(seal, signature).ok());
}

TEST_F(EvidenceSealTest, AChangedItemSequenceOrAgentFailsVerification) {
  const BatchSeal seal = SealOfItems("agent-1", 7, batch_);
  const std::string signature = EvidenceSigner::FromKeyPem(agent_.key_pem)->Sign(seal).value();
  const EvidenceVerifier verifier =
      EvidenceVerifier::FromCertificatePem(agent_.certificate_pem).value();

  google::protobuf::RepeatedPtrField<v1::Evidence> raised = batch_;
  raised[1].set_level(v1::DLI_100);
  EXPECT_THAT(verifier.Verify(SealOfItems("agent-1", 7, raised), signature),
              HasMessage(HasSubstr("does not match the seal of batch 7 of agent agent-1")));
  EXPECT_FALSE(verifier.Verify(SealOfItems("agent-1", 8, batch_), signature).ok());
  EXPECT_FALSE(verifier.Verify(SealOfItems("agent-2", 7, batch_), signature).ok());
  google::protobuf::RepeatedPtrField<v1::Evidence> shorter = batch_;
  shorter.RemoveLast();
  EXPECT_FALSE(verifier.Verify(SealOfItems("agent-1", 7, shorter), signature).ok());
}

TEST_F(EvidenceSealTest, AnotherAgentsKeyOrAGarbledSignatureFails) {
  const BatchSeal seal = SealOfItems("agent-1", 7, batch_);
  const SignedAgent other = NewSignedAgent(ca_, "agent-1");
  const std::string forged = EvidenceSigner::FromKeyPem(other.key_pem)->Sign(seal).value();
  const EvidenceVerifier verifier =
      EvidenceVerifier::FromCertificatePem(agent_.certificate_pem).value();
  EXPECT_EQ(verifier.Verify(seal, forged).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.Verify(seal, "not DER").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier.Verify(seal, "").code(), absl::StatusCode::kUnauthenticated);
}

TEST(EvidenceSignerTest, RefusesKeysThatAreNotP256) {
  EXPECT_EQ(EvidenceSigner::FromKeyPem("no key here").status().code(),
            absl::StatusCode::kInvalidArgument);
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp384r1");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  EXPECT_THAT(EvidenceSigner::FromKeyPem(pem).status(),
              HasMessage(HasSubstr("is not an EC P-256 key")));
  EXPECT_EQ(EvidenceVerifier::FromCertificatePem("garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace postura
