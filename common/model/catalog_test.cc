#include "common/model/catalog.h"

#include <string>

#include "absl/strings/str_replace.h"
#include "common/model/asset_score.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

constexpr ImplementationGroup kIG1 = ImplementationGroup::kIG1;
constexpr ImplementationGroup kIG2 = ImplementationGroup::kIG2;
constexpr ImplementationGroup kIG3 = ImplementationGroup::kIG3;

// A complete catalog of another shape than the ULEO: two functions, one of them only from
// IG2, and outcomes with unequal weights. Line numbers matter to the tests below.
constexpr char kMiniCatalog[] = R"(catalog: MINI
version: 2
functional_areas:
  - {id: A1, name: "Area one"}
functions:
  - {id: F1, name: "First", fleco_name: FIRST, weights: [1, 1/2, 1/3]}
  - {id: F2, name: "Second", fleco_name: SECOND, weights: [0, 1/2, 2/3]}
categories:
  - {id: F1.X, function: F1, fleco_name: F1_X, name: "Ex", weights: [1, 1, 1]}
  - {id: F2.Y, function: F2, fleco_name: F2_Y, name: "Why", weights: [0, 1, 1]}
outcomes:
  - {id: O1, code: C-1, category: F1.X, min_ig: 1, weights: [1/4, 1/3, 1/3], area: A1, source: "s", title: "one"}
  - {id: O2, code: C-2, category: F1.X, min_ig: 1, weights: [3/4, 1/3, 1/3], area: A1, source: "s", title: "two"}
  - {id: O3, code: C-3, category: F1.X, min_ig: 2, weights: [0, 1/3, 1/3], area: A1, source: "s", title: "three"}
  - {id: O4, code: C-4, category: F2.Y, min_ig: 2, weights: [0, 1, 1], area: A1, source: "s", title: "four"}
)";

std::string Mutated(absl::string_view from, absl::string_view to) {
  std::string text = absl::StrReplaceAll(kMiniCatalog, {{from, to}});
  EXPECT_NE(text, kMiniCatalog) << "mutation '" << from << "' did not apply";
  return text;
}

absl::Status ParseError(absl::string_view text) {
  absl::StatusOr<Catalog> catalog = Catalog::FromYaml(text, "mini.yaml");
  return catalog.ok() ? absl::OkStatus() : catalog.status();
}

TEST(CatalogTest, BuiltinIsTheUleoV1WithItsApplicabilityPerGroup) {
  const Catalog& catalog = Catalog::Builtin();
  EXPECT_EQ(catalog.name(), "ULEO");
  EXPECT_EQ(catalog.version(), 1);
  EXPECT_EQ(catalog.outcomes().size(), 167u);
  EXPECT_EQ(catalog.categories().size(), 23u);
  EXPECT_EQ(catalog.functions().size(), 5u);
  EXPECT_EQ(catalog.functional_areas().size(), 12u);
  EXPECT_EQ(catalog.model(kIG1).applicable_outcomes().size(), 47u);
  EXPECT_EQ(catalog.model(kIG2).applicable_outcomes().size(), 107u);
  EXPECT_EQ(catalog.model(kIG3).applicable_outcomes().size(), 167u);
  EXPECT_EQ(catalog.model(kIG1).applicable_categories().size(), 15u);
  EXPECT_EQ(catalog.model(kIG2).applicable_categories().size(), 20u);
  EXPECT_EQ(catalog.model(kIG3).applicable_categories().size(), 23u);
  const int recover = catalog.FindFunction("RC").value();
  EXPECT_FALSE(catalog.model(kIG2).FunctionApplies(recover));
  EXPECT_TRUE(catalog.model(kIG3).FunctionApplies(recover));
}

TEST(CatalogTest, LooksUpByIdAndByFlecoName) {
  const Catalog& catalog = Catalog::Builtin();
  const int o = catalog.FindOutcome("PR_AC_CSC_5_2").value();
  EXPECT_EQ(catalog.outcomes()[o].code, "CSC-5.2");
  EXPECT_EQ(catalog.categories()[catalog.outcomes()[o].category].id, "PR.AC");
  EXPECT_EQ(catalog.FindCategoryByFlecoName("PR_AC"), catalog.FindCategory("PR.AC"));
  EXPECT_EQ(catalog.FindFunctionByFlecoName("PROTECT"), catalog.FindFunction("PR"));
  EXPECT_EQ(catalog.FindOutcome("CSC-5.2"), std::nullopt);
}

TEST(CatalogTest, OutcomeSharesOfTheAssetAreTheProductOfTheThreeWeights) {
  // ID_AM_CSC_1_1 carries 1/45 of an IG1 asset and 3/460 of an IG3 asset (reference data).
  const Catalog& catalog = Catalog::Builtin();
  const int o = catalog.FindOutcome("ID_AM_CSC_1_1").value();
  const ScoringModel& ig1 = catalog.model(kIG1);
  const ScoringModel& ig3 = catalog.model(kIG3);
  EXPECT_EQ(int64_t{ig1.units(o).asset} * 45 * 100, ig1.asset_scale());
  EXPECT_EQ(int64_t{ig3.units(o).asset} * 460 * 100, int64_t{3} * ig3.asset_scale());
}

TEST(CatalogTest, ASecondCatalogIsData) {
  absl::StatusOr<Catalog> mini = Catalog::FromYaml(kMiniCatalog, "mini.yaml");
  ASSERT_TRUE(mini.ok()) << mini.status();
  EXPECT_EQ(mini->name(), "MINI");
  EXPECT_EQ(mini->model(kIG1).applicable_outcomes().size(), 2u);
  EXPECT_EQ(mini->model(kIG2).applicable_functions().size(), 2u);

  // IG3: O1 at 1.0 is 1/3 of F1.X; F1 weighs 1/3, so the asset is 1/9.
  AssetScore score(mini->model(kIG3));
  score.SetLevel(mini->FindOutcome("O1").value(), Level::kDli100);
  EXPECT_DOUBLE_EQ(score.category_value(0), 1.0 / 3);
  EXPECT_DOUBLE_EQ(score.asset_value(), 1.0 / 9);
}

struct BrokenCatalog {
  const char* rule;
  const char* from;
  const char* to;
  const char* message;  // Expected in the error, with the file and line.
};

void PrintTo(const BrokenCatalog& broken, std::ostream* os) { *os << broken.rule; }

class CatalogRuleTest : public testing::TestWithParam<BrokenCatalog> {};

TEST_P(CatalogRuleTest, BrokenCatalogFailsNamingLineItemAndRule) {
  const BrokenCatalog& broken = GetParam();
  absl::Status status = ParseError(Mutated(broken.from, broken.to));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status, HasMessage(HasSubstr(broken.message)));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CatalogRuleTest,
    testing::Values(
        BrokenCatalog{"DuplicateOutcome", "{id: O2,", "{id: O1,", "mini.yaml:13: O1: duplicate id"},
        BrokenCatalog{"DuplicateCategory", "{id: F2.Y,", "{id: F1.X,",
                      "mini.yaml:10: F1.X: duplicate id"},
        BrokenCatalog{"UnknownCategory", "category: F2.Y", "category: F9.Z",
                      "mini.yaml:15: O4: unknown category 'F9.Z'"},
        BrokenCatalog{"UnknownFunction", "function: F2,", "function: F9,",
                      "mini.yaml:10: F2.Y: unknown function 'F9'"},
        BrokenCatalog{"UnknownArea", "three\"}",
                      "three\"}\n  - {id: O5, code: C-5, category: F1.X, "
                      "min_ig: 1, weights: [0, 0, 0], area: A9, source: \"s\", title: \"x\"}",
                      "mini.yaml:15: O5: unknown functional area 'A9'"},
        BrokenCatalog{"WeightNotAFraction", "[1/4, 1/3, 1/3]", "[1/4, x, 1/3]",
                      "mini.yaml:12: O1: weight for IG2: 'x' is not a fraction"},
        BrokenCatalog{"WeightAboveOne", "[1, 1/2, 1/3]", "[3/2, 1/2, 1/3]",
                      "mini.yaml:6: F1: weight for IG1 is 3/2, above 1"},
        BrokenCatalog{"WrongWeightCount", "[0, 1, 1], area", "[1, 1], area",
                      "mini.yaml:15: O4: 'weights' must list exactly 3 fractions"},
        BrokenCatalog{"MinIgInconsistent", "min_ig: 2, weights: [0, 1/3",
                      "min_ig: 1, weights: [0, 1/3",
                      "mini.yaml:14: outcome O3: weight for IG1 is 0 but min_ig 1 says it applies"},
        BrokenCatalog{"MinIgOutOfRange", "min_ig: 2, weights: [0, 1,", "min_ig: 4, weights: [0, 1,",
                      "mini.yaml:15: O4: min_ig is 4, expected 1, 2 or 3"},
        BrokenCatalog{"OutcomeWeightsDoNotSumToOne", "[3/4, 1/3, 1/3]", "[3/4, 1/3, 1/4]",
                      "mini.yaml:9: category F1.X: IG3 weights of its outcomes sum to 11/12; "
                      "they must sum to exactly 1"},
        BrokenCatalog{"FunctionWeightsDoNotSumToOne", "[0, 1/2, 2/3]", "[0, 1/2, 1/2]",
                      "mini.yaml:5: functions: IG3 weights of all functions sum to 5/6"},
        BrokenCatalog{
            "CategoryAppliesWhereItsFunctionDoesNot", "weights: [0, 1, 1]}\noutcomes",
            "weights: [1, 1, 1]}\noutcomes",
            "mini.yaml:10: category F2.Y: applies to IG1 but its function F2 has weight 0"},
        BrokenCatalog{"UnknownKey", "title: \"four\"", "title: \"four\", colour: red",
                      "mini.yaml:15: O4: unknown key 'colour'"},
        BrokenCatalog{"MissingKey", ", title: \"four\"", "",
                      "mini.yaml:15: O4: missing key 'title'"},
        BrokenCatalog{"MalformedYaml", "{id: A1, name: \"Area one\"}",
                      "{id: A1, name: \"Area one\"", "mini.yaml:6: malformed YAML"}),
    [](const testing::TestParamInfo<BrokenCatalog>& info) { return info.param.rule; });

TEST(CatalogTest, EmptyOrNonMappingDocumentIsRejected) {
  EXPECT_THAT(ParseError(""), HasMessage(HasSubstr("expected a mapping")));
  EXPECT_THAT(ParseError("- 1\n- 2\n"), HasMessage(HasSubstr("expected a mapping")));
}

TEST(CatalogTest, MissingFileIsNotFound) {
  EXPECT_EQ(Catalog::FromFile("/nonexistent/catalog.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CatalogTest, ShippedCatalogFileParsesLikeTheBuiltin) {
  absl::StatusOr<Catalog> file =
      Catalog::FromFile(POSTURA_SOURCE_DIR "/common/model/catalog/uleo-v1.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->outcomes().size(), Catalog::Builtin().outcomes().size());
}

}  // namespace
}  // namespace postura
