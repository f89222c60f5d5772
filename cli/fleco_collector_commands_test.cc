#include "cli/fleco_collector_commands.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

const v1::AssetScore kScore = Parse<v1::AssetScore>(R"pb(
  summary { asset_id: "web" implementation_group: IG2 }
  functions {
    id: "PR"
    categories {
      id: "PR.AC"
      outcomes { id: "PR_AC_CSC_5_2" level: DLI_67 state: LIVE }
      outcomes { id: "PR_AC_CSC_4_7" level: DLI_0 state: STALE }
    }
  }
)pb");

TEST(CaseFromCollectorTest, TakesTheGroupLevelsAndTargets) {
  const Catalog& catalog = Catalog::Builtin();
  absl::StatusOr<FlecoCase> fleco_case = CaseFromCollector(
      catalog, kScore, Parse<v1::GetTargetsResponse>(R"pb(
        targets { scope: SCOPE_ASSET operator: GREATER_OR_EQUAL value: 0.6 }
        targets { scope: SCOPE_CATEGORY scope_id: "PR.AC" operator: GREATER value: 0.5 }
      )pb"));
  ASSERT_TRUE(fleco_case.ok()) << fleco_case.status();
  EXPECT_EQ(fleco_case->group, ImplementationGroup::kIG2);
  EXPECT_EQ(fleco_case->initial_status[*catalog.FindOutcome("PR_AC_CSC_5_2")], Level::kDli67);
  EXPECT_EQ(fleco_case->initial_status[*catalog.FindOutcome("PR_AC_CSC_4_7")], Level::kDli0);
  EXPECT_FALSE(fleco_case->target_status.has_value());
  ASSERT_EQ(fleco_case->targets.size(), 2u);
  EXPECT_EQ(fleco_case->targets[1], (Target{{ScopeKind::kCategory, *catalog.FindCategory("PR.AC")},
                                            TargetOperator::kGreater,
                                            0.5}));
  // What is written parses back to the same case.
  absl::StatusOr<FlecoCase> reread = ParseFlecoCase(catalog, WriteFlecoCase(catalog, *fleco_case));
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_EQ(*reread, *fleco_case);
}

TEST(CaseFromCollectorTest, AnOutcomeOfAnotherCatalogAsksForTheCollectorsCatalog) {
  v1::AssetScore score = kScore;
  score.mutable_functions(0)->mutable_categories(0)->mutable_outcomes(0)->set_id("XX_1");
  absl::StatusOr<FlecoCase> fleco_case = CaseFromCollector(Catalog::Builtin(), score, {});
  EXPECT_THAT(fleco_case.status().message(),
              HasSubstr("outcome XX_1, which catalog ULEO v1 does not have; pass the "
                        "collector's catalog with --catalog"));
}

TEST(CaseFromCollectorTest, ATargetOfAnotherCatalogIsRefused) {
  absl::StatusOr<FlecoCase> fleco_case =
      CaseFromCollector(Catalog::Builtin(), kScore, Parse<v1::GetTargetsResponse>(R"pb(
                          targets { scope: SCOPE_FUNCTION scope_id: "ZZ" operator: LESS value: 1 }
                        )pb"));
  EXPECT_THAT(fleco_case.status().message(), HasSubstr("unknown function 'ZZ' in catalog ULEO v1"));
  EXPECT_THAT(fleco_case.status().message(),
              HasSubstr("pass the collector's catalog with --catalog"));
}

}  // namespace
}  // namespace postura::cli
