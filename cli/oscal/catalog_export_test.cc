#include "cli/oscal/catalog_export.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::oscal {
namespace {

using ::testing::Contains;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

// Every control of an OSCAL catalog's groups, recursively.
void CollectControls(const Json& groups, std::vector<Json>& controls, std::set<std::string>& ids) {
  for (const Json& group : groups) {
    ids.insert(group["id"].get<std::string>());
    if (group.contains("controls")) {
      for (const Json& control : group["controls"]) {
        controls.push_back(control);
        ids.insert(control["id"].get<std::string>());
      }
    }
    if (group.contains("groups")) CollectControls(group["groups"], controls, ids);
  }
}

std::string PropValue(const Json& item, const std::string& name) {
  for (const Json& prop : item["props"]) {
    if (prop["name"] == name) return prop["value"].get<std::string>();
  }
  return "";
}

TEST(CatalogExportTest, EveryOutcomeIsAControlInItsFunctionAndCategoryGroups) {
  const Catalog& catalog = Catalog::Builtin();
  const Json document = CatalogDocument(catalog, kNow)["catalog"];
  EXPECT_EQ(document["metadata"]["oscal-version"], "1.1.2");
  ASSERT_EQ(document["groups"].size(), catalog.functions().size());
  std::vector<Json> controls;
  std::set<std::string> ids;
  CollectControls(document["groups"], controls, ids);
  ASSERT_EQ(controls.size(), catalog.outcomes().size());
  // Ids are unique across groups and controls.
  EXPECT_EQ(ids.size(),
            catalog.functions().size() + catalog.categories().size() + catalog.outcomes().size());
  const CatalogOutcome& first = catalog.outcomes().front();
  EXPECT_EQ(controls.front()["id"], first.id);
  EXPECT_EQ(controls.front()["title"], first.title);
  EXPECT_EQ(PropValue(controls.front(), "label"), first.code);
  EXPECT_EQ(PropValue(controls.front(), "min-ig"), "IG" + std::to_string(first.min_ig));
  EXPECT_EQ(PropValue(controls.front(), "weight-ig1"), first.weights[0].ToString());
  EXPECT_EQ(PropValue(document["groups"][0], "weight-ig3"),
            catalog.functions()[0].weights[2].ToString());
  EXPECT_EQ(document["groups"][0]["groups"][0]["id"],
            catalog.categories()[catalog.functions()[0].categories[0]].id);
}

TEST(CatalogExportTest, ProfilesSelectTheOutcomesOfTheirImplementationGroup) {
  const Catalog& catalog = Catalog::Builtin();
  for (ImplementationGroup group : kAllImplementationGroups) {
    const Json profile = ProfileDocument(catalog, group, "c.json", kNow)["profile"];
    const Json& ids = profile["imports"][0]["include-controls"][0]["with-ids"];
    size_t expected = 0;
    for (const CatalogOutcome& outcome : catalog.outcomes()) {
      if (outcome.min_ig <= IndexOf(group) + 1) {
        ++expected;
        EXPECT_THAT(ids, Contains(outcome.id));
      }
    }
    EXPECT_EQ(ids.size(), expected) << ImplementationGroupName(group);
    EXPECT_EQ(profile["imports"][0]["href"], "c.json");
  }
  const size_t ig1 =
      ProfileDocument(catalog, ImplementationGroup::kIG1, "c",
                      kNow)["profile"]["imports"][0]["include-controls"][0]["with-ids"]
          .size();
  EXPECT_LT(ig1, catalog.outcomes().size());  // Else the selection would test nothing.
}

TEST(CatalogExportTest, UuidsAreStableAndDistinctPerDocument) {
  const Catalog& catalog = Catalog::Builtin();
  EXPECT_EQ(CatalogDocument(catalog, kNow)["catalog"]["uuid"],
            CatalogDocument(catalog, kNow + absl::Hours(1))["catalog"]["uuid"]);
  EXPECT_NE(ProfileDocument(catalog, ImplementationGroup::kIG1, "c", kNow)["profile"]["uuid"],
            ProfileDocument(catalog, ImplementationGroup::kIG2, "c", kNow)["profile"]["uuid"]);
  EXPECT_EQ(CatalogFileName(catalog), "uleo-v1-catalog.json");
}

}  // namespace
}  // namespace postura::oscal
