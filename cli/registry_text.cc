#include "cli/registry_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/target_expression.h"
#include "cli/terminal_text.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

constexpr int kNameWidth = 40;

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

std::string Heading(int count, absl::string_view singular, absl::string_view plural,
                    absl::string_view add_hint) {
  if (count == 0)
    return absl::StrCat("No ", plural, " registered; add one with `", add_hint, "`.\n");
  return absl::StrCat(count, " ", count == 1 ? singular : plural, "\n");
}

absl::string_view ScopeKindText(v1::TargetScopeKind kind) {
  switch (kind) {
    case v1::SCOPE_ASSET:
      return "asset";
    case v1::SCOPE_FUNCTION:
      return "function";
    case v1::SCOPE_CATEGORY:
      return "category";
    case v1::SCOPE_OUTCOME:
      return "outcome";
    default:
      return "?";
  }
}

}  // namespace

std::string TenantsText(const v1::ListTenantsResponse& tenants) {
  std::string text = Heading(tenants.tenants_size(), "tenant", "tenants",
                             "postura tenants put ID --name NAME --kind supplier");
  if (tenants.tenants().empty()) return text;
  TextTable table({"ID", "KIND", "NAME"});
  for (const v1::Tenant& tenant : tenants.tenants()) {
    table.AddRow({tenant.id(), std::string(TenantKindText(tenant.kind())),
                  Ellipsize(tenant.name(), kNameWidth)});
  }
  return text + table.Render();
}

std::string DepartmentsText(const v1::ListDepartmentsResponse& departments) {
  std::string text = Heading(departments.departments_size(), "department", "departments",
                             "postura departments put ID --name NAME");
  if (departments.departments().empty()) return text;
  TextTable table({"ID", "NAME"});
  for (const v1::Department& department : departments.departments()) {
    table.AddRow({department.id(), Ellipsize(department.name(), kNameWidth)});
  }
  return text + table.Render();
}

std::string AssetsText(const v1::ListAssetsResponse& assets) {
  std::string text = Heading(assets.assets_size(), "asset", "assets",
                             "postura assets put ID --name NAME --ig IG2");
  if (assets.assets().empty()) return text;
  TextTable table({"ID", "IG", "DEPARTMENT", "SUPPLIER", "DEPENDS ON", "NAME"});
  for (const v1::Asset& asset : assets.assets()) {
    table.AddRow({asset.id(), std::string(GroupText(asset.implementation_group())),
                  OrDash(asset.department_id()), OrDash(asset.supplier_id()),
                  OrDash(absl::StrJoin(asset.dependency_ids(), ",")),
                  Ellipsize(asset.name(), kNameWidth)});
  }
  return text + table.Render();
}

std::string AgentsText(const v1::ListAgentsResponse& agents) {
  std::string text =
      Heading(agents.agents_size(), "agent", "agents", "postura agents put ID --asset ASSET");
  if (agents.agents().empty()) return text;
  TextTable table({"ID", "TENANT", "LAST SEQUENCE", "DROPPED", "CONFLICTS", "LAST CONFLICT",
                   "LAST USED", "FROM", "ASSETS"});
  table.AlignRight(2).AlignRight(3).AlignRight(4);
  for (const v1::Agent& agent : agents.agents()) {
    table.AddRow(
        {agent.id(), agent.tenant_id().empty() ? "org" : agent.tenant_id(),
         absl::StrCat(agent.last_stored_sequence()), absl::StrCat(agent.dropped_items_total()),
         absl::StrCat(agent.sequence_conflicts()), UnixNanosText(agent.last_conflict_unix_nanos()),
         UnixNanosText(agent.last_used_unix_seconds() * 1'000'000'000),
         OrDash(agent.last_used_from()), OrDash(absl::StrJoin(agent.asset_ids(), ","))});
  }
  return text + table.Render();
}

std::string TargetsText(const std::string& raw_asset_id, const v1::GetTargetsResponse& targets) {
  const std::string asset_id = TerminalSafe(raw_asset_id);
  if (targets.targets().empty()) {
    return absl::StrCat("Asset ", asset_id, " has no targets; set them with `postura targets set ",
                        asset_id, " 'asset>=0.7' 'PR>=0.8'`.\n");
  }
  std::string text = absl::StrFormat("Asset %s: %d targets\n", asset_id, targets.targets_size());
  TextTable table({"SCOPE", "TARGET"});
  for (const v1::Target& target : targets.targets()) {
    table.AddRow({std::string(ScopeKindText(target.scope())), TargetExpressionText(target)});
  }
  return text + table.Render();
}

std::string AssetRecordText(const v1::Asset& asset) {
  return absl::StrFormat(
      "Asset %s\n  Name            %s\n  Group           %s\n  Department      %s\n"
      "  Supplier        %s\n  Depends on      %s\n",
      TerminalSafe(asset.id()), TerminalSafe(asset.name()), GroupText(asset.implementation_group()),
      TerminalSafe(OrDash(asset.department_id())), TerminalSafe(OrDash(asset.supplier_id())),
      asset.dependency_ids().empty() ? "nothing"
                                     : TerminalSafe(absl::StrJoin(asset.dependency_ids(), ", ")));
}

}  // namespace postura::cli
