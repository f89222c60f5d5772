#include "common/fleco/fleco_case.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// An IG1 case with every kind of target and a target status.
FlecoCase SampleCase() {
  const Catalog& catalog = Catalog::Builtin();
  FlecoCase c;
  c.group = ImplementationGroup::kIG1;
  c.initial_status.assign(catalog.outcomes().size(), Level::kDli0);
  const ScoringModel& model = catalog.model(c.group);
  for (std::size_t i = 0; i < model.applicable_outcomes().size(); ++i) {
    c.initial_status[model.applicable_outcomes()[i]] = kAllLevels[i % 4];
  }
  c.targets = {
      {{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.6},
      {{ScopeKind::kFunction, catalog.FindFunction("PR").value()}, TargetOperator::kGreater, 0.5},
      {{ScopeKind::kCategory, catalog.FindCategory("DE.CM").value()}, TargetOperator::kEqual, 1},
      {{ScopeKind::kOutcome, catalog.FindOutcome("PR_AC_CSC_5_2").value()},
       TargetOperator::kLessOrEqual,
       0.33},
      {{ScopeKind::kOutcome, catalog.FindOutcome("ID_AM_CSC_1_1").value()},
       TargetOperator::kLess,
       0.1234567890123},
  };
  c.target_status = c.initial_status;
  (*c.target_status)[catalog.FindOutcome("PR_AC_CSC_5_2").value()] = Level::kDli33;
  return c;
}

Json SampleJson() { return Json::parse(WriteFlecoCase(Catalog::Builtin(), SampleCase())); }

absl::Status ParseStatusOf(const Json& json) {
  absl::StatusOr<FlecoCase> parsed = ParseFlecoCase(Catalog::Builtin(), json.dump());
  return parsed.ok() ? absl::OkStatus() : parsed.status();
}

TEST(FlecoCaseTest, WriteThenReadGivesTheSameCase) {
  const FlecoCase original = SampleCase();
  const std::string written = WriteFlecoCase(Catalog::Builtin(), original);
  absl::StatusOr<FlecoCase> read = ParseFlecoCase(Catalog::Builtin(), written);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, original);
  EXPECT_EQ(WriteFlecoCase(Catalog::Builtin(), *read), written);
}

TEST(FlecoCaseTest, WritesFlecoNamesAndEveryApplicableGeneInCatalogOrder) {
  Json json = SampleJson();
  EXPECT_EQ(json["caseIG"], "IG1");
  EXPECT_EQ(json["hasTargetStatus"], true);
  ASSERT_EQ(json["initialStatus"].size(), 47u);
  EXPECT_EQ(json["initialStatus"][0]["gene"], "ID_AM_CSC_1_1");
  EXPECT_EQ(json["initialStatus"][0]["allele"], "DLI_0");
  EXPECT_EQ(json["strategicConstraints"][0],
            Json::parse(R"({"asset":"ASSET","operator":"GREATER_OR_EQUAL","value":0.6})"));
  EXPECT_EQ(json["strategicConstraints"][1]["function"], "PROTECT");
  EXPECT_EQ(json["strategicConstraints"][2]["category"], "DE_CM");
  EXPECT_EQ(json["strategicConstraints"][3]["gene"], "PR_AC_CSC_5_2");
  EXPECT_EQ(json["targetStatus"].size(), 47u);
}

TEST(FlecoCaseTest, CaseWithoutTargetStatusHasAnEmptyArray) {
  FlecoCase c = SampleCase();
  c.target_status.reset();
  Json json = Json::parse(WriteFlecoCase(Catalog::Builtin(), c));
  EXPECT_EQ(json["hasTargetStatus"], false);
  EXPECT_TRUE(json["targetStatus"].empty());
  EXPECT_EQ(ParseFlecoCase(Catalog::Builtin(), json.dump()).value(), c);
}

struct Defect {
  const char* name;
  std::function<void(Json&)> mutate;
  const char* message;
};

void PrintTo(const Defect& defect, std::ostream* os) { *os << defect.name; }

class FlecoCaseDefectTest : public testing::TestWithParam<Defect> {};

TEST_P(FlecoCaseDefectTest, IsRejectedWithFieldAndIndex) {
  Json json = SampleJson();
  GetParam().mutate(json);
  absl::Status status = ParseStatusOf(json);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status, HasMessage(HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Defects, FlecoCaseDefectTest,
    testing::Values(
        Defect{"MissingCaseIG", [](Json& j) { j.erase("caseIG"); },
               "caseIG: required field missing"},
        Defect{"MissingConstraints", [](Json& j) { j.erase("strategicConstraints"); },
               "strategicConstraints: required field missing"},
        Defect{"MistypedFlag", [](Json& j) { j["hasTargetStatus"] = "yes"; },
               "hasTargetStatus: expected boolean, got string"},
        Defect{"StatusNotAnArray", [](Json& j) { j["initialStatus"] = Json::object(); },
               "initialStatus: expected array, got object"},
        Defect{"UnknownGroup", [](Json& j) { j["caseIG"] = "IG4"; },
               "caseIG: unknown implementation group 'IG4'"},
        Defect{"UnknownGene", [](Json& j) { j["initialStatus"][3]["gene"] = "PR_XX_1"; },
               "initialStatus[3].gene: unknown gene 'PR_XX_1'"},
        Defect{"GeneNotApplicable",
               [](Json& j) { j["initialStatus"][5]["gene"] = "ID_AM_CSC_12_4"; },
               "initialStatus[5].gene: gene ID_AM_CSC_12_4 does not apply to IG1"},
        Defect{"DuplicateGene",
               [](Json& j) { j["initialStatus"][7]["gene"] = j["initialStatus"][2]["gene"]; },
               "initialStatus[7].gene: duplicate gene ID_AM_CSC_2_2 (first at initialStatus[2])"},
        Defect{"MissingGene", [](Json& j) { j["initialStatus"].erase(4); },
               "initialStatus: has 46 genes but IG1 needs all 47; missing ID_AM_CSC_3_2"},
        Defect{"GeneEntryNotAnObject", [](Json& j) { j["initialStatus"][1] = 17; },
               "initialStatus[1]: expected object, got number"},
        Defect{"UnexpectedGeneField", [](Json& j) { j["targetStatus"][0]["note"] = "x"; },
               "targetStatus[0]: unexpected field 'note'"},
        Defect{"UnknownAllele", [](Json& j) { j["targetStatus"][9]["allele"] = "DLI_50"; },
               "targetStatus[9].allele: unknown allele 'DLI_50'"},
        Defect{"MissingAllele", [](Json& j) { j["initialStatus"][0].erase("allele"); },
               "initialStatus[0].allele: required field missing"},
        Defect{"UnknownOperator",
               [](Json& j) { j["strategicConstraints"][1]["operator"] = "MORE"; },
               "strategicConstraints[1].operator: unknown operator 'MORE'"},
        Defect{"ValueAboveOne", [](Json& j) { j["strategicConstraints"][0]["value"] = 1.5; },
               "strategicConstraints[0].value: 1.5 is outside [0, 1]"},
        Defect{"ValueBelowZero", [](Json& j) { j["strategicConstraints"][2]["value"] = -0.1; },
               "strategicConstraints[2].value: -0.1 is outside [0, 1]"},
        Defect{"ValueNotANumber", [](Json& j) { j["strategicConstraints"][2]["value"] = "0.5"; },
               "strategicConstraints[2].value: expected number, got string"},
        Defect{"UnknownCategory",
               [](Json& j) { j["strategicConstraints"][2]["category"] = "DE.CM"; },
               "strategicConstraints[2].category: unknown category 'DE.CM'"},
        Defect{"UnknownFunction", [](Json& j) { j["strategicConstraints"][1]["function"] = "PR"; },
               "strategicConstraints[1].function: unknown function 'PR'"},
        Defect{"AssetNotNamedAsset",
               [](Json& j) { j["strategicConstraints"][0]["asset"] = "MINE"; },
               "strategicConstraints[0].asset: unknown asset 'MINE'"},
        Defect{"ScopeNotApplicable",
               [](Json& j) { j["strategicConstraints"][1]["function"] = "RECOVER"; },
               "strategicConstraints[1]: function RC does not apply to IG1"},
        Defect{"TwoScopes", [](Json& j) { j["strategicConstraints"][0]["gene"] = "PR_AC_CSC_5_2"; },
               "strategicConstraints[0]: has both 'gene' and 'asset'"},
        Defect{"NoScope", [](Json& j) { j["strategicConstraints"][0].erase("asset"); },
               "strategicConstraints[0]: has none of 'gene', 'category', 'function', 'asset'"},
        Defect{"DuplicateScope",
               [](Json& j) { j["strategicConstraints"].push_back(j["strategicConstraints"][2]); },
               "strategicConstraints[5]: a second constraint on category DE.CM (first at "
               "strategicConstraints[2])"},
        Defect{"TargetStatusWithoutFlag", [](Json& j) { j["hasTargetStatus"] = false; },
               "targetStatus: has 47 entries but hasTargetStatus is false"},
        Defect{"FlagWithoutTargetStatus", [](Json& j) { j["targetStatus"] = Json::array(); },
               "targetStatus: has 0 genes but IG1 needs all 47"},
        Defect{"NotAnObject",
               [](Json& j) {
                 j = Json::array({1, 2});
               },
               "a case must be a JSON object, got array"}),
    [](const testing::TestParamInfo<Defect>& info) { return info.param.name; });

TEST(FlecoCaseTest, MalformedJsonSaysWhere) {
  absl::StatusOr<FlecoCase> parsed =
      ParseFlecoCase(Catalog::Builtin(), "{\"caseIG\": \"IG1\",\n ]");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status(), HasMessage(HasSubstr("malformed JSON")));
  EXPECT_THAT(parsed.status(), HasMessage(HasSubstr("line 2")));
}

TEST(FlecoCaseTest, EmptyAndHugeInputsAreRejected) {
  EXPECT_THAT(ParseFlecoCase(Catalog::Builtin(), "").status(),
              HasMessage(HasSubstr("malformed JSON")));
  std::string huge(5 << 20, ' ');
  EXPECT_THAT(ParseFlecoCase(Catalog::Builtin(), huge).status(),
              HasMessage(HasSubstr("a FLECO case is at most")));
}

TEST(FlecoCaseTest, ReadingAMissingFileIsNotFound) {
  EXPECT_EQ(ReadFlecoCaseFile(Catalog::Builtin(), "/nonexistent/case.json").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace postura
