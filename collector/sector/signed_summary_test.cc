#include "collector/sector/signed_summary.h"

#include <string>

#include "common/transport/agent_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

constexpr size_t kOutcomes = 5;

P256Signer NewOrganisationKey() {
  return P256Signer::FromKeyPem(NewAgentKeyPem().value(), "a test key").value();
}

P256Verifier VerifierOf(const P256Signer& key) {
  return P256Verifier::FromPublicKeyPem(key.PublicKeyPem().value(), "a test key").value();
}

v1::SectorAssetSummary Summary(const std::string& organisation) {
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation);
  summary.set_asset_ref(AssetPseudonym(organisation, "mail-server"));
  summary.set_version(1);
  summary.set_published_at_unix_nanos(1'700'000'000'000'000'000);
  summary.set_implementation_group(v1::IG2);
  summary.set_value(0.6);
  summary.set_adjusted_value(0.5);
  summary.set_coverage(0.8);
  summary.set_outcome_levels(std::string("\x01\x02\x00\x03\x04", kOutcomes));
  return summary;
}

class SignedSummaryTest : public ::testing::Test {
 protected:
  P256Signer health_key_ = NewOrganisationKey();
  P256Signer water_key_ = NewOrganisationKey();
  SectorMembers members_{{"health", VerifierOf(health_key_)}, {"water", VerifierOf(water_key_)}};
};

TEST_F(SignedSummaryTest, AMemberSummaryOpensAsItWasSealed) {
  const v1::SectorAssetSummary summary = Summary("health");
  const std::string message = SealSummary(summary, health_key_).value();
  absl::StatusOr<v1::SectorAssetSummary> opened =
      OpenSummary(message, "health", members_, kOutcomes);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->SerializeAsString(), summary.SerializeAsString());
}

TEST_F(SignedSummaryTest, AnOrganisationCannotPublishForAnother) {
  // Water signs a summary claiming to be health's and sends it on its own subject.
  const std::string message = SealSummary(Summary("health"), water_key_).value();
  EXPECT_THAT(OpenSummary(message, "water", members_, kOutcomes).status(),
              HasMessage(HasSubstr("'water' published a summary for organisation 'health'")));
  // On health's subject it fails the signature: water does not hold health's key.
  EXPECT_EQ(OpenSummary(message, "health", members_, kOutcomes).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(SignedSummaryTest, NonMembersAndAlteredSummariesAreRefused) {
  const std::string message = SealSummary(Summary("health"), health_key_).value();
  EXPECT_EQ(OpenSummary(message, "energy", members_, kOutcomes).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::SignedSectorSummary sealed;
  ASSERT_TRUE(sealed.ParseFromString(message));
  v1::SectorAssetSummary altered;
  ASSERT_TRUE(altered.ParseFromString(sealed.summary()));
  altered.set_value(1.0);
  sealed.set_summary(altered.SerializeAsString());
  EXPECT_THAT(OpenSummary(sealed.SerializeAsString(), "health", members_, kOutcomes).status(),
              HasMessage(HasSubstr("is not signed by its key")));
}

TEST_F(SignedSummaryTest, MalformedAndOversizedMessagesAreRefused) {
  EXPECT_EQ(OpenSummary("\xff\xff\xff", "health", members_, kOutcomes).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string huge(kMaxSignedSummaryBytes + 1, 'x');
  EXPECT_THAT(OpenSummary(huge, "health", members_, kOutcomes).status(),
              HasMessage(HasSubstr("the limit is")));
}

TEST_F(SignedSummaryTest, FiguresOutOfBoundsAreRefusedEvenWhenSigned) {
  struct Case {
    void (*spoil)(v1::SectorAssetSummary&);
    const char* expected;
  };
  const Case cases[] = {
      {[](v1::SectorAssetSummary& s) { s.set_value(1.5); }, "value is 1.5"},
      {[](v1::SectorAssetSummary& s) { s.set_coverage(-0.1); }, "coverage is -0.1"},
      {[](v1::SectorAssetSummary& s) { s.set_adjusted_value(0.7); }, "is above its value"},
      {[](v1::SectorAssetSummary& s) {
         s.set_implementation_group(v1::IMPLEMENTATION_GROUP_UNSPECIFIED);
       },
       "no implementation group"},
      {[](v1::SectorAssetSummary& s) { s.set_outcome_levels("\x01\x02"); }, "has 2 outcome levels"},
      {[](v1::SectorAssetSummary& s) {
         s.set_outcome_levels(std::string("\x01\x02\x00\x03\x05", 5));
       },
       "outcome level 5 at index 4"},
      {[](v1::SectorAssetSummary& s) { s.set_asset_ref("a.b"); }, "asset reference 'a.b'"},
      {[](v1::SectorAssetSummary& s) { s.set_version(0); }, "no version"},
      {[](v1::SectorAssetSummary& s) { s.set_published_at_unix_nanos(0); }, "no publication time"},
  };
  for (const Case& c : cases) {
    v1::SectorAssetSummary summary = Summary("health");
    c.spoil(summary);
    const std::string message = SealSummary(summary, health_key_).value();
    EXPECT_THAT(OpenSummary(message, "health", members_, kOutcomes).status(),
                HasMessage(HasSubstr(c.expected)));
  }
}

TEST_F(SignedSummaryTest, ARemovalCarriesNoFigures) {
  v1::SectorAssetSummary removal;
  removal.set_organisation_id("water");
  removal.set_asset_ref("pump-7");
  removal.set_version(9);
  removal.set_published_at_unix_nanos(1);
  removal.set_removed(true);
  EXPECT_TRUE(
      OpenSummary(SealSummary(removal, water_key_).value(), "water", members_, kOutcomes).ok());
}

TEST(AssetPseudonymTest, IsStablePerOrganisationAndASectorName) {
  const std::string pseudonym = AssetPseudonym("health", "mail-server");
  EXPECT_EQ(pseudonym.size(), 32u);
  EXPECT_TRUE(IsSectorName(pseudonym));
  EXPECT_EQ(pseudonym, AssetPseudonym("health", "mail-server"));
  EXPECT_NE(pseudonym, AssetPseudonym("water", "mail-server"));
  EXPECT_NE(pseudonym, AssetPseudonym("health", "mail-server2"));
}

TEST(SectorNameTest, TakesSubjectTokensOnly) {
  EXPECT_TRUE(IsSectorName("health-region_7"));
  EXPECT_FALSE(IsSectorName(""));
  EXPECT_FALSE(IsSectorName(std::string(65, 'a')));
  for (const char* bad : {"a.b", "a*", "a>", "a b", "é"}) EXPECT_FALSE(IsSectorName(bad)) << bad;
}

}  // namespace
}  // namespace postura::collector
