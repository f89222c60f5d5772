// Parsing and validation of the YAML catalog format (docs/catalog.md).
//
// yaml-cpp reports errors by throwing; this file is the edge where that becomes Status.
// Every message names the source, the line, the item and the rule that failed.

#include <algorithm>
#include <initializer_list>
#include <numeric>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/model/catalog.h"
#include "yaml-cpp/yaml.h"

namespace postura {
namespace {

const Fraction kOne = Fraction::Of(1, 1);

// Where an item sits in the catalog file, for error messages.
struct Location {
  std::string source;
  int line = 0;  // 1-based.
  std::string item;

  absl::Status Error(absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(source, ":", line, ": ", item, ": ", problem));
  }
};

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

// The line of `key` itself in the mapping `map` (its value may start lines later).
int KeyLine(const YAML::Node& map, absl::string_view key) {
  for (const auto& entry : map) {
    if (entry.first.Scalar() == key) return LineOf(entry.first);
  }
  return LineOf(map);
}

// Requires `row` to be a mapping with exactly the keys in `keys`.
absl::Status CheckKeys(const YAML::Node& row, std::initializer_list<absl::string_view> keys,
                       const Location& at) {
  if (!row.IsMap()) return at.Error("expected a mapping of keys to values");
  for (const auto& entry : row) {
    const std::string key = entry.first.Scalar();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return at.Error(
          absl::StrCat("unknown key '", key, "' (expected ", absl::StrJoin(keys, ", "), ")"));
    }
  }
  for (absl::string_view key : keys) {
    if (!row[std::string(key)]) return at.Error(absl::StrCat("missing key '", key, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadString(const YAML::Node& row, const char* key, const Location& at) {
  const YAML::Node value = row[key];
  if (!value.IsScalar() || value.Scalar().empty()) {
    return at.Error(absl::StrCat("'", key, "' must be a non-empty string"));
  }
  return value.Scalar();
}

absl::StatusOr<int> ReadInt(const YAML::Node& row, const char* key, const Location& at) {
  const YAML::Node value = row[key];
  int number = 0;
  if (!value.IsScalar() || !absl::SimpleAtoi(value.Scalar(), &number)) {
    return at.Error(absl::StrCat("'", key, "' must be an integer"));
  }
  return number;
}

absl::StatusOr<GroupWeights> ReadWeights(const YAML::Node& row, const Location& at) {
  const YAML::Node list = row["weights"];
  if (!list.IsSequence() || list.size() != kImplementationGroupCount) {
    return at.Error("'weights' must list exactly 3 fractions, for IG1, IG2 and IG3");
  }
  GroupWeights weights;
  for (int g = 0; g < kImplementationGroupCount; ++g) {
    absl::StatusOr<Fraction> weight = list[g].IsScalar()
                                          ? Fraction::Parse(list[g].Scalar())
                                          : absl::InvalidArgumentError("a weight must be a scalar");
    if (!weight.ok())
      return at.Error(absl::StrCat("weight for IG", g + 1, ": ", weight.status().message()));
    if (weight->numerator() > weight->denominator()) {
      return at.Error(
          absl::StrCat("weight for IG", g + 1, " is ", weight->ToString(), ", above 1"));
    }
    weights[g] = *weight;
  }
  return weights;
}

// Adds `id` to `index` at `position`; InvalidArgument if it is already there.
absl::Status AddUnique(absl::flat_hash_map<std::string, int>& index, const std::string& id,
                       int position, const Location& at) {
  if (!index.emplace(id, position).second) return at.Error("duplicate id");
  return absl::OkStatus();
}

}  // namespace

// Builds a Catalog from a YAML document. A friend of Catalog.
class CatalogParser {
 public:
  explicit CatalogParser(absl::string_view source) : source_(source) {}

  absl::StatusOr<Catalog> Parse(absl::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ":", e.mark.line + 1, ": malformed YAML: ", e.msg));
    }
    Location top{source_, 1, "catalog"};
    if (absl::Status s = CheckKeys(
            root, {"catalog", "version", "functional_areas", "functions", "categories", "outcomes"},
            top);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> name = ReadString(root, "catalog", top);
    if (!name.ok()) return name.status();
    absl::StatusOr<int> version = ReadInt(root, "version", top);
    if (!version.ok()) return version.status();
    catalog_.name_ = *name;
    catalog_.version_ = *version;

    for (auto [key, reader] : {std::pair{"functional_areas", &CatalogParser::ReadArea},
                               std::pair{"functions", &CatalogParser::ReadFunction},
                               std::pair{"categories", &CatalogParser::ReadCategory},
                               std::pair{"outcomes", &CatalogParser::ReadOutcome}}) {
      if (absl::Status s = ReadSection(root[key], key, reader); !s.ok()) return s;
    }
    if (absl::Status s = CheckApplicability(); !s.ok()) return s;
    if (absl::Status s = CheckWeightSums(root); !s.ok()) return s;
    for (ImplementationGroup group : kAllImplementationGroups) {
      absl::StatusOr<ScoringModel> model = ScoringModel::Build(catalog_, group);
      if (!model.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            source_, ": ", ImplementationGroupName(group), ": ", model.status().message()));
      }
      catalog_.models_.push_back(*std::move(model));
    }
    return std::move(catalog_);
  }

 private:
  using RowReader = absl::Status (CatalogParser::*)(const YAML::Node&, const Location&);

  Location At(const YAML::Node& node, std::string item) const {
    return Location{source_, LineOf(node), std::move(item)};
  }

  absl::Status ReadSection(const YAML::Node& rows, absl::string_view key, RowReader reader) {
    if (!rows.IsSequence() || rows.size() == 0) {
      return At(rows, std::string(key)).Error("must be a non-empty list of mappings");
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const YAML::Node row = rows[i];
      std::string item = absl::StrCat(key, "[", i, "]");
      if (row.IsMap() && row["id"] && row["id"].IsScalar()) item = row["id"].Scalar();
      if (absl::Status s = (this->*reader)(row, At(row, std::move(item))); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status ReadArea(const YAML::Node& row, const Location& at) {
    if (absl::Status s = CheckKeys(row, {"id", "name"}, at); !s.ok()) return s;
    FunctionalArea area;
    absl::StatusOr<std::string> id = ReadString(row, "id", at);
    absl::StatusOr<std::string> name = ReadString(row, "name", at);
    for (const auto* field : {&id, &name}) {
      if (!field->ok()) return field->status();
    }
    area = {*id, *name};
    if (absl::Status s = AddUnique(area_index_, area.id,
                                   static_cast<int>(catalog_.functional_areas_.size()), at);
        !s.ok()) {
      return s;
    }
    catalog_.functional_areas_.push_back(std::move(area));
    return absl::OkStatus();
  }

  absl::Status ReadFunction(const YAML::Node& row, const Location& at) {
    if (absl::Status s = CheckKeys(row, {"id", "name", "fleco_name", "weights"}, at); !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> id = ReadString(row, "id", at);
    absl::StatusOr<std::string> name = ReadString(row, "name", at);
    absl::StatusOr<std::string> fleco = ReadString(row, "fleco_name", at);
    for (const auto* field : {&id, &name, &fleco}) {
      if (!field->ok()) return field->status();
    }
    absl::StatusOr<GroupWeights> weights = ReadWeights(row, at);
    if (!weights.ok()) return weights.status();
    const int position = static_cast<int>(catalog_.functions_.size());
    if (absl::Status s = AddUnique(catalog_.function_index_, *id, position, at); !s.ok()) return s;
    if (absl::Status s = AddUnique(catalog_.function_fleco_index_, *fleco, position, at); !s.ok()) {
      return at.Error(absl::StrCat("duplicate fleco_name ", *fleco));
    }
    catalog_.functions_.push_back({*id, *name, *fleco, *weights, {}});
    function_lines_.push_back(at.line);
    return absl::OkStatus();
  }

  absl::Status ReadCategory(const YAML::Node& row, const Location& at) {
    if (absl::Status s = CheckKeys(row, {"id", "function", "fleco_name", "name", "weights"}, at);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::string> id = ReadString(row, "id", at);
    absl::StatusOr<std::string> function = ReadString(row, "function", at);
    absl::StatusOr<std::string> fleco = ReadString(row, "fleco_name", at);
    absl::StatusOr<std::string> name = ReadString(row, "name", at);
    for (const auto* field : {&id, &function, &fleco, &name}) {
      if (!field->ok()) return field->status();
    }
    absl::StatusOr<GroupWeights> weights = ReadWeights(row, at);
    if (!weights.ok()) return weights.status();
    std::optional<int> f = catalog_.FindFunction(*function);
    if (!f) return at.Error(absl::StrCat("unknown function '", *function, "'"));
    const int position = static_cast<int>(catalog_.categories_.size());
    if (absl::Status s = AddUnique(catalog_.category_index_, *id, position, at); !s.ok()) return s;
    if (absl::Status s = AddUnique(catalog_.category_fleco_index_, *fleco, position, at); !s.ok()) {
      return at.Error(absl::StrCat("duplicate fleco_name ", *fleco));
    }
    catalog_.categories_.push_back({*id, *name, *fleco, *f, *weights, {}});
    catalog_.functions_[*f].categories.push_back(position);
    category_lines_.push_back(at.line);
    return absl::OkStatus();
  }

  absl::Status ReadOutcome(const YAML::Node& row, const Location& at) {
    if (absl::Status s = CheckKeys(
            row, {"id", "code", "category", "min_ig", "weights", "area", "source", "title"}, at);
        !s.ok()) {
      return s;
    }
    CatalogOutcome outcome;
    absl::StatusOr<std::string> id = ReadString(row, "id", at);
    absl::StatusOr<std::string> code = ReadString(row, "code", at);
    absl::StatusOr<std::string> category = ReadString(row, "category", at);
    absl::StatusOr<std::string> area = ReadString(row, "area", at);
    absl::StatusOr<std::string> source = ReadString(row, "source", at);
    absl::StatusOr<std::string> title = ReadString(row, "title", at);
    for (const auto* field : {&id, &code, &category, &area, &source, &title}) {
      if (!field->ok()) return field->status();
    }
    absl::StatusOr<int> min_ig = ReadInt(row, "min_ig", at);
    if (!min_ig.ok()) return min_ig.status();
    if (*min_ig < 1 || *min_ig > kImplementationGroupCount) {
      return at.Error(absl::StrCat("min_ig is ", *min_ig, ", expected 1, 2 or 3"));
    }
    absl::StatusOr<GroupWeights> weights = ReadWeights(row, at);
    if (!weights.ok()) return weights.status();
    std::optional<int> c = catalog_.FindCategory(*category);
    if (!c) return at.Error(absl::StrCat("unknown category '", *category, "'"));
    auto a = area_index_.find(*area);
    if (a == area_index_.end())
      return at.Error(absl::StrCat("unknown functional area '", *area, "'"));
    const int position = static_cast<int>(catalog_.outcomes_.size());
    if (absl::Status s = AddUnique(catalog_.outcome_index_, *id, position, at); !s.ok()) return s;
    catalog_.outcomes_.push_back({*id, *code, *title, *source, *c,
                                  catalog_.categories_[*c].function, a->second, *min_ig, *weights});
    catalog_.categories_[*c].outcomes.push_back(position);
    outcome_lines_.push_back(at.line);
    return absl::OkStatus();
  }

  // An outcome applies to IG k exactly when min_ig <= k, and an item can only apply where
  // the item above it applies.
  absl::Status CheckApplicability() const {
    for (std::size_t o = 0; o < catalog_.outcomes_.size(); ++o) {
      const CatalogOutcome& outcome = catalog_.outcomes_[o];
      const CatalogCategory& category = catalog_.categories_[outcome.category];
      Location at{source_, outcome_lines_[o], absl::StrCat("outcome ", outcome.id)};
      for (int g = 0; g < kImplementationGroupCount; ++g) {
        const bool applies = !outcome.weights[g].is_zero();
        if (applies != (outcome.min_ig <= g + 1)) {
          return at.Error(absl::StrCat(
              "weight for IG", g + 1, " is ", outcome.weights[g].ToString(), " but min_ig ",
              outcome.min_ig, " says it ", applies ? "does not apply" : "applies"));
        }
        if (applies && category.weights[g].is_zero()) {
          return at.Error(absl::StrCat("applies to IG", g + 1, " but its category ", category.id,
                                       " has weight 0 there"));
        }
      }
    }
    for (std::size_t c = 0; c < catalog_.categories_.size(); ++c) {
      const CatalogCategory& category = catalog_.categories_[c];
      const CatalogFunction& function = catalog_.functions_[category.function];
      for (int g = 0; g < kImplementationGroupCount; ++g) {
        if (!category.weights[g].is_zero() && function.weights[g].is_zero()) {
          return Location{source_, category_lines_[c], absl::StrCat("category ", category.id)}
              .Error(absl::StrCat("applies to IG", g + 1, " but its function ", function.id,
                                  " has weight 0 there"));
        }
      }
    }
    return absl::OkStatus();
  }

  // Per implementation group: function weights sum to 1; the categories of every applicable
  // function sum to 1; the outcomes of every applicable category sum to 1.
  absl::Status CheckWeightSums(const YAML::Node& root) const {
    for (int g = 0; g < kImplementationGroupCount; ++g) {
      std::vector<int> all_functions(catalog_.functions_.size());
      std::iota(all_functions.begin(), all_functions.end(), 0);
      Location at{source_, KeyLine(root, "functions"), "functions"};
      if (absl::Status s = CheckSum(catalog_.functions_, all_functions, g, "all functions", at);
          !s.ok())
        return s;
      for (std::size_t f = 0; f < catalog_.functions_.size(); ++f) {
        const CatalogFunction& function = catalog_.functions_[f];
        if (function.weights[g].is_zero()) continue;
        Location at{source_, function_lines_[f], absl::StrCat("function ", function.id)};
        if (absl::Status s =
                CheckSum(catalog_.categories_, function.categories, g, "its categories", at);
            !s.ok()) {
          return s;
        }
      }
      for (std::size_t c = 0; c < catalog_.categories_.size(); ++c) {
        const CatalogCategory& category = catalog_.categories_[c];
        if (category.weights[g].is_zero()) continue;
        Location at{source_, category_lines_[c], absl::StrCat("category ", category.id)};
        if (absl::Status s = CheckSum(catalog_.outcomes_, category.outcomes, g, "its outcomes", at);
            !s.ok()) {
          return s;
        }
      }
    }
    return absl::OkStatus();
  }

  // Requires the IG `g` weights of items[members] to sum to exactly 1.
  template <typename Item>
  static absl::Status CheckSum(const std::vector<Item>& items, const std::vector<int>& members,
                               int g, absl::string_view what, const Location& at) {
    Fraction sum;
    for (int member : members) {
      absl::StatusOr<Fraction> next = Fraction::Add(sum, items[member].weights[g]);
      if (!next.ok()) return at.Error(next.status().message());
      sum = *next;
    }
    if (sum == kOne) return absl::OkStatus();
    return at.Error(absl::StrCat("IG", g + 1, " weights of ", what, " sum to ", sum.ToString(),
                                 "; they must sum to exactly 1"));
  }

  std::string source_;
  Catalog catalog_;
  absl::flat_hash_map<std::string, int> area_index_;
  std::vector<int> function_lines_, category_lines_, outcome_lines_;
};

absl::StatusOr<Catalog> Catalog::FromYaml(absl::string_view yaml, absl::string_view source_name) {
  return CatalogParser(source_name).Parse(yaml);
}

}  // namespace postura
