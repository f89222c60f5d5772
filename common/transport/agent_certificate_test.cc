#include "common/transport/agent_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/transport/local_ca.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
const absl::Duration kWeek = absl::Hours(24 * 7);

class AgentCertificateTest : public testing::Test {
 protected:
  void SetUp() override {
    ca_ = NewAgentCertificateAuthority().value();
    key_ = NewAgentKeyPem().value();
  }
  std::string Request(const std::string& agent_id) {
    return AgentSigningRequestPem(key_, agent_id).value();
  }

  AgentCertificateAuthority ca_;
  std::string key_;
};

// A signing request for `agent_id` whose key is of another type than EC P-256.
std::string RequestWithKey(const char* type, const char* parameter, const std::string& agent_id) {
  EVP_PKEY* key = std::string(type) == "RSA"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, size_t{2048})
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type, parameter);
  X509_REQ* request = X509_REQ_new();
  X509_REQ_set_pubkey(request, key);
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(agent_id.data()),
                             static_cast<int>(agent_id.size()), -1, 0);
  // Ed25519 signs without a separate digest.
  X509_REQ_sign(request, key, std::string(type) == "ED25519" ? nullptr : EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(bio, request);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  X509_REQ_free(request);
  EVP_PKEY_free(key);
  return pem;
}

TEST_F(AgentCertificateTest, AnIssuedCertificateNamesTheAgentAndTenantForItsLifetime) {
  absl::StatusOr<std::string> certificate =
      IssueAgentCertificate(ca_, Request("host-1"), "host-1", "acme", kNow, kWeek);
  ASSERT_TRUE(certificate.ok()) << certificate.status();
  absl::StatusOr<AgentCertificateFacts> facts =
      VerifyAgentCertificate(*certificate, ca_.certificate_pem, kNow + absl::Hours(1));
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->agent_id, "host-1");
  EXPECT_EQ(facts->tenant_id, "acme");
  EXPECT_EQ(facts->not_before, kNow - absl::Minutes(5));
  EXPECT_EQ(facts->not_after, kNow + kWeek);
  EXPECT_FALSE(facts->serial.empty());
  // Each certificate has its own serial; an organisation's agent names no tenant.
  absl::StatusOr<AgentCertificateFacts> other = VerifyAgentCertificate(
      IssueAgentCertificate(ca_, Request("host-1"), "host-1", "", kNow, kWeek).value(),
      ca_.certificate_pem, kNow);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->tenant_id, "");
  EXPECT_NE(other->serial, facts->serial);
}

TEST_F(AgentCertificateTest, OutsideItsValidityOrFromAnotherCaItDoesNotVerify) {
  const std::string certificate =
      IssueAgentCertificate(ca_, Request("host-1"), "host-1", "acme", kNow, kWeek).value();
  EXPECT_THAT(
      VerifyAgentCertificate(certificate, ca_.certificate_pem, kNow + kWeek + absl::Seconds(1))
          .status(),
      HasMessage(HasSubstr("certificate has expired")));
  EXPECT_EQ(VerifyAgentCertificate(certificate, ca_.certificate_pem, kNow - absl::Hours(1))
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  const AgentCertificateAuthority other = NewAgentCertificateAuthority().value();
  EXPECT_EQ(VerifyAgentCertificate(certificate, other.certificate_pem, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AgentCertificateTest, AServerCertificateDoesNotPassAsAnAgent) {
  test::TempDir dir;
  ASSERT_TRUE(EnsureLocalCertificateAuthority(dir.path(), {}).ok());
  auto read = [&](const char* name) {
    std::ifstream in(dir.path() / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  absl::StatusOr<AgentCertificateFacts> facts =
      VerifyAgentCertificate(read("server.crt"), read("ca.crt"), absl::Now());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(facts.status(), HasMessage(HasSubstr("unsuitable certificate purpose")));
}

TEST_F(AgentCertificateTest, ARequestForAnotherAgentOrWithAnotherKeyTypeIsRefused) {
  EXPECT_THAT(IssueAgentCertificate(ca_, Request("host-2"), "host-1", "", kNow, kWeek).status(),
              HasMessage(HasSubstr("the signing request names CN=host-2, not CN=host-1")));
  for (const auto& [type, parameter] :
       {std::pair<const char*, const char*>{"RSA", ""}, {"EC", "P-384"}, {"ED25519", nullptr}}) {
    absl::StatusOr<std::string> issued = IssueAgentCertificate(
        ca_, RequestWithKey(type, parameter, "host-1"), "host-1", "", kNow, kWeek);
    EXPECT_THAT(issued.status(), HasMessage(HasSubstr("not an EC P-256 key"))) << type;
  }
}

TEST_F(AgentCertificateTest, AForgedOversizedOrMalformedRequestIsRefused) {
  // The request's key swapped after signing: its signature no longer verifies.
  std::string forged = Request("host-1");
  {
    BIO* bio = BIO_new_mem_buf(forged.data(), static_cast<int>(forged.size()));
    X509_REQ* request = PEM_read_bio_X509_REQ(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(request, nullptr);
    EVP_PKEY* other = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509_REQ_set_pubkey(request, other);
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(out, request);  // The old signature over the new key.
    char* data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    forged.assign(data, static_cast<size_t>(size));
    BIO_free(out);
    EVP_PKEY_free(other);
    X509_REQ_free(request);
  }
  EXPECT_THAT(IssueAgentCertificate(ca_, forged, "host-1", "", kNow, kWeek).status(),
              HasMessage(HasSubstr("not signed by its own key")));
  EXPECT_THAT(
      IssueAgentCertificate(ca_, std::string(5000, 'A'), "host-1", "", kNow, kWeek).status(),
      HasMessage(HasSubstr("5000 bytes, more than 4096")));
  EXPECT_THAT(IssueAgentCertificate(ca_, "not a request", "host-1", "", kNow, kWeek).status(),
              HasMessage(HasSubstr("not a PEM certificate request")));
}

// Enrollment recognises a key by the digest of its request, which is the digest its
// certificate carries; an agent reads its own certificate without the CA.
TEST_F(AgentCertificateTest, ARequestsKeyDigestIsItsCertificatesAndReadingNeedsNoCa) {
  absl::StatusOr<std::string> digest = SigningRequestKeySha256(Request("host-1"), "host-1");
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(digest->size(), 32u);
  const std::string certificate =
      IssueAgentCertificate(ca_, Request("host-1"), "host-1", "acme", kNow, kWeek).value();
  const AgentCertificateFacts verified =
      VerifyAgentCertificate(certificate, ca_.certificate_pem, kNow).value();
  EXPECT_EQ(verified.key_sha256, *digest);
  absl::StatusOr<AgentCertificateFacts> read = ReadAgentCertificate(certificate);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->serial, verified.serial);
  EXPECT_EQ(read->agent_id, "host-1");
  EXPECT_EQ(read->not_after, kNow + kWeek);
  const std::string other_key = NewAgentKeyPem().value();
  EXPECT_NE(SigningRequestKeySha256(AgentSigningRequestPem(other_key, "host-1").value(), "host-1")
                .value(),
            *digest);
  EXPECT_THAT(SigningRequestKeySha256(Request("host-1"), "host-2").status(),
              HasMessage(HasSubstr("not CN=host-2")));
  EXPECT_EQ(ReadAgentCertificate("no certificate").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AgentCertificateTest, BadIdsLifetimesAndCaAreRefused) {
  EXPECT_EQ(AgentSigningRequestPem(key_, "host 1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AgentSigningRequestPem("no key", "host-1").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string request = Request("host-1");
  EXPECT_THAT(IssueAgentCertificate(ca_, request, "host-1", "a,URI:x", kNow, kWeek).status(),
              HasMessage(HasSubstr("tenant id")));
  EXPECT_THAT(IssueAgentCertificate(ca_, request, "host-1", "", kNow, absl::Seconds(119)).status(),
              HasMessage(HasSubstr("outside [2m, 2160h]")));
  EXPECT_EQ(
      IssueAgentCertificate(ca_, request, "host-1", "", kNow, absl::Hours(24 * 91)).status().code(),
      absl::StatusCode::kInvalidArgument);
  AgentCertificateAuthority mismatched = ca_;
  mismatched.key_pem = key_;
  EXPECT_EQ(IssueAgentCertificate(mismatched, request, "host-1", "", kNow, kWeek).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace postura
