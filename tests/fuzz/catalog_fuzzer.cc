// Fuzzes the catalog parser: an input is catalog YAML (docs/catalog.md). A catalog that
// parses must be internally consistent: every id finds its own item, and the indices that
// link outcomes, categories and functions point both ways.

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/catalog.h"
#include "common/model/implementation_group.h"

namespace postura {
namespace {

bool InRange(int index, std::size_t size) {
  return index >= 0 && static_cast<std::size_t>(index) < size;
}

void CheckOutcomes(const Catalog& catalog) {
  const auto& outcomes = catalog.outcomes();
  for (std::size_t o = 0; o < outcomes.size(); ++o) {
    const CatalogOutcome& outcome = outcomes[o];
    if (catalog.FindOutcome(outcome.id) != static_cast<int>(o)) __builtin_trap();
    if (!InRange(outcome.category, catalog.categories().size())) __builtin_trap();
    if (!InRange(outcome.functional_area, catalog.functional_areas().size())) __builtin_trap();
    if (outcome.function != catalog.categories()[outcome.category].function) __builtin_trap();
    if (outcome.min_ig < 1 || outcome.min_ig > kImplementationGroupCount) __builtin_trap();
  }
}

void CheckCategories(const Catalog& catalog) {
  const auto& categories = catalog.categories();
  std::size_t listed_outcomes = 0;
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const CatalogCategory& category = categories[c];
    if (catalog.FindCategory(category.id) != static_cast<int>(c)) __builtin_trap();
    if (catalog.FindCategoryByFlecoName(category.fleco_name) != static_cast<int>(c)) {
      __builtin_trap();
    }
    if (!InRange(category.function, catalog.functions().size())) __builtin_trap();
    listed_outcomes += category.outcomes.size();
    for (int o : category.outcomes) {
      if (!InRange(o, catalog.outcomes().size())) __builtin_trap();
      if (catalog.outcomes()[o].category != static_cast<int>(c)) __builtin_trap();
    }
  }
  // As many entries as outcomes, each listed by its own category (checked above).
  if (listed_outcomes != catalog.outcomes().size()) __builtin_trap();
}

void CheckFunctions(const Catalog& catalog) {
  const auto& functions = catalog.functions();
  std::size_t listed_categories = 0;
  for (std::size_t f = 0; f < functions.size(); ++f) {
    const CatalogFunction& function = functions[f];
    if (catalog.FindFunction(function.id) != static_cast<int>(f)) __builtin_trap();
    if (catalog.FindFunctionByFlecoName(function.fleco_name) != static_cast<int>(f)) {
      __builtin_trap();
    }
    listed_categories += function.categories.size();
    for (int c : function.categories) {
      if (!InRange(c, catalog.categories().size())) __builtin_trap();
      if (catalog.categories()[c].function != static_cast<int>(f)) __builtin_trap();
    }
  }
  if (listed_categories != catalog.categories().size()) __builtin_trap();
}

void FuzzCatalog(absl::string_view text) {
  absl::StatusOr<Catalog> catalog = Catalog::FromYaml(text, "fuzz");
  if (!catalog.ok()) return;
  CheckOutcomes(*catalog);
  CheckCategories(*catalog);
  CheckFunctions(*catalog);
}

}  // namespace
}  // namespace postura

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::FuzzCatalog(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
