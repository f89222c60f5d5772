#include "cli/oscal/assessment_results.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "cli/oscal/catalog_export.h"

namespace postura::oscal {
namespace {

std::string GroupToken(v1::ImplementationGroup group) {
  switch (group) {
    case v1::IG1:
      return "IG1";
    case v1::IG2:
      return "IG2";
    case v1::IG3:
      return "IG3";
    default:
      return "unknown";
  }
}

Json Role(absl::string_view id, absl::string_view title) {
  return Json{{"id", std::string(id)}, {"title", std::string(title)}};
}

Json Party(absl::string_view tenant_id, absl::string_view name, absl::string_view fallback) {
  Json party;
  party["uuid"] = PartyUuid(tenant_id);
  party["type"] = "organization";
  party["name"] = OscalString(name, fallback);
  party["props"] = Json::array({PosturaProp("tenant-id", tenant_id)});
  return party;
}

// The supplier tenants to list: those given, then any supplier of an exported asset that
// is not among them (named by its id), each once, by id.
std::map<std::string, std::string> SupplierNames(const AssessmentInput& input) {
  std::map<std::string, std::string> names;
  for (const v1::Tenant& supplier : input.suppliers) names[supplier.id()] = supplier.name();
  for (const AssessedAsset& asset : input.assets) {
    const std::string& supplier = asset.score.summary().supplier_id();
    if (!supplier.empty() && !names.contains(supplier)) names[supplier] = supplier;
  }
  return names;
}

Json Metadata(const AssessmentInput& input, const AssessmentParts& parts) {
  Json metadata;
  metadata["title"] = input.scope == kOrganizationScope
                          ? "Postura assessment results: the organisation"
                          : absl::StrCat("Postura assessment results: asset ", input.scope);
  metadata["last-modified"] = OscalTime(input.generated_at);
  // The same evidence gives the same version: the newest evidence observed.
  metadata["version"] = parts.latest_collected_unix_nanos == 0
                            ? "no-evidence"
                            : OscalTime(absl::FromUnixNanos(parts.latest_collected_unix_nanos));
  metadata["oscal-version"] = kOscalVersion;
  metadata["props"] = Json::array(
      {PosturaProp("scope", input.scope), PosturaProp("collector", input.collector_address)});
  metadata["roles"] = Json::array({Role("asset-owner", "Asset owner: the organisation"),
                                   Role("supplier", "Supplier operating assets"),
                                   Role("attester", "Attester of attested evidence")});
  Json parties = Json::array({Party("org", input.organization.name(), "The organisation")});
  Json supplier_uuids = Json::array();
  for (const auto& [id, name] : SupplierNames(input)) {
    parties.push_back(Party(id, name, id));
    supplier_uuids.push_back(PartyUuid(id));
  }
  metadata["parties"] = parties;
  Json responsible = Json::array(
      {Json{{"role-id", "asset-owner"}, {"party-uuids", Json::array({PartyUuid("org")})}}});
  if (!supplier_uuids.empty()) {
    responsible.push_back(Json{{"role-id", "supplier"}, {"party-uuids", supplier_uuids}});
  }
  metadata["responsible-parties"] = responsible;
  return metadata;
}

Json InventoryItem(const v1::AssetSummary& asset) {
  Json item;
  item["uuid"] = AssetItemUuid(asset.asset_id());
  item["description"] = OscalString(asset.name(), asset.asset_id());
  Json props =
      Json::array({PosturaProp("asset-id", asset.asset_id()),
                   PosturaProp("implementation-group", GroupToken(asset.implementation_group())),
                   PosturaProp("value", absl::StrCat(asset.value())),
                   PosturaProp("adjusted-value", absl::StrCat(asset.adjusted_value())),
                   PosturaProp("coverage", absl::StrCat(asset.coverage())),
                   PosturaProp("targets-met", asset.targets_met() ? "true" : "false")});
  if (!asset.department_id().empty()) {
    props.push_back(PosturaProp("department", asset.department_id()));
  }
  item["props"] = props;
  const std::string tenant = asset.supplier_id().empty() ? "org" : asset.supplier_id();
  item["responsible-parties"] =
      Json::array({Json{{"role-id", asset.supplier_id().empty() ? "asset-owner" : "supplier"},
                        {"party-uuids", Json::array({PartyUuid(tenant)})}}});
  return item;
}

Json AgentComponent(const std::string& agent_id) {
  Json component;
  component["uuid"] = AgentComponentUuid(agent_id);
  component["type"] = "software";
  component["title"] = absl::StrCat("postura-agent ", agent_id);
  component["description"] = absl::StrCat(
      "The Postura agent enrolled as ", agent_id,
      ": it runs checks on its host and delivers their evidence, and the attestations made "
      "on that host, to the collector.");
  component["props"] = Json::array({PosturaProp("agent-id", agent_id)});
  component["status"] = Json{{"state", "operational"}};
  return component;
}

Json LocalDefinitions(const AssessmentInput& input, const AssessmentParts& parts) {
  Json definitions;
  Json items = Json::array();
  for (const AssessedAsset& asset : input.assets)
    items.push_back(InventoryItem(asset.score.summary()));
  if (!items.empty()) definitions["inventory-items"] = items;
  Json assets;
  Json components = Json::array();
  Json uses = Json::array();
  for (const std::string& agent : parts.agent_ids) {
    components.push_back(AgentComponent(agent));
    uses.push_back(Json{{"component-uuid", AgentComponentUuid(agent)}});
  }
  if (!components.empty()) assets["components"] = components;
  Json platform;
  platform["uuid"] = PlatformUuid();
  platform["title"] = "Postura: agents and the collector";
  platform["props"] = Json::array({PosturaProp("collector", input.collector_address)});
  if (!uses.empty()) platform["uses-components"] = uses;
  assets["assessment-platforms"] = Json::array({platform});
  definitions["assessment-assets"] = assets;
  return definitions;
}

Json ReviewedControls(const Catalog& catalog, const AssessmentParts& parts) {
  Json controls = Json::array();
  for (const CatalogOutcome& outcome : catalog.outcomes()) {
    if (parts.outcome_ids.contains(outcome.id))
      controls.push_back(Json{{"control-id", outcome.id}});
  }
  Json selection;
  selection["description"] = "The applicable outcomes of the assessed assets.";
  if (controls.empty()) {
    selection["include-all"] = Json::object();
  } else {
    selection["include-controls"] = controls;
  }
  return Json{{"control-selections", Json::array({selection})}};
}

Json Result(const Catalog& catalog, const AssessmentInput& input, const AssessmentParts& parts) {
  Json result;
  result["uuid"] = StableUuid(absl::StrCat("result/", input.scope));
  result["title"] = input.scope == kOrganizationScope
                        ? "Posture of the organisation"
                        : absl::StrCat("Posture of asset ", input.scope);
  result["description"] = absl::StrCat(
      "The live CyberTOMP posture of ", input.assets.size(), " asset(s) as the Postura collector ",
      input.collector_address,
      " scored it: an observation per evidence item that decides an outcome's level, a "
      "finding per applicable outcome.");
  // From the oldest evidence that decides a level (or the export, when there is none) to
  // the export.
  const absl::Time start =
      parts.earliest_collected_unix_nanos == 0
          ? input.generated_at
          : std::min(input.generated_at, absl::FromUnixNanos(parts.earliest_collected_unix_nanos));
  result["start"] = OscalTime(start);
  result["end"] = OscalTime(input.generated_at);
  result["local-definitions"] = LocalDefinitions(input, parts);
  result["reviewed-controls"] = ReviewedControls(catalog, parts);
  if (!parts.observations.empty()) result["observations"] = parts.observations;
  if (!parts.findings.empty()) result["findings"] = parts.findings;
  return result;
}

std::string PlanResourceUuid(const AssessmentInput& input) {
  return StableUuid(absl::StrCat("assessment-plan/", input.scope));
}

// What import-ap points to: Postura assesses continuously by a standing plan, not a plan
// document per assessment; this resource says what that plan is.
Json PlanResource(const Catalog& catalog, const AssessmentInput& input) {
  Json resource;
  resource["uuid"] = PlanResourceUuid(input);
  resource["title"] = "Postura's standing assessment plan";
  resource["description"] = absl::StrCat(
      "Postura assesses continuously rather than by a plan per assessment. The objectives are "
      "the applicable outcomes of ",
      catalog.name(), " v", catalog.version(),
      " for each asset's implementation group (the catalog as OSCAL: postura export "
      "oscal-catalog; per group: postura export oscal-catalog --profile IG1|IG2|IG3). The "
      "methods are the agents' checks (TEST) and attestations (EXAMINE with a document, "
      "INTERVIEW without), scheduled by each agent's configuration. The subjects are the "
      "registered assets listed in the result's inventory items.");
  resource["rlinks"] = Json::array(
      {Json{{"href", CatalogFileName(catalog)}, {"media-type", "application/oscal.catalog+json"}}});
  return resource;
}

}  // namespace

Json AssessmentResultsDocument(const Catalog& catalog, const AssessmentInput& input) {
  AssessmentParts parts;
  for (const AssessedAsset& asset : input.assets) AddAssetParts(asset, parts);
  Json document;
  document["uuid"] = StableUuid(absl::StrCat("assessment-results/", input.scope));
  document["metadata"] = Metadata(input, parts);
  document["import-ap"] = Json{{"href", "#" + PlanResourceUuid(input)},
                               {"remarks",
                                "Points to this document's back-matter: the standing plan Postura "
                                "assesses by (docs/oscal.md)."}};
  document["results"] = Json::array({Result(catalog, input, parts)});
  Json resources = Json::array({PlanResource(catalog, input)});
  for (const Json& resource : parts.document_resources) resources.push_back(resource);
  document["back-matter"] = Json{{"resources", resources}};
  return Json{{"assessment-results", document}};
}

}  // namespace postura::oscal
