#include "cli/targets_command.h"

#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/registry_text.h"
#include "cli/target_expression.h"
#include "common/transport/target_proto.h"

namespace postura::cli {
namespace {

using Admin = v1::AdminService::Stub;

int PutTargets(CommandContext& c, const v1::PutTargetsRequest& request) {
  absl::StatusOr<v1::PutTargetsResponse> response =
      c.collector.Call(c.collector.admin(), &Admin::PutTargets, request);
  if (!response.ok()) return c.Fail(response.status());
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(request);
  } else if (request.targets().empty()) {
    c.out << "Asset " << request.asset_id() << " has no targets now.\n";
  } else {
    c.out << "Asset " << request.asset_id() << " targets: "
          << absl::StrJoin(request.targets(), ", ",
                           [](std::string* out, const v1::Target& target) {
                             out->append(TargetExpressionText(target));
                           })
          << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunTargetsList(CommandContext& c, const std::string& asset_id) {
  v1::GetTargetsRequest request;
  request.set_asset_id(asset_id);
  absl::StatusOr<v1::GetTargetsResponse> targets =
      c.collector.Call(c.collector.admin(), &Admin::GetTargets, request);
  if (!targets.ok()) return c.Fail(targets.status());
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(*targets);
  } else {
    c.out << TargetsText(asset_id, *targets);
  }
  return kExitOk;
}

int RunTargetsSet(CommandContext& c, const std::string& asset_id,
                  const std::vector<std::string>& words) {
  absl::StatusOr<std::vector<Target>> targets =
      ParseTargetExpressions(c.catalog, absl::StrJoin(words, " "));
  if (!targets.ok()) return c.BadInput(targets.status());
  v1::PutTargetsRequest request;
  request.set_asset_id(asset_id);
  for (const Target& target : *targets) *request.add_targets() = TargetToProto(c.catalog, target);
  return PutTargets(c, request);
}

int RunTargetsClear(CommandContext& c, const std::string& asset_id) {
  v1::PutTargetsRequest request;
  request.set_asset_id(asset_id);
  return PutTargets(c, request);
}

void AddTargetsCommands(CLI::App& app, CommandLine& line) {
  CLI::App* targets =
      app.add_subcommand("targets", "An asset's strategic targets: the value a scope must reach");
  targets->require_subcommand(1);
  for (const std::string name : {"list", "clear"}) {
    auto asset = std::make_shared<std::string>();
    CLI::App* command = targets->add_subcommand(
        name, name == "list" ? "List the asset's targets" : "Remove every target of the asset");
    command->add_option("asset", *asset, "The asset's id")->required();
    AddFormatOption(command, line);
    const bool list = name == "list";
    OnSelected(command, line, [asset, list](CommandContext& c) {
      return list ? RunTargetsList(c, *asset) : RunTargetsClear(c, *asset);
    });
  }
  auto asset = std::make_shared<std::string>();
  auto words = std::make_shared<std::vector<std::string>>();
  auto options = std::make_shared<std::vector<std::string>>();
  CLI::App* set = targets->add_subcommand(
      "set",
      "Replace the asset's targets. A target is SCOPE OP VALUE: 'asset>=0.7', 'PR>=0.8', "
      "'PR.AC>0.5', 'PR_AC_CSC_5_2=1' (quote it: > and < are shell redirections)");
  set->add_option("asset", *asset, "The asset's id")->required();
  set->add_option("targets", *words, "Targets, SCOPE OP VALUE each");
  set->add_option("-t,--target", *options, "A target, SCOPE OP VALUE (repeatable)");
  AddFormatOption(set, line);
  OnSelected(set, line, [asset, words, options](CommandContext& c) {
    std::vector<std::string> all = *words;
    all.insert(all.end(), options->begin(), options->end());
    return RunTargetsSet(c, *asset, all);
  });
}

}  // namespace postura::cli
