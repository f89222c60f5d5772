// `postura evidence verify` as a user runs it (docs/signed-evidence.md): against a real
// collector process, whose export of an asset's or the organisation's evidence checks on
// the CLI's side (items sent over a bearer credential are unsigned, not failed), saved
// and checked again offline; and offline on a proof of signed batches made here with an
// agent's key, which verifies, and fails with exit status 5 once an item is changed or
// the CA is another.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "collector/testing/test_evidence.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/evidence_seal.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/evidence_proof.pb.h"
#include "tests/testing/cli_process_test.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class EvidenceVerifyCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  // `postura evidence verify --proof FILE --ca CA --format json`, with its exit status.
  ProcessResult VerifyOffline(const v1::EvidenceProof& proof, const std::string& ca_pem) {
    std::string json;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(proof, &json).ok());
    return Postura({"evidence", "verify", "--proof", Write("proof.json", json), "--ca",
                    Write("ca.pem", ca_pem), "--format", "json"});
  }
};

TEST_F(EvidenceVerifyCliTest, BearerEvidenceIsUnsignedAndASavedProofChecksAgainOffline) {
  Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG1"});
  absl::StatusOr<CollectorTrust> agent =
      test::EnrollAgent(collector_->address(), collector_->admin(), "host-1", {"web"});
  ASSERT_TRUE(agent.ok()) << agent.status();
  ASSERT_TRUE(test::SendBatch(collector_->address(), *agent, "host-1", 1,
                              {collector::TestEvidence("web", "ID_AM_CSC_1_1", absl::Now()),
                               collector::TestEvidence("web", "PR_AC_CSC_5_2", absl::Now())})
                  .ok());
  const std::string saved = (dir_.path() / "web.proof.json").string();
  const Json online = OkJson({"evidence", "verify", "web", "--save", saved, "--since", "1h"});
  EXPECT_EQ(online["verified"], 0);
  EXPECT_EQ(online["unsigned"], 2);
  EXPECT_EQ(online["failed"], 0);
  EXPECT_EQ(online["findings"][0]["verdict"], "unsigned");
  EXPECT_EQ(online["findings"][0]["agentId"], "host-1");

  const Json offline = OkJson({"evidence", "verify", "--proof", saved});
  EXPECT_EQ(offline["unsigned"], 2);
  EXPECT_EQ(OkJson({"evidence", "verify", "--org"})["unsigned"], 2);
  EXPECT_THAT(Ok({"evidence", "verify", "web"}), HasSubstr("unsigned  2"));
}

TEST_F(EvidenceVerifyCliTest, BadInputIsNamed) {
  EXPECT_THAT(Refused({"evidence", "verify", "nosuch"}), HasSubstr("nosuch"));
  EXPECT_THAT(Refused({"evidence", "verify", "--proof", Write("bad.json", "{\"items\": 7}")}),
              HasSubstr("is not an evidence proof"));
  EXPECT_THAT(Refused({"evidence", "verify", "--proof", (dir_.path() / "absent").string()}),
              HasSubstr("--proof: cannot read"));
  EXPECT_EQ(Postura({"evidence", "verify"}).exit_code, 2);  // Neither ASSET, --org nor --proof.
}

TEST_F(EvidenceVerifyCliTest, ASignedProofVerifiesAndAChangedItemFailsWithExitStatus5) {
  const AgentCertificateAuthority ca = NewAgentCertificateAuthority().value();
  const std::string key = NewAgentKeyPem().value();
  const std::string certificate =
      IssueAgentCertificate(ca, AgentSigningRequestPem(key, "host-1").value(), "host-1", "",
                            absl::Now() - absl::Hours(1), absl::Hours(24))
          .value();
  google::protobuf::RepeatedPtrField<v1::Evidence> batch;
  *batch.Add() = collector::TestEvidence("web", "ID_AM_CSC_1_1", absl::Now(), v1::DLI_33);
  *batch.Add() = collector::TestEvidence("web", "PR_AC_CSC_5_2", absl::Now(), v1::DLI_67);
  const BatchSeal seal = SealOfItems("host-1", 9, batch);

  v1::EvidenceProof proof;
  proof.set_agent_ca_certificate_pem(ca.certificate_pem);
  *proof.add_agent_certificates_pem() = certificate;
  v1::BatchSealRecord* record = proof.add_seals();
  record->set_agent_id("host-1");
  record->set_sequence(9);
  for (const EvidenceDigest& digest : seal.item_digests) {
    record->mutable_item_digests()->append(reinterpret_cast<const char*>(digest.data()),
                                           digest.size());
  }
  record->set_signature(EvidenceSigner::FromKeyPem(key)->Sign(seal).value());
  record->set_certificate_serial(
      VerifyAgentCertificate(certificate, ca.certificate_pem, absl::Now()).value().serial);
  record->set_received_at_unix_nanos(absl::ToUnixNanos(absl::Now()));
  for (int i = 0; i < batch.size(); ++i) {
    v1::StoredEvidence* item = proof.add_items();
    *item->mutable_evidence() = batch[i];
    item->set_agent_id("host-1");
    item->set_sequence(9);
    item->set_index(i);
    item->set_received_at_unix_nanos(record->received_at_unix_nanos());
  }

  ProcessResult good = VerifyOffline(proof, ca.certificate_pem);
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(Json::parse(good.out)["verified"], 2);

  proof.mutable_items(1)->mutable_evidence()->set_level(v1::DLI_100);
  ProcessResult changed = VerifyOffline(proof, ca.certificate_pem);
  EXPECT_EQ(changed.exit_code, 5) << changed.err;
  const Json report = Json::parse(changed.out);
  EXPECT_EQ(report["verified"], 1);
  EXPECT_EQ(report["failed"], 1);
  EXPECT_EQ(report["findings"][0]["outcomeId"], "PR_AC_CSC_5_2");
  EXPECT_THAT(report["findings"][0]["reason"].get<std::string>(),
              HasSubstr("differs from item 1 of batch 9 that agent host-1 signed"));

  proof.mutable_items(1)->mutable_evidence()->set_level(v1::DLI_67);
  ProcessResult other_ca =
      VerifyOffline(proof, NewAgentCertificateAuthority().value().certificate_pem);
  EXPECT_EQ(other_ca.exit_code, 5);
  EXPECT_EQ(Json::parse(other_ca.out)["caDiffers"], true);
}

}  // namespace
}  // namespace postura
