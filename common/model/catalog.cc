#include "common/model/catalog.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura {

// Generated at build time from common/model/catalog/uleo-v1.yaml (builtin_catalog_data.cc.in).
extern const char kBuiltinCatalogYaml[];

namespace {

std::optional<int> Lookup(const absl::flat_hash_map<std::string, int>& index,
                          absl::string_view key) {
  auto it = index.find(key);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

}  // namespace

absl::StatusOr<Catalog> Catalog::FromFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read catalog file ", path));
  std::ostringstream text;
  text << file.rdbuf();
  return FromYaml(text.str(), path);
}

const Catalog& Catalog::Builtin() {
  static const Catalog* const builtin = [] {
    absl::StatusOr<Catalog> catalog = FromYaml(kBuiltinCatalogYaml, "builtin uleo-v1.yaml");
    // The built-in catalog is checked by the tests; failing here is a build defect.
    CHECK(catalog.ok()) << catalog.status();
    return new Catalog(*std::move(catalog));
  }();
  return *builtin;
}

std::optional<int> Catalog::FindOutcome(absl::string_view id) const {
  return Lookup(outcome_index_, id);
}
std::optional<int> Catalog::FindCategory(absl::string_view id) const {
  return Lookup(category_index_, id);
}
std::optional<int> Catalog::FindFunction(absl::string_view id) const {
  return Lookup(function_index_, id);
}
std::optional<int> Catalog::FindCategoryByFlecoName(absl::string_view fleco_name) const {
  return Lookup(category_fleco_index_, fleco_name);
}
std::optional<int> Catalog::FindFunctionByFlecoName(absl::string_view fleco_name) const {
  return Lookup(function_fleco_index_, fleco_name);
}

}  // namespace postura
