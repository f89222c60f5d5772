#include "collector/api/crosswalk_routes.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/api/http_admit.h"
#include "collector/scoring/score_wire.h"
#include "common/crosswalk/alignment.h"
#include "common/crosswalk/crosswalk.h"
#include "common/crosswalk/report_json.h"

namespace postura::collector {
namespace {

using crosswalk::AssetReadings;
using crosswalk::Crosswalk;
using crosswalk::Framework;

absl::Status FailedToFit(const absl::Status& status) {
  return absl::FailedPreconditionError(status.message());
}

// The readings of the asset, or of every asset the caller may see.
absl::StatusOr<std::vector<AssetReadings>> ReadScope(const ScoreQueries& queries,
                                                     const Catalog& catalog,
                                                     const Principal& principal,
                                                     const std::string& asset_id) {
  std::vector<std::string> ids;
  if (!asset_id.empty()) {
    ids.push_back(asset_id);
  } else {
    absl::StatusOr<v1::ListAssetScoresResponse> assets =
        queries.ListAssetScores(principal, v1::ListAssetScoresRequest());
    if (!assets.ok()) return assets.status();
    for (const v1::AssetSummary& asset : assets->assets()) ids.push_back(asset.asset_id());
  }
  std::vector<AssetReadings> readings;
  for (const std::string& id : ids) {
    v1::GetAssetScoreRequest request;
    request.set_asset_id(id);
    absl::StatusOr<v1::AssetScore> score = queries.GetAssetScore(principal, request);
    if (!score.ok()) return score.status();
    absl::StatusOr<AssetReadings> asset = ReadingsOf(catalog, *score);
    if (!asset.ok()) return asset.status();
    readings.push_back(*std::move(asset));
  }
  return readings;
}

HttpResponse Report(const ScoreQueries& queries, const Gatekeeper& gate, const Catalog& catalog,
                    const CrosswalkSet& crosswalks, const HttpRequest& request) {
  const std::string asset_id = QueryParam(request, "asset");
  absl::StatusOr<Principal> principal = AdmitPrincipal(
      request, gate, asset_id.empty() ? Permission::kReadOrganization : Permission::kReadScores);
  if (!principal.ok()) return ErrorResponse(principal.status());
  absl::StatusOr<Framework> framework = crosswalk::ParseFramework(QueryParam(request, "framework"));
  if (!framework.ok()) return ErrorResponse(framework.status());
  std::optional<Framework> against;
  if (const std::string name = QueryParam(request, "against"); !name.empty()) {
    absl::StatusOr<Framework> parsed = crosswalk::ParseFramework(name);
    if (!parsed.ok()) return ErrorResponse(parsed.status());
    if (*parsed == *framework) {
      return ErrorResponse(absl::InvalidArgumentError(
          absl::StrCat("against=", name, " is the report's own framework")));
    }
    against = *parsed;
  }
  absl::StatusOr<std::vector<AssetReadings>> readings =
      ReadScope(queries, catalog, *principal, asset_id);
  if (!readings.ok()) return ErrorResponse(readings.status());
  crosswalk::ReportHeader header{.generated_at = absl::Now(),
                                 .collector = "",
                                 .asset_id = asset_id,
                                 .asset_count = static_cast<int>(readings->size()),
                                 .framework_sources = crosswalks.at(*framework).sources,
                                 .against_sources = {}};
  const absl::StatusOr<Crosswalk>& main = crosswalks.at(*framework).crosswalk;
  if (!main.ok()) return ErrorResponse(FailedToFit(main.status()));
  HttpResponse response;
  if (against) {
    const absl::StatusOr<Crosswalk>& other = crosswalks.at(*against).crosswalk;
    if (!other.ok()) return ErrorResponse(FailedToFit(other.status()));
    header.against_sources = crosswalks.at(*against).sources;
    response.body =
        crosswalk::AlignmentDocument(header, catalog, crosswalk::Align(*main, *other, *readings))
            .dump();
  } else {
    response.body =
        crosswalk::FrameworkStandingDocument(header, catalog, StandFramework(*main, *readings))
            .dump();
  }
  return response;
}

}  // namespace

absl::StatusOr<AssetReadings> ReadingsOf(const Catalog& catalog, const v1::AssetScore& score) {
  AssetReadings readings{
      .asset_id = score.summary().asset_id(),
      .outcomes = std::vector<crosswalk::OutcomeReading>(catalog.outcomes().size())};
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        std::optional<int> position = catalog.FindOutcome(outcome.id());
        if (!position) {
          return absl::FailedPreconditionError(
              absl::StrCat("outcome ", outcome.id(), " is not in catalog ", catalog.name()));
        }
        crosswalk::OutcomeReading& reading = readings.outcomes[*position];
        reading.state = outcome.state() == v1::LIVE    ? crosswalk::EvidenceState::kLive
                        : outcome.state() == v1::STALE ? crosswalk::EvidenceState::kStale
                                                       : crosswalk::EvidenceState::kNoEvidence;
        reading.level = LevelFromWire(outcome.level());
        reading.attested = outcome.deciding().kind() == v1::ATTESTED;
      }
    }
  }
  return readings;
}

absl::StatusOr<std::shared_ptr<const CrosswalkSet>> LoadCrosswalks(
    const Catalog& catalog, const std::vector<crosswalk::MappingFile>& files) {
  auto crosswalks = std::make_shared<CrosswalkSet>();
  for (Framework framework : crosswalk::kAllFrameworks) {
    LoadedCrosswalk loaded{.crosswalk = Crosswalk::Builtin(framework, catalog), .sources = {}};
    if (loaded.crosswalk.ok()) {
      loaded.sources.push_back(
          absl::StrCat("builtin uleo-to-", crosswalk::FrameworkName(framework), ".tsv"));
    }
    crosswalks->emplace(framework, std::move(loaded));
  }
  for (const crosswalk::MappingFile& file : files) {
    LoadedCrosswalk& loaded = crosswalks->at(file.framework);
    // With a custom catalog the shipped file may not fit: the operator's files alone then.
    if (!loaded.crosswalk.ok()) loaded.crosswalk = Crosswalk(file.framework, catalog);
    if (absl::Status added = loaded.crosswalk->AddFile(file.path); !added.ok()) return added;
    loaded.sources.push_back(file.path);
  }
  return std::shared_ptr<const CrosswalkSet>(std::move(crosswalks));
}

std::vector<HttpRoute> CrosswalkRoutes(const ScoreQueries& queries, const Gatekeeper& gate,
                                       const Catalog& catalog,
                                       std::shared_ptr<const CrosswalkSet> crosswalks) {
  return std::vector<HttpRoute>{
      {"GET", "/api/v1/crosswalk",
       [&queries, &gate, &catalog, crosswalks](const HttpRequest& request) {
         return Report(queries, gate, catalog, *crosswalks, request);
       }}};
}

}  // namespace postura::collector
