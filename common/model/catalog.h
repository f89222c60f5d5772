#ifndef POSTURA_COMMON_MODEL_CATALOG_H_
#define POSTURA_COMMON_MODEL_CATALOG_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/fraction.h"
#include "common/model/implementation_group.h"
#include "common/model/scoring_model.h"

namespace postura {

// One weight per implementation group, IG1 first. Zero means "does not apply".
using GroupWeights = std::array<Fraction, kImplementationGroupCount>;

// Who does the work of an outcome (FA1..FA12 in ULEO v1).
struct FunctionalArea {
  std::string id;
  std::string name;
};

struct CatalogFunction {
  std::string id;          // "PR"
  std::string name;        // "Protect"
  std::string fleco_name;  // "PROTECT", as FLECO case files name it
  GroupWeights weights;
  std::vector<int> categories;  // Indices into Catalog::categories(), catalog order.
};

struct CatalogCategory {
  std::string id;          // "PR.AC"
  std::string name;        // "Identity management, authentication and access control"
  std::string fleco_name;  // "PR_AC"
  int function = 0;        // Index into Catalog::functions().
  GroupWeights weights;
  std::vector<int> outcomes;  // Indices into Catalog::outcomes(), catalog order.
};

struct CatalogOutcome {
  std::string id;    // "PR_AC_CSC_5_2": the stable key and FLECO gene name.
  std::string code;  // "CSC-5.2": not unique across categories, never a key.
  std::string title;
  std::string source;       // "CIS Controls v8", ...
  int category = 0;         // Index into Catalog::categories().
  int function = 0;         // Index into Catalog::functions() (the category's function).
  int functional_area = 0;  // Index into Catalog::functional_areas(): the leading area.
  int min_ig = 1;           // Applies to IG k exactly when min_ig <= k.
  GroupWeights weights;
};

// A validated catalog of expected outcomes (the ULEO), with the levels above them and one
// ScoringModel per implementation group. Immutable once built; safe to share between
// threads. Items are addressed by dense indices in catalog (file) order.
class Catalog {
 public:
  // Parses and validates a catalog in Postura's YAML catalog format (docs/catalog.md).
  // `source_name` names the file in error messages. InvalidArgument naming the line, the
  // item and the broken rule for any defect: malformed YAML, missing or unknown key,
  // duplicate id, unknown reference, bad weight, min_ig inconsistent with the weights, or
  // a weight set that does not sum to exactly 1 for some implementation group.
  static absl::StatusOr<Catalog> FromYaml(absl::string_view yaml, absl::string_view source_name);

  // Reads and parses a catalog file. NotFound if it cannot be read.
  static absl::StatusOr<Catalog> FromFile(const std::string& path);

  // The ULEO v1 catalog built into the binaries (common/model/catalog/uleo-v1.yaml). Parsed once
  // on first use and never destroyed.
  static const Catalog& Builtin();

  const std::string& name() const { return name_; }
  int version() const { return version_; }
  const std::vector<FunctionalArea>& functional_areas() const { return functional_areas_; }
  const std::vector<CatalogFunction>& functions() const { return functions_; }
  const std::vector<CatalogCategory>& categories() const { return categories_; }
  const std::vector<CatalogOutcome>& outcomes() const { return outcomes_; }

  // The weights and applicable items for one implementation group.
  const ScoringModel& model(ImplementationGroup group) const { return models_[IndexOf(group)]; }

  // Lookups by id ("PR_AC_CSC_5_2", "PR.AC", "PR") and by FLECO name ("PR_AC", "PROTECT").
  // nullopt when there is no such item.
  std::optional<int> FindOutcome(absl::string_view id) const;
  std::optional<int> FindCategory(absl::string_view id) const;
  std::optional<int> FindFunction(absl::string_view id) const;
  std::optional<int> FindCategoryByFlecoName(absl::string_view fleco_name) const;
  std::optional<int> FindFunctionByFlecoName(absl::string_view fleco_name) const;

 private:
  friend class CatalogParser;
  Catalog() = default;

  std::string name_;
  int version_ = 0;
  std::vector<FunctionalArea> functional_areas_;
  std::vector<CatalogFunction> functions_;
  std::vector<CatalogCategory> categories_;
  std::vector<CatalogOutcome> outcomes_;
  std::vector<ScoringModel> models_;  // One per implementation group.

  using Index = absl::flat_hash_map<std::string, int>;
  Index outcome_index_, category_index_, function_index_;
  Index category_fleco_index_, function_fleco_index_;
};

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_CATALOG_H_
