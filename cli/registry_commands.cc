#include "cli/registry_commands.h"

#include <algorithm>
#include <map>
#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/registry_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

using Admin = v1::AdminService::Stub;

constexpr char kIdHelp[] = "1 to 128 characters from A-Z a-z 0-9 . _ -";

// Prints what a change did, or why it failed.
int Changed(CommandContext& c, const absl::Status& status, const std::string& done,
            const google::protobuf::Message& request) {
  if (!status.ok()) return c.Fail(status);
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(request);
  } else {
    c.out << done << "\n";
  }
  return kExitOk;
}

// Prints a List response as a table or JSON.
template <typename Response>
int Listed(CommandContext& c, const absl::StatusOr<Response>& response,
           std::string (*text)(const Response&)) {
  if (!response.ok()) return c.Fail(response.status());
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(*response);
  } else {
    c.out << text(*response);
  }
  return kExitOk;
}

// The asset's registry record (there is no GetAsset: the list is small).
absl::StatusOr<v1::Asset> FindAsset(CommandContext& c, const std::string& id) {
  absl::StatusOr<v1::ListAssetsResponse> assets =
      c.collector.Call(c.collector.admin(), &Admin::ListAssets, v1::ListAssetsRequest());
  if (!assets.ok()) return assets.status();
  for (const v1::Asset& asset : assets->assets()) {
    if (asset.id() == id) return asset;
  }
  return absl::NotFoundError(
      absl::StrCat("no asset '", id, "'; `postura assets list` shows the registered assets"));
}

int PutAsset(CommandContext& c, const v1::Asset& asset, const std::string& done) {
  v1::PutAssetRequest request;
  *request.mutable_asset() = asset;
  return Changed(c, c.collector.Call(c.collector.admin(), &Admin::PutAsset, request).status(), done,
                 request);
}

// `NAME list` and `NAME delete ID` for one kind of record.
void AddListAndDelete(CLI::App* parent, CommandLine& line, absl::string_view noun,
                      int (*list)(CommandContext&),
                      int (*remove)(CommandContext&, const std::string&)) {
  CLI::App* list_command = parent->add_subcommand("list", absl::StrCat("List the ", noun, "s"));
  AddFormatOption(list_command, line);
  OnSelected(list_command, line, list);
  auto id = std::make_shared<std::string>();
  CLI::App* delete_command = parent->add_subcommand("delete", absl::StrCat("Delete a ", noun));
  delete_command->add_option("id", *id, absl::StrCat("The ", noun, "'s id"))->required();
  AddFormatOption(delete_command, line);
  OnSelected(delete_command, line, [id, remove](CommandContext& c) { return remove(c, *id); });
}

void AddTenantCommands(CLI::App& app, CommandLine& line) {
  CLI::App* tenants = app.add_subcommand(
      "tenants", "The organisation (tenant \"org\") and the suppliers reporting into it");
  tenants->require_subcommand(1);
  AddListAndDelete(tenants, line, "tenant", RunTenantsList, RunTenantDelete);
  auto id = std::make_shared<std::string>(), name = std::make_shared<std::string>();
  auto kind = std::make_shared<v1::TenantKind>(v1::SUPPLIER);
  CLI::App* put = tenants->add_subcommand("put", "Create a tenant, or replace its name and kind");
  put->add_option("id", *id, absl::StrCat("Tenant id: ", kIdHelp))->required();
  put->add_option("--name", *name, "Name for people (default: the id)");
  AddChoiceOption(put, "--kind", *kind,
                  {{"organization", v1::ORGANIZATION},
                   {"organisation", v1::ORGANIZATION},
                   {"supplier", v1::SUPPLIER}},
                  "organization or supplier (default: supplier)");
  AddFormatOption(put, line);
  OnSelected(put, line, [id, name, kind](CommandContext& c) {
    v1::Tenant tenant;
    tenant.set_id(*id);
    tenant.set_name(name->empty() ? *id : *name);
    tenant.set_kind(*kind);
    return RunTenantPut(c, tenant);
  });
}

void AddDepartmentCommands(CLI::App& app, CommandLine& line) {
  CLI::App* departments =
      app.add_subcommand("departments", "The organisation's departments, which own assets");
  departments->require_subcommand(1);
  AddListAndDelete(departments, line, "department", RunDepartmentsList, RunDepartmentDelete);
  auto id = std::make_shared<std::string>(), name = std::make_shared<std::string>();
  CLI::App* put = departments->add_subcommand("put", "Create a department, or rename it");
  put->add_option("id", *id, absl::StrCat("Department id: ", kIdHelp))->required();
  put->add_option("--name", *name, "Name for people (default: the id)");
  AddFormatOption(put, line);
  OnSelected(put, line, [id, name](CommandContext& c) {
    v1::Department department;
    department.set_id(*id);
    department.set_name(name->empty() ? *id : *name);
    return RunDepartmentPut(c, department);
  });
}

struct AssetFlags {
  std::string id, name, department_id, supplier_id;
  v1::ImplementationGroup group = v1::IMPLEMENTATION_GROUP_UNSPECIFIED;
  std::vector<std::string> dependency_ids;
};

void AddAssetCommands(CLI::App& app, CommandLine& line) {
  CLI::App* assets =
      app.add_subcommand("assets", "Business assets: services, systems or processes to protect");
  assets->require_subcommand(1);
  AddListAndDelete(assets, line, "asset", RunAssetsList, RunAssetDelete);
  auto flags = std::make_shared<AssetFlags>();
  CLI::App* put = assets->add_subcommand(
      "put",
      "Create an asset, or replace its whole record (`postura deps add|remove` edit only its "
      "dependencies)");
  put->add_option("id", flags->id, absl::StrCat("Asset id: ", kIdHelp))->required();
  put->add_option("--name", flags->name, "Name for people (default: the id)");
  AddChoiceOption(put, "--ig", flags->group, {{"IG1", v1::IG1}, {"IG2", v1::IG2}, {"IG3", v1::IG3}},
                  "Implementation group, from its criticality: IG1 (low), IG2, IG3 (high)")
      ->required();
  put->add_option("--department", flags->department_id, "Department that owns it");
  put->add_option("--supplier", flags->supplier_id, "Supplier tenant that operates it");
  put->add_option("--depends-on", flags->dependency_ids,
                  "Asset it depends on (repeatable; it is no stronger than they are)");
  AddFormatOption(put, line);
  OnSelected(put, line, [flags](CommandContext& c) {
    v1::Asset asset;
    asset.set_id(flags->id);
    asset.set_name(flags->name.empty() ? flags->id : flags->name);
    asset.set_implementation_group(flags->group);
    asset.set_department_id(flags->department_id);
    asset.set_supplier_id(flags->supplier_id);
    for (const std::string& d : flags->dependency_ids) asset.add_dependency_ids(d);
    return RunAssetPut(c, asset);
  });
  auto shown = std::make_shared<std::string>();
  CLI::App* show = assets->add_subcommand("show", "Print an asset's registry record");
  show->add_option("id", *shown, "The asset's id")->required();
  AddFormatOption(show, line);
  OnSelected(show, line, [shown](CommandContext& c) { return RunAssetShow(c, *shown); });
}

void AddDependencyCommands(CLI::App& app, CommandLine& line) {
  CLI::App* deps = app.add_subcommand(
      "deps", "An asset's dependencies (its adjusted value is no higher than theirs)");
  deps->require_subcommand(1);
  for (const bool add : {true, false}) {
    auto asset = std::make_shared<std::string>(), dependency = std::make_shared<std::string>();
    CLI::App* command =
        add ? deps->add_subcommand("add", "Make ASSET depend on DEPENDENCY")
            : deps->add_subcommand("remove", "Make ASSET no longer depend on DEPENDENCY");
    command->add_option("asset", *asset, "The dependent asset")->required();
    command->add_option("dependency", *dependency, "The asset it depends on")->required();
    AddFormatOption(command, line);
    OnSelected(command, line, [asset, dependency, add](CommandContext& c) {
      return add ? RunDependencyAdd(c, *asset, *dependency)
                 : RunDependencyRemove(c, *asset, *dependency);
    });
  }
}

void AddAgentCommands(CLI::App& app, CommandLine& line) {
  CLI::App* agents =
      app.add_subcommand("agents", "Enrolled agents (one per host) and the assets they report for");
  agents->require_subcommand(1);
  AddListAndDelete(agents, line, "agent", RunAgentsList, RunAgentDelete);
  auto id = std::make_shared<std::string>(), tenant = std::make_shared<std::string>();
  auto asset_ids = std::make_shared<std::vector<std::string>>();
  CLI::App* put = agents->add_subcommand("put", "Enrol an agent, or replace its bindings");
  put->add_option("id", *id, absl::StrCat("Agent id: ", kIdHelp))->required();
  put->add_option("--asset", *asset_ids, "Asset it may report for (repeatable)")->required();
  put->add_option("--tenant", *tenant,
                  "Tenant it reports for (default: org); a supplier's agent reports only for "
                  "that supplier's assets");
  AddFormatOption(put, line);
  OnSelected(put, line, [id, tenant, asset_ids](CommandContext& c) {
    v1::Agent agent;
    agent.set_id(*id);
    agent.set_tenant_id(*tenant);
    for (const std::string& a : *asset_ids) agent.add_asset_ids(a);
    return RunAgentPut(c, agent);
  });
}

}  // namespace

int RunTenantsList(CommandContext& c) {
  return Listed(
      c, c.collector.Call(c.collector.admin(), &Admin::ListTenants, v1::ListTenantsRequest()),
      TenantsText);
}

int RunTenantPut(CommandContext& c, const v1::Tenant& tenant) {
  v1::PutTenantRequest request;
  *request.mutable_tenant() = tenant;
  return Changed(
      c, c.collector.Call(c.collector.admin(), &Admin::PutTenant, request).status(),
      absl::StrCat("Tenant ", tenant.id(), " (", TenantKindText(tenant.kind()), ") saved."),
      request);
}

int RunTenantDelete(CommandContext& c, const std::string& id) {
  v1::DeleteTenantRequest request;
  request.set_tenant_id(id);
  return Changed(c, c.collector.Call(c.collector.admin(), &Admin::DeleteTenant, request).status(),
                 absl::StrCat("Tenant ", id, " deleted."), request);
}

int RunDepartmentsList(CommandContext& c) {
  return Listed(
      c,
      c.collector.Call(c.collector.admin(), &Admin::ListDepartments, v1::ListDepartmentsRequest()),
      DepartmentsText);
}

int RunDepartmentPut(CommandContext& c, const v1::Department& department) {
  v1::PutDepartmentRequest request;
  *request.mutable_department() = department;
  return Changed(c, c.collector.Call(c.collector.admin(), &Admin::PutDepartment, request).status(),
                 absl::StrCat("Department ", department.id(), " saved."), request);
}

int RunDepartmentDelete(CommandContext& c, const std::string& id) {
  v1::DeleteDepartmentRequest request;
  request.set_department_id(id);
  return Changed(c,
                 c.collector.Call(c.collector.admin(), &Admin::DeleteDepartment, request).status(),
                 absl::StrCat("Department ", id, " deleted."), request);
}

int RunAssetsList(CommandContext& c) {
  return Listed(c,
                c.collector.Call(c.collector.admin(), &Admin::ListAssets, v1::ListAssetsRequest()),
                AssetsText);
}

int RunAssetPut(CommandContext& c, const v1::Asset& asset) {
  return PutAsset(c, asset,
                  absl::StrCat("Asset ", asset.id(), " (", GroupText(asset.implementation_group()),
                               ") saved."));
}

int RunAssetDelete(CommandContext& c, const std::string& id) {
  v1::DeleteAssetRequest request;
  request.set_asset_id(id);
  return Changed(c, c.collector.Call(c.collector.admin(), &Admin::DeleteAsset, request).status(),
                 absl::StrCat("Asset ", id, " deleted (its evidence log stays)."), request);
}

int RunAssetShow(CommandContext& c, const std::string& id) {
  absl::StatusOr<v1::Asset> asset = FindAsset(c, id);
  if (!asset.ok()) return c.Fail(asset.status());
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(*asset);
  } else {
    c.out << AssetRecordText(*asset);
  }
  return kExitOk;
}

int RunDependencyAdd(CommandContext& c, const std::string& asset_id,
                     const std::string& dependency_id) {
  absl::StatusOr<v1::Asset> asset = FindAsset(c, asset_id);
  if (!asset.ok()) return c.Fail(asset.status());
  const auto& ids = asset->dependency_ids();
  if (std::find(ids.begin(), ids.end(), dependency_id) != ids.end()) {
    return Changed(c, absl::OkStatus(),
                   absl::StrCat("Asset ", asset_id, " already depends on ", dependency_id,
                                "; nothing changed."),
                   *asset);
  }
  asset->add_dependency_ids(dependency_id);
  return PutAsset(c, *asset,
                  absl::StrCat("Asset ", asset_id, " now depends on ", dependency_id, "."));
}

int RunDependencyRemove(CommandContext& c, const std::string& asset_id,
                        const std::string& dependency_id) {
  absl::StatusOr<v1::Asset> asset = FindAsset(c, asset_id);
  if (!asset.ok()) return c.Fail(asset.status());
  auto* ids = asset->mutable_dependency_ids();
  auto found = std::find(ids->begin(), ids->end(), dependency_id);
  if (found == ids->end()) {
    return c.BadInput(absl::NotFoundError(absl::StrCat("asset ", asset_id, " does not depend on ",
                                                       dependency_id, "; `postura assets show ",
                                                       asset_id, "` lists its dependencies")));
  }
  ids->erase(found);
  return PutAsset(c, *asset,
                  absl::StrCat("Asset ", asset_id, " no longer depends on ", dependency_id, "."));
}

int RunAgentsList(CommandContext& c) {
  return Listed(c,
                c.collector.Call(c.collector.admin(), &Admin::ListAgents, v1::ListAgentsRequest()),
                AgentsText);
}

int RunAgentPut(CommandContext& c, const v1::Agent& agent) {
  v1::PutAgentRequest request;
  *request.mutable_agent() = agent;
  return Changed(c, c.collector.Call(c.collector.admin(), &Admin::PutAgent, request).status(),
                 absl::StrCat("Agent ", agent.id(), " saved, reporting for ",
                              agent.asset_ids_size(), " asset(s)."),
                 request);
}

int RunAgentDelete(CommandContext& c, const std::string& id) {
  v1::DeleteAgentRequest request;
  request.set_agent_id(id);
  return Changed(c, c.collector.Call(c.collector.admin(), &Admin::DeleteAgent, request).status(),
                 absl::StrCat("Agent ", id, " deleted."), request);
}

void AddRegistryCommands(CLI::App& app, CommandLine& line) {
  AddTenantCommands(app, line);
  AddDepartmentCommands(app, line);
  AddAssetCommands(app, line);
  AddDependencyCommands(app, line);
  AddAgentCommands(app, line);
}

}  // namespace postura::cli
