#include "common/crosswalk/report_json.h"

#include "absl/time/time.h"
#include "common/model/catalog_corrections.h"

namespace postura::crosswalk {
namespace {

using Json = nlohmann::ordered_json;

Json ControlRef(const Control& control) {
  return Json{{"id", control.id}, {"title", control.title}};
}

Json StandingJson(const Catalog& catalog, const Standing& standing) {
  Json json;
  json["status"] = ControlStatusName(standing.status);
  json["complete"] = standing.complete();
  json["level"] = standing.level ? Json(LevelValue(*standing.level)) : Json(nullptr);
  json["coverage"] = standing.coverage();
  json["applicable"] = standing.applicable;
  json["evaluated"] = standing.evaluated;
  json["weakestAsset"] = standing.weakest_asset;
  json["outcomes"] = Json::array();
  for (const OutcomeStanding& outcome : standing.outcomes) {
    const CatalogOutcome& o = catalog.outcomes()[outcome.outcome];
    Json item{{"id", o.id},
              {"code", o.code},
              {"title", ReportTitle(o)},
              {"lowestLevel", outcome.lowest ? Json(LevelValue(*outcome.lowest)) : Json(nullptr)},
              {"lowestAsset", outcome.lowest_asset},
              {"applicableAssets", outcome.applicable},
              {"evaluatedAssets", outcome.evaluated},
              {"attestedAssets", outcome.attested},
              {"staleAssets", outcome.stale}};
    if (const CatalogCorrection* correction = FindCatalogCorrection(o.id)) {
      item["catalogNote"] = correction->note;
    }
    json["outcomes"].push_back(std::move(item));
  }
  return json;
}

Json ControlJson(const Catalog& catalog, const ControlStanding& control) {
  Json json = ControlRef(*control.control);
  json["relationships"] = control.control->relationships;
  json.update(StandingJson(catalog, control.standing));
  return json;
}

Json HeaderJson(const ReportHeader& header) {
  Json json;
  json["generatedAt"] =
      absl::FormatTime(absl::RFC3339_sec, header.generated_at, absl::UTCTimeZone());
  json["collector"] = header.collector;
  json["scope"] = header.asset_id.empty()
                      ? Json{{"organization", true}, {"assets", header.asset_count}}
                      : Json{{"asset", header.asset_id}};
  return json;
}

}  // namespace

Json FrameworkStandingDocument(const ReportHeader& header, const Catalog& catalog,
                               const FrameworkStanding& standing) {
  Json json;
  json["framework"] = FrameworkName(standing.framework);
  json["title"] = FrameworkTitle(standing.framework);
  json.update(HeaderJson(header));
  json["mappingFiles"] = header.framework_sources;
  json["rule"] = kStatusRule;
  json["summary"] = Json{
      {"knownControls", standing.known_controls()},
      {"mappedControls", standing.mapped.size()},
      {"unmappedControls", standing.unmapped.size()},
      {"mappedShare", standing.known_controls() == 0 ? 0.0
                                                     : static_cast<double>(standing.mapped.size()) /
                                                           standing.known_controls()}};
  json["controls"] = Json::array();
  for (const ControlStanding& control : standing.mapped) {
    json["controls"].push_back(ControlJson(catalog, control));
  }
  json["unmappedControls"] = Json::array();
  for (const Control* control : standing.unmapped) {
    json["unmappedControls"].push_back(ControlRef(*control));
  }
  json["outcomesNotMapped"] = Json::array();
  for (int outcome : standing.outcomes_not_mapped) {
    json["outcomesNotMapped"].push_back(catalog.outcomes()[outcome].id);
  }
  return json;
}

Json AlignmentDocument(const ReportHeader& header, const Catalog& catalog,
                       const Alignment& alignment) {
  Json json;
  json["framework"] = FrameworkName(alignment.a);
  json["against"] = FrameworkName(alignment.b);
  json.update(HeaderJson(header));
  json["mappingFiles"] = Json{{FrameworkName(alignment.a), header.framework_sources},
                              {FrameworkName(alignment.b), header.against_sources}};
  json["rule"] = kStatusRule;
  json["shared"] = Json::array();
  for (const SharedControl& shared : alignment.shared) {
    Json item = ControlRef(*shared.control);
    item["counterparts"] = Json::array();
    for (const Control* counterpart : shared.counterparts) {
      item["counterparts"].push_back(ControlRef(*counterpart));
    }
    item["ownOutcomes"] = Json::array();
    for (int outcome : shared.own_outcomes) {
      item["ownOutcomes"].push_back(catalog.outcomes()[outcome].id);
    }
    item["shared"] = StandingJson(catalog, shared.shared);
    json["shared"].push_back(std::move(item));
  }
  for (const auto& [key, controls] : {std::pair{"onlyInFramework", &alignment.only_a},
                                      std::pair{"onlyInAgainst", &alignment.only_b}}) {
    json[key] = Json::array();
    for (const ControlStanding& control : *controls) {
      json[key].push_back(ControlJson(catalog, control));
    }
  }
  return json;
}

}  // namespace postura::crosswalk
