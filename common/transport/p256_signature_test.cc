#include "common/transport/p256_signature.h"

#include <openssl/evp.h>

#include "common/transport/agent_certificate.h"
#include "common/transport/x509_pem.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

TEST(P256SignatureTest, APublicKeyPemVerifiesItsSignersSignatures) {
  const P256Signer signer = P256Signer::FromKeyPem(NewAgentKeyPem().value(), "key").value();
  const P256Verifier verifier =
      P256Verifier::FromPublicKeyPem(signer.PublicKeyPem().value(), "public key").value();
  const std::string signature = signer.Sign("the message").value();
  EXPECT_TRUE(verifier.Matches("the message", signature));
  EXPECT_FALSE(verifier.Matches("another message", signature));
  EXPECT_FALSE(verifier.Matches("the message", "not DER"));
  const P256Signer other = P256Signer::FromKeyPem(NewAgentKeyPem().value(), "key").value();
  EXPECT_FALSE(verifier.Matches("the message", other.Sign("the message").value()));
}

TEST(P256SignatureTest, TextWithoutAPublicKeyIsRefusedByName) {
  EXPECT_THAT(P256Verifier::FromPublicKeyPem("hello", "health's key").status(),
              HasMessage(HasSubstr("health's key holds no PEM public key")));
}

TEST(P256SignatureTest, KeysOnOtherCurvesAreRefused) {
  tls_internal::PkeyPtr p384(EVP_EC_gen("P-384"));
  ASSERT_NE(p384, nullptr);
  const std::string pem = tls_internal::PrivateKeyPem(p384.get()).value();
  EXPECT_THAT(P256Signer::FromKeyPem(pem, "the sector key").status(),
              HasMessage(HasSubstr("the sector key is not an EC P-256 key")));
}

}  // namespace
}  // namespace postura
