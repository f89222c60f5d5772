#include "cli/crosswalk_command.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using crosswalk::EvidenceState;
using ::testing::HasSubstr;

v1::AssetScore Score(const std::string& text) {
  v1::AssetScore score;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &score));
  return score;
}

TEST(ReadingsFromScoreTest, ListedOutcomesCarryTheirStateAndTheRestDoNotApply) {
  const Catalog& catalog = Catalog::Builtin();
  const v1::AssetScore score = Score(R"pb(
    summary { asset_id: "web" }
    functions {
      id: "PR"
      categories {
        id: "PR.AC"
        outcomes {
          id: "PR_AC_CSC_5_2"
          level: DLI_67
          state: LIVE
          deciding { kind: ATTESTED }
        }
        outcomes { id: "PR_AC_CSC_6_8" level: DLI_0 state: STALE }
      }
    }
    functions {
      id: "ID"
      categories {
        id: "ID.AM"
        outcomes { id: "ID_AM_CSC_1_1" level: DLI_0 state: NO_EVIDENCE }
      }
    }
  )pb");
  absl::StatusOr<crosswalk::AssetReadings> readings = ReadingsFromScore(catalog, score);
  ASSERT_TRUE(readings.ok()) << readings.status();
  EXPECT_EQ(readings->asset_id, "web");
  ASSERT_EQ(readings->outcomes.size(), catalog.outcomes().size());
  const auto at = [&](absl::string_view id) {
    return readings->outcomes[*catalog.FindOutcome(id)];
  };
  EXPECT_EQ(at("PR_AC_CSC_5_2").state, EvidenceState::kLive);
  EXPECT_EQ(at("PR_AC_CSC_5_2").level, Level::kDli67);
  EXPECT_TRUE(at("PR_AC_CSC_5_2").attested);
  EXPECT_EQ(at("PR_AC_CSC_6_8").state, EvidenceState::kStale);
  EXPECT_EQ(at("ID_AM_CSC_1_1").state, EvidenceState::kNoEvidence);
  EXPECT_EQ(at("RS_AN_RS_AN_5").state, EvidenceState::kNotApplicable);
}

TEST(ReadingsFromScoreTest, AnOutcomeOutsideTheCatalogIsNamed) {
  const v1::AssetScore score = Score(R"pb(
    summary { asset_id: "web" }
    functions { categories { outcomes { id: "XX_CUSTOM_1" state: LIVE level: DLI_100 } } }
  )pb");
  absl::StatusOr<crosswalk::AssetReadings> readings = ReadingsFromScore(Catalog::Builtin(), score);
  ASSERT_FALSE(readings.ok());
  EXPECT_EQ(readings.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(readings.status().message()), HasSubstr("XX_CUSTOM_1"));
}

}  // namespace
}  // namespace postura::cli
