#include "collector/requests/request_scope.h"

#include "absl/strings/str_cat.h"
#include "common/base/utf8.h"

namespace postura::collector {
namespace {

// An id quoted in a message, cut short and made printable.
std::string Quoted(absl::string_view id) {
  return absl::StrCat("'", ValidUtf8Prefix(id, 128), "'");
}

absl::StatusOr<std::vector<std::string>> OutcomesOfArea(absl::string_view area_id,
                                                        const Catalog& catalog) {
  const std::vector<FunctionalArea>& areas = catalog.functional_areas();
  for (size_t area = 0; area < areas.size(); ++area) {
    if (areas[area].id != area_id) continue;
    std::vector<std::string> ids;
    for (const CatalogOutcome& outcome : catalog.outcomes()) {
      if (outcome.functional_area == static_cast<int>(area)) ids.push_back(outcome.id);
    }
    return ids;
  }
  return absl::InvalidArgumentError(absl::StrCat("outcomes.functional_area: no functional area ",
                                                 Quoted(area_id), " in the catalog (FA1 to FA",
                                                 areas.size(), ")"));
}

std::vector<std::string> OutcomesOfCategories(const Catalog& catalog,
                                              const std::vector<int>& categories) {
  std::vector<std::string> ids;
  for (int category : categories) {
    for (int outcome : catalog.categories()[category].outcomes) {
      ids.push_back(catalog.outcomes()[outcome].id);
    }
  }
  return ids;
}

absl::StatusOr<std::vector<std::string>> ListedOutcomes(const v1::OutcomeSelection& selection,
                                                        const Catalog& catalog) {
  std::vector<std::string> ids;
  std::vector<bool> taken(catalog.outcomes().size(), false);
  for (const std::string& id : selection.outcome_ids()) {
    std::optional<int> outcome = catalog.FindOutcome(id);
    if (!outcome) {
      return absl::InvalidArgumentError(
          absl::StrCat("outcomes.outcome_ids: no outcome ", Quoted(id), " in the catalog"));
    }
    taken[*outcome] = true;
  }
  for (size_t i = 0; i < taken.size(); ++i) {
    if (taken[i]) ids.push_back(catalog.outcomes()[i].id);
  }
  return ids;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SelectOutcomes(const v1::OutcomeSelection& selection,
                                                        const Catalog& catalog) {
  const int given = !selection.functional_area().empty() + !selection.category().empty() +
                    !selection.function().empty() + (selection.outcome_ids_size() > 0);
  if (given != 1) {
    return absl::InvalidArgumentError(
        "outcomes: give exactly one of a functional area, a category, a function or a list of "
        "outcomes");
  }
  absl::StatusOr<std::vector<std::string>> ids;
  if (!selection.functional_area().empty()) {
    ids = OutcomesOfArea(selection.functional_area(), catalog);
  } else if (!selection.category().empty()) {
    std::optional<int> category = catalog.FindCategory(selection.category());
    if (!category) {
      return absl::InvalidArgumentError(absl::StrCat(
          "outcomes.category: no category ", Quoted(selection.category()), " in the catalog"));
    }
    ids = OutcomesOfCategories(catalog, {*category});
  } else if (!selection.function().empty()) {
    std::optional<int> function = catalog.FindFunction(selection.function());
    if (!function) {
      return absl::InvalidArgumentError(absl::StrCat(
          "outcomes.function: no function ", Quoted(selection.function()), " in the catalog"));
    }
    ids = OutcomesOfCategories(catalog, catalog.functions()[*function].categories);
  } else {
    ids = ListedOutcomes(selection, catalog);
  }
  if (ids.ok() && ids->empty()) {
    return absl::InvalidArgumentError("outcomes: the selection holds no outcome");
  }
  return ids;
}

absl::StatusOr<std::vector<std::string>> ScopeAssets(v1::RequestScopeKind kind,
                                                     const std::string& scope_id,
                                                     const Registry& registry) {
  std::vector<std::string> ids;
  switch (kind) {
    case v1::REQUEST_SCOPE_ASSET:
      if (!registry.FindAsset(scope_id)) {
        return absl::InvalidArgumentError(absl::StrCat("scope: no asset ", Quoted(scope_id)));
      }
      return std::vector<std::string>{scope_id};
    case v1::REQUEST_SCOPE_DEPARTMENT:
      if (!registry.FindDepartment(scope_id)) {
        return absl::InvalidArgumentError(absl::StrCat("scope: no department ", Quoted(scope_id)));
      }
      for (const v1::Asset& asset : registry.ListAssets()) {
        if (asset.department_id() == scope_id) ids.push_back(asset.id());
      }
      break;
    case v1::REQUEST_SCOPE_SUPPLIER: {
      std::optional<v1::Tenant> tenant = registry.FindTenant(scope_id);
      if (!tenant || tenant->kind() != v1::SUPPLIER) {
        return absl::InvalidArgumentError(absl::StrCat("scope: no supplier ", Quoted(scope_id)));
      }
      for (const v1::Asset& asset : registry.ListAssets()) {
        if (asset.supplier_id() == scope_id) ids.push_back(asset.id());
      }
      break;
    }
    default:
      return absl::InvalidArgumentError("scope: say asset, department or supplier");
  }
  if (ids.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scope: ", Quoted(scope_id), " has no assets to ask about"));
  }
  return ids;
}

absl::StatusOr<std::string> OwnerTenant(v1::RequestOwnerKind kind, const std::string& owner_id,
                                        const Registry& registry) {
  if (kind == v1::OWNER_DEPARTMENT) {
    if (!registry.FindDepartment(owner_id)) {
      return absl::InvalidArgumentError(absl::StrCat("owner: no department ", Quoted(owner_id)));
    }
    return std::string("org");
  }
  if (kind == v1::OWNER_SUPPLIER) {
    std::optional<v1::Tenant> tenant = registry.FindTenant(owner_id);
    if (!tenant || tenant->kind() != v1::SUPPLIER) {
      return absl::InvalidArgumentError(absl::StrCat("owner: no supplier ", Quoted(owner_id)));
    }
    return owner_id;
  }
  return absl::InvalidArgumentError("owner: say department or supplier");
}

}  // namespace postura::collector
