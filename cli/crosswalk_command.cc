#include "cli/crosswalk_command.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/crosswalk_text.h"
#include "cli/output_file.h"
#include "cli/wire_names.h"
#include "common/crosswalk/alignment.h"
#include "common/crosswalk/crosswalk.h"

namespace postura::cli {
namespace {

using crosswalk::AssetReadings;
using crosswalk::Crosswalk;
using crosswalk::EvidenceState;
using crosswalk::Framework;
using Query = v1::QueryService::Stub;

// A framework's crosswalk and the names of the files it was read from.
struct LoadedCrosswalk {
  Crosswalk crosswalk;
  std::vector<std::string> sources;
};

absl::StatusOr<LoadedCrosswalk> LoadBuiltin(Framework framework, const Catalog& catalog) {
  absl::StatusOr<Crosswalk> crosswalk = Crosswalk::Builtin(framework, catalog);
  if (!crosswalk.ok()) return crosswalk.status();
  return LoadedCrosswalk{
      .crosswalk = *std::move(crosswalk),
      .sources = {absl::StrCat("builtin uleo-to-", crosswalk::FrameworkName(framework), ".tsv")}};
}

// Adds each --mapping to the crosswalk it names: "FILE" to the first, "NAME=FILE" to the
// one of framework NAME.
absl::Status AddMappings(const std::vector<std::string>& mappings,
                         std::vector<LoadedCrosswalk*> crosswalks) {
  for (const std::string& mapping : mappings) {
    LoadedCrosswalk* target = crosswalks.front();
    std::string path = mapping;
    if (size_t equals = mapping.find('='); equals != std::string::npos) {
      absl::StatusOr<Framework> named = crosswalk::ParseFramework(mapping.substr(0, equals));
      if (named.ok()) {
        target = nullptr;
        for (LoadedCrosswalk* loaded : crosswalks) {
          if (loaded->crosswalk.framework() == *named) target = loaded;
        }
        if (target == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("--mapping ", mapping, ": ", crosswalk::FrameworkName(*named),
                           " is neither --framework nor --against of this report"));
        }
        path = mapping.substr(equals + 1);
      }
    }
    if (absl::Status added = target->crosswalk.AddFile(path); !added.ok()) return added;
    target->sources.push_back(path);
  }
  return absl::OkStatus();
}

absl::StatusOr<AssetReadings> ReadAsset(CommandContext& c, const std::string& asset_id) {
  v1::GetAssetScoreRequest request;
  request.set_asset_id(asset_id);
  absl::StatusOr<v1::AssetScore> score =
      c.collector.Call(c.collector.query(), &Query::GetAssetScore, request);
  if (!score.ok()) return score.status();
  return ReadingsFromScore(c.catalog, *score);
}

// The readings of one asset, or of every asset the caller may see.
absl::StatusOr<std::vector<AssetReadings>> ReadScope(CommandContext& c,
                                                     const std::string& asset_id) {
  std::vector<std::string> ids;
  if (!asset_id.empty()) {
    ids.push_back(asset_id);
  } else {
    absl::StatusOr<v1::ListAssetScoresResponse> assets = c.collector.Call(
        c.collector.query(), &Query::ListAssetScores, v1::ListAssetScoresRequest());
    if (!assets.ok()) return assets.status();
    for (const v1::AssetSummary& asset : assets->assets()) ids.push_back(asset.asset_id());
  }
  std::vector<AssetReadings> readings;
  for (const std::string& id : ids) {
    absl::StatusOr<AssetReadings> asset = ReadAsset(c, id);
    if (!asset.ok()) return asset.status();
    readings.push_back(*std::move(asset));
  }
  return readings;
}

int Write(CommandContext& c, const CrosswalkOptions& options, const std::string& text) {
  if (options.output.empty()) {
    c.out << text;
    return kExitOk;
  }
  if (absl::Status written = WriteOutputFile(options.output, text); !written.ok()) {
    return c.BadInput(written);
  }
  c.out << "Crosswalk report written to " << options.output << ".\n";
  return kExitOk;
}

}  // namespace

absl::StatusOr<AssetReadings> ReadingsFromScore(const Catalog& catalog,
                                                const v1::AssetScore& score) {
  AssetReadings readings{.asset_id = score.summary().asset_id(),
                         .outcomes = std::vector<crosswalk::OutcomeReading>(
                             catalog.outcomes().size())};  // Not applicable until listed.
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        std::optional<int> position = catalog.FindOutcome(outcome.id());
        if (!position) {
          return absl::FailedPreconditionError(
              absl::StrCat("the collector scores outcome ", outcome.id(), ", which catalog ",
                           catalog.name(), " lacks: give the collector's catalog with --catalog"));
        }
        crosswalk::OutcomeReading& reading = readings.outcomes[*position];
        reading.state = outcome.state() == v1::LIVE    ? EvidenceState::kLive
                        : outcome.state() == v1::STALE ? EvidenceState::kStale
                                                       : EvidenceState::kNoEvidence;
        reading.level = LevelFromWire(outcome.level()).value_or(Level::kDli0);
        reading.attested = outcome.deciding().kind() == v1::ATTESTED;
      }
    }
  }
  return readings;
}

int RunCrosswalkReport(CommandContext& c, const CrosswalkOptions& options) {
  absl::StatusOr<Framework> framework = crosswalk::ParseFramework(options.framework);
  if (!framework.ok()) return c.BadInput(framework.status());
  std::optional<Framework> against;
  if (!options.against.empty()) {
    absl::StatusOr<Framework> parsed = crosswalk::ParseFramework(options.against);
    if (!parsed.ok()) return c.BadInput(parsed.status());
    if (*parsed == *framework) {
      return c.BadInput(absl::InvalidArgumentError(
          absl::StrCat("--against ", options.against, " is the report's own framework")));
    }
    against = *parsed;
  }
  // Mapping files first: a bad one is reported without asking the collector.
  absl::StatusOr<LoadedCrosswalk> main = LoadBuiltin(*framework, c.catalog);
  if (!main.ok()) return c.BadInput(main.status());
  std::optional<LoadedCrosswalk> other;
  std::vector<LoadedCrosswalk*> loaded = {&*main};
  if (against) {
    absl::StatusOr<LoadedCrosswalk> built = LoadBuiltin(*against, c.catalog);
    if (!built.ok()) return c.BadInput(built.status());
    other = *std::move(built);
    loaded.push_back(&*other);
  }
  if (absl::Status added = AddMappings(options.mappings, loaded); !added.ok()) {
    return c.BadInput(added);
  }

  absl::StatusOr<std::vector<AssetReadings>> readings = ReadScope(c, options.asset);
  if (!readings.ok()) return c.Fail(readings.status());
  CrosswalkHeader header{.generated_at = absl::Now(),
                         .collector = c.collector.address(),
                         .asset_id = options.asset,
                         .asset_count = static_cast<int>(readings->size()),
                         .framework_sources = main->sources,
                         .against_sources = other ? other->sources : std::vector<std::string>()};
  if (other) {
    const crosswalk::Alignment alignment =
        crosswalk::Align(main->crosswalk, other->crosswalk, *readings);
    return Write(c, options,
                 options.json ? AlignmentJson(header, c.catalog, alignment) + "\n"
                              : AlignmentMarkdown(header, c.catalog, alignment));
  }
  const crosswalk::FrameworkStanding standing = StandFramework(main->crosswalk, *readings);
  return Write(c, options,
               options.json ? CrosswalkJson(header, c.catalog, standing) + "\n"
                            : CrosswalkMarkdown(header, c.catalog, standing));
}

}  // namespace postura::cli
