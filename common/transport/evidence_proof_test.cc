#include "common/transport/evidence_proof.h"

#include <string>

#include "common/transport/agent_certificate.h"
#include "common/transport/evidence_seal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura {
namespace {

using ::testing::HasSubstr;

const absl::Time kIssued = absl::FromUnixSeconds(1'800'000'000);
const absl::Time kReceived = kIssued + absl::Hours(1);

v1::Evidence Item(const std::string& outcome, v1::Level level) {
  v1::Evidence item;
  item.set_asset_id("web-1");
  item.set_outcome_id(outcome);
  item.set_level(level);
  item.set_observed_at_unix_nanos(absl::ToUnixNanos(kReceived - absl::Seconds(5)));
  item.set_expires_at_unix_nanos(absl::ToUnixNanos(kReceived + absl::Hours(24)));
  item.set_check_id("check." + outcome);
  item.set_kind(v1::OBSERVED);
  return item;
}

// An agent with its key and a certificate from `ca`, valid for a week from kIssued.
struct Agent {
  std::string id;
  std::string key_pem;
  std::string certificate_pem;
  std::string serial;
};

Agent NewAgent(const AgentCertificateAuthority& ca, const std::string& id,
               const std::string& named_id = "") {
  Agent agent{id, NewAgentKeyPem().value(), "", ""};
  const std::string name = named_id.empty() ? id : named_id;
  agent.certificate_pem =
      IssueAgentCertificate(ca, AgentSigningRequestPem(agent.key_pem, name).value(), name, "",
                            kIssued, absl::Hours(24 * 7))
          .value();
  agent.serial =
      VerifyAgentCertificate(agent.certificate_pem, ca.certificate_pem, kIssued).value().serial;
  return agent;
}

class EvidenceProofTest : public testing::Test {
 protected:
  void SetUp() override {
    ca_ = NewAgentCertificateAuthority().value();
    agent_ = NewAgent(ca_, "agent-1");
    proof_.set_agent_ca_certificate_pem(ca_.certificate_pem);
    *proof_.add_agent_certificates_pem() = agent_.certificate_pem;
  }

  // Adds a batch of `items` sent by `sender` (signed with `signer`'s key), sealed with the
  // certificate of `certified`, received at `received`; every item is stored.
  void AddBatch(uint64_t sequence, const std::vector<v1::Evidence>& items,
                const Agent* signer = nullptr, absl::Time received = kReceived) {
    signer = signer == nullptr ? &agent_ : signer;
    google::protobuf::RepeatedPtrField<v1::Evidence> batch(items.begin(), items.end());
    const BatchSeal seal = SealOfItems(agent_.id, sequence, batch);
    v1::BatchSealRecord* record = proof_.add_seals();
    record->set_agent_id(agent_.id);
    record->set_sequence(sequence);
    for (const EvidenceDigest& digest : seal.item_digests) {
      record->mutable_item_digests()->append(reinterpret_cast<const char*>(digest.data()),
                                             digest.size());
    }
    record->set_signature(EvidenceSigner::FromKeyPem(signer->key_pem)->Sign(seal).value());
    record->set_certificate_serial(agent_.serial);
    record->set_received_at_unix_nanos(absl::ToUnixNanos(received));
    for (size_t i = 0; i < items.size(); ++i) AddStored(sequence, i, items[i], received);
  }

  void AddStored(uint64_t sequence, size_t index, const v1::Evidence& item,
                 absl::Time received = kReceived) {
    v1::StoredEvidence* stored = proof_.add_items();
    *stored->mutable_evidence() = item;
    stored->set_agent_id(agent_.id);
    stored->set_sequence(sequence);
    stored->set_index(static_cast<uint32_t>(index));
    stored->set_received_at_unix_nanos(absl::ToUnixNanos(received));
  }

  ProofReport Verify(absl::Time since = absl::InfinitePast()) {
    return VerifyEvidenceProof(proof_, ca_.certificate_pem, since).value();
  }

  AgentCertificateAuthority ca_;
  Agent agent_;
  v1::EvidenceProof proof_;
};

TEST_F(EvidenceProofTest, SignedItemsVerify) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_33), Item("PR_DS_2", v1::DLI_100)});
  AddBatch(2, {Item("PR_DS_1", v1::DLI_67)});
  const ProofReport report = Verify();
  EXPECT_EQ(report.verified, 3);
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(report.unsigned_items, 0);
  EXPECT_TRUE(report.findings.empty());
  EXPECT_FALSE(report.ca_differs);
}

TEST_F(EvidenceProofTest, ATamperedItemFailsAndTheOthersStillVerify) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_33), Item("PR_DS_2", v1::DLI_100)});
  proof_.mutable_items(0)->mutable_evidence()->set_level(v1::DLI_100);
  const ProofReport report = Verify();
  EXPECT_EQ(report.verified, 1);
  ASSERT_EQ(report.failed, 1);
  EXPECT_EQ(report.findings[0].index, 0);
  EXPECT_EQ(report.findings[0].verdict, ItemVerdict::kFailed);
  EXPECT_THAT(report.findings[0].reason,
              HasSubstr("differs from item 0 of batch 1 that agent agent-1 signed"));
}

TEST_F(EvidenceProofTest, AnItemMovedToAnotherIndexOrBatchFails) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_33), Item("PR_DS_2", v1::DLI_100)});
  proof_.mutable_items(1)->set_index(0);
  AddStored(1, 7, Item("PR_DS_2", v1::DLI_100));
  const ProofReport report = Verify();
  EXPECT_EQ(report.verified, 1);
  EXPECT_EQ(report.failed, 2);
  EXPECT_THAT(report.findings[1].reason, HasSubstr("batch 1 of agent agent-1 sealed no item 7"));
}

TEST_F(EvidenceProofTest, AnItemWithoutASealIsUnsignedNotVerified) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_33)});
  AddStored(5, 0, Item("PR_DS_2", v1::DLI_100));
  const ProofReport report = Verify();
  EXPECT_EQ(report.verified, 1);
  EXPECT_EQ(report.unsigned_items, 1);
  EXPECT_EQ(report.findings[0].verdict, ItemVerdict::kUnsigned);
}

TEST_F(EvidenceProofTest, ASealSignedWithAnotherKeyFails) {
  const Agent impostor = NewAgent(ca_, "agent-9");
  AddBatch(1, {Item("PR_DS_1", v1::DLI_100)}, &impostor);
  const ProofReport report = Verify();
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(report.findings[0].reason, HasSubstr("signature does not match"));
}

TEST_F(EvidenceProofTest, ACertificateFromAnotherCaFailsAndTheCaDifferenceIsReported) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_100)});
  const AgentCertificateAuthority other = NewAgentCertificateAuthority().value();
  const ProofReport report = VerifyEvidenceProof(proof_, other.certificate_pem).value();
  EXPECT_TRUE(report.ca_differs);
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(report.findings[0].reason, HasSubstr("was not good when the batch arrived"));
  // Without a CA of its own, the verifier falls back to the proof's.
  EXPECT_EQ(VerifyEvidenceProof(proof_, "").value().verified, 1);
}

TEST_F(EvidenceProofTest, ABatchReceivedAfterItsCertificateExpiredFails) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_100)}, nullptr, kIssued + absl::Hours(24 * 8));
  const ProofReport report = Verify();
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(report.findings[0].reason, HasSubstr("not good when the batch arrived"));
}

TEST_F(EvidenceProofTest, ACertificateNamingAnotherAgentFails) {
  const Agent other = NewAgent(ca_, "agent-1", "agent-2");
  agent_.key_pem = other.key_pem;
  agent_.serial = other.serial;
  *proof_.add_agent_certificates_pem() = other.certificate_pem;
  AddBatch(1, {Item("PR_DS_1", v1::DLI_100)});
  const ProofReport report = Verify();
  EXPECT_EQ(report.failed, 1);
  EXPECT_THAT(report.findings[0].reason, HasSubstr("names agent agent-2"));
}

TEST_F(EvidenceProofTest, AMissingCertificateOrMalformedSealFails) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_100)});
  AddBatch(2, {Item("PR_DS_2", v1::DLI_100)});
  proof_.mutable_seals(0)->set_certificate_serial("abcdef");
  proof_.mutable_seals(1)->mutable_item_digests()->push_back('x');
  const ProofReport report = Verify();
  ASSERT_EQ(report.failed, 2);
  EXPECT_THAT(report.findings[0].reason, HasSubstr("certificate abcdef that sealed batch 1"));
  EXPECT_THAT(report.findings[0].reason, HasSubstr("is not in the proof"));
  EXPECT_THAT(report.findings[1].reason, HasSubstr("the seal of batch 2 of agent agent-1 is "
                                                   "malformed"));
}

TEST_F(EvidenceProofTest, SinceSkipsItemsReceivedBefore) {
  AddBatch(1, {Item("PR_DS_1", v1::DLI_100)});
  AddBatch(2, {Item("PR_DS_1", v1::DLI_33)}, nullptr, kReceived + absl::Hours(2));
  EXPECT_EQ(Verify(kReceived + absl::Hours(1)).verified, 1);
  EXPECT_EQ(Verify().verified, 2);
}

TEST_F(EvidenceProofTest, ACaThatDoesNotParseOrNoCaAtAllIsAnError) {
  EXPECT_EQ(VerifyEvidenceProof(proof_, "not a certificate").status().code(),
            absl::StatusCode::kInvalidArgument);
  proof_.clear_agent_ca_certificate_pem();
  EXPECT_EQ(VerifyEvidenceProof(proof_, "").status().message(),
            "no agent CA to check against: the proof names none, and none was given");
}

}  // namespace
}  // namespace postura
