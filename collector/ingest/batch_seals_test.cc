// The check of signed batches at ingest: a batch signed by its certificate's key over its
// items passes and yields the seal the store keeps; unsigned, another key's, another
// agent's or altered batches are refused, each with its reason.

#include "collector/ingest/batch_seals.h"

#include "collector/store/store_keys.h"
#include "collector/testing/test_evidence.h"
#include "common/transport/agent_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

class BatchSealCheckerTest : public testing::Test {
 protected:
  void SetUp() override {
    const AgentCertificateAuthority ca = NewAgentCertificateAuthority().value();
    key_pem_ = NewAgentKeyPem().value();
    certificate_pem_ = IssueAgentCertificate(ca, AgentSigningRequestPem(key_pem_, "web-1").value(),
                                             "web-1", "", kNow, absl::Hours(24))
                           .value();
    batch_.set_sequence(7);
    *batch_.add_items() = TestEvidence("web", "PR.AC-1", kNow);
    *batch_.add_items() = TestEvidence("web", "PR.DS-1", kNow, v1::DLI_100);
  }

  // Signs the batch as agent `agent` with `key_pem`.
  void SignAs(const std::string& agent, const std::string& key_pem) {
    const EvidenceSigner signer = EvidenceSigner::FromKeyPem(key_pem).value();
    batch_.set_signature(
        signer.Sign(SealOfItems(agent, batch_.sequence(), batch_.items())).value());
  }

  BatchSealChecker Checker() {
    return BatchSealChecker::ForCertificate(certificate_pem_, "5e1a1").value();
  }

  std::string key_pem_;
  std::string certificate_pem_;
  v1::Batch batch_;
};

TEST_F(BatchSealCheckerTest, ASignedBatchYieldsItsSealWithEveryItemsDigest) {
  SignAs("web-1", key_pem_);
  const BatchSealChecker checker = Checker();
  absl::StatusOr<v1::BatchSealRecord> seal = checker.Check("web-1", batch_, kNow);
  ASSERT_TRUE(seal.ok()) << seal.status();
  EXPECT_EQ(seal->agent_id(), "web-1");
  EXPECT_EQ(seal->sequence(), 7u);
  ASSERT_EQ(seal->item_digests().size(), 64u);
  const EvidenceDigest second = DigestOfEvidence(batch_.items(1));
  EXPECT_EQ(seal->item_digests().substr(32), std::string(second.begin(), second.end()));
  EXPECT_EQ(seal->certificate_serial(), "5e1a1");
  EXPECT_EQ(seal->received_at_unix_nanos(), absl::ToUnixNanos(kNow));

  EncodedBatch encoded;
  checker.Attach(*seal, /*with_certificate=*/true, encoded);
  EXPECT_EQ(encoded.seal_key, SealKey("web-1", 7));
  EXPECT_EQ(encoded.certificate_key, CertificateKey("5e1a1"));
  v1::AgentCertificateRecord certificate;
  ASSERT_TRUE(certificate.ParseFromString(encoded.certificate_value));
  EXPECT_EQ(certificate.certificate_pem(), certificate_pem_);
  EXPECT_EQ(certificate.not_after_unix_nanos(), absl::ToUnixNanos(kNow + absl::Hours(24)));

  EncodedBatch later;
  checker.Attach(*seal, /*with_certificate=*/false, later);
  EXPECT_FALSE(later.seal_key.empty());
  EXPECT_TRUE(later.certificate_key.empty());
}

TEST_F(BatchSealCheckerTest, AnUnsignedBatchIsRefused) {
  absl::StatusOr<v1::BatchSealRecord> seal = Checker().Check("web-1", batch_, kNow);
  EXPECT_EQ(seal.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(seal.status().message(), HasSubstr("batch 7 is unsigned"));
}

TEST_F(BatchSealCheckerTest, AnotherKeysSignatureIsRefused) {
  SignAs("web-1", NewAgentKeyPem().value());
  absl::StatusOr<v1::BatchSealRecord> seal = Checker().Check("web-1", batch_, kNow);
  EXPECT_EQ(seal.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(seal.status().message(), HasSubstr("does not match"));
  EXPECT_THAT(seal.status().message(), HasSubstr("serial 5e1a1"));
}

TEST_F(BatchSealCheckerTest, AChangedItemOrAnotherAgentOrSequenceIsRefused) {
  SignAs("web-1", key_pem_);
  const BatchSealChecker checker = Checker();
  EXPECT_FALSE(checker.Check("web-2", batch_, kNow).ok());
  v1::Batch resequenced = batch_;
  resequenced.set_sequence(8);
  EXPECT_FALSE(checker.Check("web-1", resequenced, kNow).ok());
  v1::Batch altered = batch_;
  altered.mutable_items(0)->set_detail("changed on the way");
  EXPECT_FALSE(checker.Check("web-1", altered, kNow).ok());
  v1::Batch shortened = batch_;
  shortened.mutable_items()->RemoveLast();
  EXPECT_FALSE(checker.Check("web-1", shortened, kNow).ok());
  EXPECT_TRUE(checker.Check("web-1", batch_, kNow).ok());
}

TEST_F(BatchSealCheckerTest, ACertificateThatDoesNotParseIsRefused) {
  EXPECT_EQ(BatchSealChecker::ForCertificate("not a certificate", "1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace postura::collector
