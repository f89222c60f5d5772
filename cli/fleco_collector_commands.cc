#include "cli/fleco_collector_commands.h"

#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/output_file.h"
#include "cli/wire_names.h"
#include "common/transport/target_proto.h"

namespace postura::cli {
namespace {

using Admin = v1::AdminService::Stub;
using Query = v1::QueryService::Stub;

absl::Status SetLevel(const Catalog& catalog, const v1::OutcomeScore& outcome,
                      std::vector<Level>& levels) {
  const std::optional<int> index = catalog.FindOutcome(outcome.id());
  if (!index) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the collector scores outcome ", outcome.id(), ", which catalog ", catalog.name(), " v",
        catalog.version(), " does not have; pass the collector's catalog with --catalog"));
  }
  const std::optional<Level> level = LevelFromWire(outcome.level());
  if (!level) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome ", outcome.id(), " has no level in the collector's answer"));
  }
  levels[*index] = *level;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FlecoCase> CaseFromCollector(const Catalog& catalog, const v1::AssetScore& score,
                                            const v1::GetTargetsResponse& targets) {
  FlecoCase fleco_case;
  const std::optional<ImplementationGroup> group =
      GroupFromWire(score.summary().implementation_group());
  if (!group) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset ", score.summary().asset_id(), " has no implementation group"));
  }
  fleco_case.group = *group;
  fleco_case.initial_status.assign(catalog.outcomes().size(), Level::kDli0);
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        if (absl::Status s = SetLevel(catalog, outcome, fleco_case.initial_status); !s.ok()) {
          return s;
        }
      }
    }
  }
  for (const v1::Target& wire : targets.targets()) {
    absl::StatusOr<Target> target = TargetFromProto(catalog, wire);
    if (!target.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the collector has a target this catalog cannot read (", target.status().message(),
          "); pass the collector's catalog with --catalog"));
    }
    fleco_case.targets.push_back(*target);
  }
  if (absl::Status s = ValidateTargets(catalog, fleco_case.group, fleco_case.targets); !s.ok()) {
    return s;
  }
  return fleco_case;
}

int RunFlecoExport(CommandContext& c, const std::string& asset_id, const std::string& output_path) {
  v1::GetAssetScoreRequest score_request;
  score_request.set_asset_id(asset_id);
  absl::StatusOr<v1::AssetScore> score =
      c.collector.Call(c.collector.query(), &Query::GetAssetScore, score_request);
  if (!score.ok()) return c.Fail(score.status());
  v1::GetTargetsRequest targets_request;
  targets_request.set_asset_id(asset_id);
  absl::StatusOr<v1::GetTargetsResponse> targets =
      c.collector.Call(c.collector.admin(), &Admin::GetTargets, targets_request);
  if (!targets.ok()) return c.Fail(targets.status());

  absl::StatusOr<FlecoCase> fleco_case = CaseFromCollector(c.catalog, *score, *targets);
  if (!fleco_case.ok()) return c.BadInput(fleco_case.status());
  const std::string text = WriteFlecoCase(c.catalog, *fleco_case);
  if (output_path.empty() || output_path == "-") {
    c.out << text;
    return kExitOk;
  }
  if (absl::Status s = WriteOutputFile(output_path, text); !s.ok()) return c.BadInput(s);
  c.out << "Wrote " << output_path << ": asset " << asset_id << " ("
        << ImplementationGroupName(fleco_case->group) << "), its current levels and "
        << fleco_case->targets.size() << " targets. Plan with `postura fleco plan " << output_path
        << "`, or open it in FLECO Studio.\n";
  return kExitOk;
}

int RunFlecoImport(CommandContext& c, const std::string& case_path, const std::string& asset_id) {
  absl::StatusOr<FlecoCase> fleco_case = ReadFlecoCaseFile(c.catalog, case_path);
  if (!fleco_case.ok()) return c.BadInput(fleco_case.status());
  v1::PutTargetsRequest request;
  request.set_asset_id(asset_id);
  for (const Target& target : fleco_case->targets) {
    *request.add_targets() = TargetToProto(c.catalog, target);
  }
  absl::StatusOr<v1::PutTargetsResponse> put =
      c.collector.Call(c.collector.admin(), &Admin::PutTargets, request);
  if (!put.ok()) {
    const int status = c.Fail(put.status());
    if (status == kExitBadInput) {
      c.err << "postura: the case is for " << ImplementationGroupName(fleco_case->group)
            << "; check the group of asset " << asset_id << " with `postura assets show "
            << asset_id << "`\n";
    }
    return status;
  }
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(request);
  } else {
    c.out << "Asset " << asset_id << " now has the " << request.targets_size() << " targets of "
          << case_path
          << " (the case's levels are not imported: they come from the agents' evidence).\n";
  }
  return kExitOk;
}

void AddFlecoCollectorCommands(CLI::App& fleco, CommandLine& line) {
  auto export_asset = std::make_shared<std::string>(), output = std::make_shared<std::string>();
  CLI::App* export_command = fleco.add_subcommand(
      "export", "Write a FLECO case of a collector's asset: its current levels and its targets");
  export_command->add_option("asset", *export_asset, "The asset's id")->required();
  export_command->add_option("-o,--output", *output, "Case file to write (default: stdout)");
  OnSelected(export_command, line, [export_asset, output](CommandContext& c) {
    return RunFlecoExport(c, *export_asset, *output);
  });

  auto case_path = std::make_shared<std::string>(), import_asset = std::make_shared<std::string>();
  CLI::App* import_command = fleco.add_subcommand(
      "import",
      "Make a FLECO case's strategic constraints an asset's targets (replacing its "
      "targets)");
  import_command->add_option("case", *case_path, "FLECO case file (JSON)")->required();
  import_command->add_option("asset", *import_asset, "The asset's id")->required();
  AddFormatOption(import_command, line);
  OnSelected(import_command, line, [case_path, import_asset](CommandContext& c) {
    return RunFlecoImport(c, *case_path, *import_asset);
  });
}

}  // namespace postura::cli
