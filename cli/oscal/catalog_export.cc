#include "cli/oscal/catalog_export.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace postura::oscal {
namespace {

// "weight-ig1": the item's weight in IG1 as an exact fraction ("3/40"), for each group.
void AddWeightProps(const GroupWeights& weights, Json& props) {
  for (ImplementationGroup group : kAllImplementationGroups) {
    props.push_back(
        PosturaProp(absl::StrCat("weight-", absl::AsciiStrToLower(ImplementationGroupName(group))),
                    weights[IndexOf(group)].ToString()));
  }
}

// The catalog's identity for UUIDs and titles: "ULEO v1".
std::string CatalogLabel(const Catalog& catalog) {
  return absl::StrCat(catalog.name(), " v", catalog.version());
}

Json Metadata(absl::string_view title, const Catalog& catalog, absl::Time last_modified) {
  Json metadata;
  metadata["title"] = std::string(title);
  metadata["last-modified"] = OscalTime(last_modified);
  metadata["version"] = std::to_string(catalog.version());
  metadata["oscal-version"] = kOscalVersion;
  return metadata;
}

Json OutcomeControl(const Catalog& catalog, const CatalogOutcome& outcome) {
  Json control;
  control["id"] = outcome.id;
  control["class"] = "outcome";
  control["title"] = OscalString(outcome.title, outcome.id);
  Json props = Json::array();
  Json label;
  label["name"] = "label";
  label["value"] = OscalString(outcome.code, outcome.id);
  props.push_back(label);
  props.push_back(PosturaProp("source", outcome.source));
  props.push_back(
      PosturaProp("functional-area", catalog.functional_areas()[outcome.functional_area].id));
  props.push_back(PosturaProp("min-ig", absl::StrCat("IG", outcome.min_ig)));
  AddWeightProps(outcome.weights, props);
  control["props"] = props;
  Json statement;
  statement["id"] = outcome.id + "_smt";
  statement["name"] = "statement";
  statement["prose"] = OscalString(outcome.title, outcome.id);
  control["parts"] = Json::array({statement});
  return control;
}

Json CategoryGroup(const Catalog& catalog, const CatalogCategory& category) {
  Json group;
  group["id"] = category.id;
  group["class"] = "category";
  group["title"] = OscalString(category.name, category.id);
  Json props = Json::array();
  AddWeightProps(category.weights, props);
  group["props"] = props;
  Json controls = Json::array();
  for (int outcome : category.outcomes) {
    controls.push_back(OutcomeControl(catalog, catalog.outcomes()[outcome]));
  }
  if (!controls.empty()) group["controls"] = controls;
  return group;
}

Json FunctionGroup(const Catalog& catalog, const CatalogFunction& function) {
  Json group;
  group["id"] = function.id;
  group["class"] = "function";
  group["title"] = OscalString(function.name, function.id);
  Json props = Json::array();
  AddWeightProps(function.weights, props);
  group["props"] = props;
  Json categories = Json::array();
  for (int category : function.categories) {
    categories.push_back(CategoryGroup(catalog, catalog.categories()[category]));
  }
  if (!categories.empty()) group["groups"] = categories;
  return group;
}

// The functional areas as roles: who does the work of an outcome ("functional-area").
Json FunctionalAreaRoles(const Catalog& catalog) {
  Json roles = Json::array();
  for (const FunctionalArea& area : catalog.functional_areas()) {
    Json role;
    role["id"] = area.id;
    role["title"] = OscalString(area.name, area.id);
    roles.push_back(role);
  }
  return roles;
}

}  // namespace

std::string CatalogFileName(const Catalog& catalog) {
  return absl::StrCat(absl::AsciiStrToLower(catalog.name()), "-v", catalog.version(),
                      "-catalog.json");
}

std::string CatalogUuid(const Catalog& catalog) {
  return StableUuid(absl::StrCat("catalog/", CatalogLabel(catalog)));
}

Json CatalogDocument(const Catalog& catalog, absl::Time last_modified) {
  Json document;
  document["uuid"] = CatalogUuid(catalog);
  Json metadata = Metadata(absl::StrCat(CatalogLabel(catalog), ": expected outcomes (CyberTOMP)"),
                           catalog, last_modified);
  Json roles = FunctionalAreaRoles(catalog);
  if (!roles.empty()) metadata["roles"] = roles;
  metadata["remarks"] =
      "Exported by Postura. Groups are the functions and their categories; each control is "
      "an expected outcome, its id the outcome id Postura's scores and findings use.";
  document["metadata"] = metadata;
  Json groups = Json::array();
  for (const CatalogFunction& function : catalog.functions()) {
    groups.push_back(FunctionGroup(catalog, function));
  }
  document["groups"] = groups;
  return Json{{"catalog", document}};
}

Json ProfileDocument(const Catalog& catalog, ImplementationGroup group,
                     absl::string_view catalog_href, absl::Time last_modified) {
  const std::string group_name(ImplementationGroupName(group));
  Json document;
  document["uuid"] = StableUuid(absl::StrCat("profile/", CatalogLabel(catalog), "/", group_name));
  Json metadata = Metadata(
      absl::StrCat(CatalogLabel(catalog), ": the outcomes of implementation group ", group_name),
      catalog, last_modified);
  metadata["props"] = Json::array({PosturaProp("implementation-group", group_name)});
  document["metadata"] = metadata;
  Json ids = Json::array();
  for (const CatalogOutcome& outcome : catalog.outcomes()) {
    if (outcome.min_ig <= IndexOf(group) + 1) ids.push_back(outcome.id);
  }
  Json import;
  import["href"] = std::string(catalog_href);
  import["include-controls"] = Json::array({Json { { "with-ids", ids } }});
  document["imports"] = Json::array({import});
  document["merge"] = Json{{"as-is", true}};
  return Json{{"profile", document}};
}

}  // namespace postura::oscal
