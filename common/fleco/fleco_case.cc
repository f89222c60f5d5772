#include "common/fleco/fleco_case.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace postura {
namespace {

using Json = nlohmann::json;

// A case has at most a few hundred small entries; anything this large is not a case.
constexpr std::size_t kMaxCaseBytes = 4 << 20;

absl::Status FieldError(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

// The member `key` of `object`, or InvalidArgument if it is missing or of the wrong type.
absl::StatusOr<const Json*> Member(const Json& object, const std::string& key, Json::value_t type,
                                   absl::string_view path) {
  auto it = object.find(key);
  if (it == object.end()) return FieldError(path, "required field missing");
  const bool number_wanted = type == Json::value_t::number_float;
  if (number_wanted ? !it->is_number() : it->type() != type) {
    return FieldError(path,
                      absl::StrCat("expected ", Json(type).type_name(), ", got ", it->type_name()));
  }
  return &*it;
}

std::string Indexed(absl::string_view array, std::size_t i) {
  return absl::StrCat(array, "[", i, "]");
}

// Requires every member of `object` to be one of `allowed`.
absl::Status CheckNoOtherFields(const Json& object, std::initializer_list<const char*> allowed,
                                absl::string_view path) {
  for (const auto& item : object.items()) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const std::string& key = item.key();
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) ==
        allowed.end()) {
      return FieldError(path, absl::StrCat("unexpected field '", key,
                                           "' (allowed: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

// Parses one {"gene", "allele"} entry into (outcome position, level).
absl::Status ParseGeneEntry(const Catalog& catalog, ImplementationGroup group, const Json& entry,
                            absl::string_view path, int& outcome, Level& level) {
  if (!entry.is_object())
    return FieldError(path, absl::StrCat("expected object, got ", entry.type_name()));
  if (absl::Status s = CheckNoOtherFields(entry, {"gene", "allele"}, path); !s.ok()) return s;
  const std::string gene_path = absl::StrCat(path, ".gene");
  absl::StatusOr<const Json*> gene = Member(entry, "gene", Json::value_t::string, gene_path);
  if (!gene.ok()) return gene.status();
  const std::string& gene_name = (*gene)->get_ref<const std::string&>();
  std::optional<int> o = catalog.FindOutcome(gene_name);
  if (!o) return FieldError(gene_path, absl::StrCat("unknown gene '", gene_name, "'"));
  if (!catalog.model(group).OutcomeApplies(*o)) {
    return FieldError(gene_path, absl::StrCat("gene ", gene_name, " does not apply to ",
                                              ImplementationGroupName(group)));
  }
  const std::string allele_path = absl::StrCat(path, ".allele");
  absl::StatusOr<const Json*> allele = Member(entry, "allele", Json::value_t::string, allele_path);
  if (!allele.ok()) return allele.status();
  const std::string& allele_name = (*allele)->get_ref<const std::string&>();
  std::optional<Level> parsed = ParseLevelName(allele_name);
  if (!parsed) {
    return FieldError(allele_path, absl::StrCat("unknown allele '", allele_name,
                                                "' (expected DLI_0, DLI_33, DLI_67 or DLI_100)"));
  }
  outcome = *o;
  level = *parsed;
  return absl::OkStatus();
}

// Parses a status array, which must list every gene applicable to `group` exactly once.
absl::StatusOr<std::vector<Level>> ParseStatus(const Catalog& catalog, ImplementationGroup group,
                                               const Json& array, absl::string_view name) {
  const ScoringModel& model = catalog.model(group);
  std::vector<Level> levels(model.outcome_count(), Level::kDli0);
  std::vector<int> first_entry(model.outcome_count(), -1);
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string path = Indexed(name, i);
    int outcome = 0;
    Level level = Level::kDli0;
    if (absl::Status s = ParseGeneEntry(catalog, group, array[i], path, outcome, level); !s.ok()) {
      return s;
    }
    if (first_entry[outcome] >= 0) {
      return FieldError(absl::StrCat(path, ".gene"),
                        absl::StrCat("duplicate gene ", catalog.outcomes()[outcome].id,
                                     " (first at ", Indexed(name, first_entry[outcome]), ")"));
    }
    first_entry[outcome] = static_cast<int>(i);
    levels[outcome] = level;
  }
  const std::size_t expected = model.applicable_outcomes().size();
  if (array.size() != expected) {
    // Every entry is a distinct applicable gene, so some gene is missing.
    for (int o : model.applicable_outcomes()) {
      if (first_entry[o] < 0) {
        return FieldError(
            name, absl::StrCat("has ", array.size(), " genes but ", ImplementationGroupName(group),
                               " needs all ", expected, "; missing ", catalog.outcomes()[o].id));
      }
    }
  }
  return levels;
}

// Finds the one scope key of a strategic constraint and resolves it.
absl::StatusOr<TargetScope> ParseScope(const Catalog& catalog, const Json& item,
                                       absl::string_view path) {
  static constexpr const char* kScopeKeys[] = {"gene", "category", "function", "asset"};
  const char* found = nullptr;
  for (const char* key : kScopeKeys) {
    if (!item.contains(key)) continue;
    if (found != nullptr) {
      return FieldError(path, absl::StrCat("has both '", found, "' and '", key,
                                           "'; a constraint has exactly one scope"));
    }
    found = key;
  }
  if (found == nullptr) {
    return FieldError(path, "has none of 'gene', 'category', 'function', 'asset'");
  }
  const std::string key_path = absl::StrCat(path, ".", found);
  absl::StatusOr<const Json*> value = Member(item, found, Json::value_t::string, key_path);
  if (!value.ok()) return value.status();
  const std::string& name = (*value)->get_ref<const std::string&>();
  const std::string key(found);
  std::optional<int> index;
  TargetScope scope;
  if (key == "gene") {
    scope.kind = ScopeKind::kOutcome;
    index = catalog.FindOutcome(name);
  } else if (key == "category") {
    scope.kind = ScopeKind::kCategory;
    index = catalog.FindCategoryByFlecoName(name);
  } else if (key == "function") {
    scope.kind = ScopeKind::kFunction;
    index = catalog.FindFunctionByFlecoName(name);
  } else {
    scope.kind = ScopeKind::kAsset;
    index = name == "ASSET" ? std::optional<int>(0) : std::nullopt;
  }
  if (!index) return FieldError(key_path, absl::StrCat("unknown ", key, " '", name, "'"));
  scope.index = *index;
  return scope;
}

absl::StatusOr<Target> ParseConstraint(const Catalog& catalog, ImplementationGroup group,
                                       const Json& item, absl::string_view path) {
  if (!item.is_object())
    return FieldError(path, absl::StrCat("expected object, got ", item.type_name()));
  if (absl::Status s = CheckNoOtherFields(
          item, {"gene", "category", "function", "asset", "operator", "value"}, path);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<TargetScope> scope = ParseScope(catalog, item, path);
  if (!scope.ok()) return scope.status();
  const std::string op_path = absl::StrCat(path, ".operator");
  absl::StatusOr<const Json*> op = Member(item, "operator", Json::value_t::string, op_path);
  if (!op.ok()) return op.status();
  const std::string& op_name = (*op)->get_ref<const std::string&>();
  std::optional<TargetOperator> parsed_op = ParseTargetOperator(op_name);
  if (!parsed_op) {
    return FieldError(op_path, absl::StrCat("unknown operator '", op_name,
                                            "' (expected LESS, LESS_OR_EQUAL, EQUAL, GREATER "
                                            "or GREATER_OR_EQUAL)"));
  }
  const std::string value_path = absl::StrCat(path, ".value");
  absl::StatusOr<const Json*> value =
      Member(item, "value", Json::value_t::number_float, value_path);
  if (!value.ok()) return value.status();
  Target target{*scope, *parsed_op, (*value)->get<double>()};
  if (!(target.threshold >= 0 && target.threshold <= 1)) {
    return FieldError(value_path, absl::StrCat((*value)->dump(), " is outside [0, 1]"));
  }
  if (absl::Status s = ValidateTarget(catalog, group, target); !s.ok()) {
    return FieldError(path, s.message());
  }
  return target;
}

absl::StatusOr<std::vector<Target>> ParseConstraints(const Catalog& catalog,
                                                     ImplementationGroup group, const Json& array) {
  std::vector<Target> targets;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string path = Indexed("strategicConstraints", i);
    absl::StatusOr<Target> target = ParseConstraint(catalog, group, array[i], path);
    if (!target.ok()) return target.status();
    for (std::size_t j = 0; j < targets.size(); ++j) {
      if (targets[j].scope == target->scope) {
        return FieldError(
            path, absl::StrCat("a second constraint on ", ScopeKindName(target->scope.kind), " ",
                               ScopeId(catalog, target->scope), " (first at ",
                               Indexed("strategicConstraints", j), ")"));
      }
    }
    targets.push_back(*target);
  }
  return targets;
}

absl::StatusOr<Json> ParseJson(absl::string_view text) {
  if (text.size() > kMaxCaseBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("case is ", text.size(), " bytes; a FLECO case is at most ", kMaxCaseBytes));
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    // e.what() starts with "[json.exception.parse_error.101] "; keep what follows.
    absl::string_view what = e.what();
    if (std::size_t end = what.find("] "); end != absl::string_view::npos)
      what.remove_prefix(end + 2);
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", what));
  }
}

}  // namespace

absl::StatusOr<FlecoCase> ParseFlecoCase(const Catalog& catalog, absl::string_view json_text) {
  absl::StatusOr<Json> root = ParseJson(json_text);
  if (!root.ok()) return root.status();
  if (!root->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a case must be a JSON object, got ", root->type_name()));
  }
  using T = Json::value_t;
  absl::StatusOr<const Json*> ig = Member(*root, "caseIG", T::string, "caseIG");
  absl::StatusOr<const Json*> has_target =
      Member(*root, "hasTargetStatus", T::boolean, "hasTargetStatus");
  absl::StatusOr<const Json*> initial = Member(*root, "initialStatus", T::array, "initialStatus");
  absl::StatusOr<const Json*> constraints =
      Member(*root, "strategicConstraints", T::array, "strategicConstraints");
  absl::StatusOr<const Json*> target = Member(*root, "targetStatus", T::array, "targetStatus");
  for (const auto* field : {&ig, &has_target, &initial, &constraints, &target}) {
    if (!field->ok()) return field->status();
  }

  FlecoCase result;
  const std::string& ig_name = (*ig)->get_ref<const std::string&>();
  std::optional<ImplementationGroup> group = ParseImplementationGroup(ig_name);
  if (!group) {
    return FieldError("caseIG", absl::StrCat("unknown implementation group '", ig_name,
                                             "' (expected IG1, IG2 or IG3)"));
  }
  result.group = *group;
  absl::StatusOr<std::vector<Level>> levels =
      ParseStatus(catalog, result.group, **initial, "initialStatus");
  if (!levels.ok()) return levels.status();
  result.initial_status = *std::move(levels);
  absl::StatusOr<std::vector<Target>> targets =
      ParseConstraints(catalog, result.group, **constraints);
  if (!targets.ok()) return targets.status();
  result.targets = *std::move(targets);

  if (!(*has_target)->get<bool>()) {
    if (!(*target)->empty()) {
      return FieldError("targetStatus", absl::StrCat("has ", (*target)->size(),
                                                     " entries but hasTargetStatus is false; it "
                                                     "must be empty"));
    }
    return result;
  }
  absl::StatusOr<std::vector<Level>> target_levels =
      ParseStatus(catalog, result.group, **target, "targetStatus");
  if (!target_levels.ok()) return target_levels.status();
  result.target_status = *std::move(target_levels);
  return result;
}

absl::StatusOr<FlecoCase> ReadFlecoCaseFile(const Catalog& catalog, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read case file ", path));
  std::ostringstream text;
  text << file.rdbuf();
  absl::StatusOr<FlecoCase> parsed = ParseFlecoCase(catalog, text.str());
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

namespace {

nlohmann::ordered_json StatusJson(const Catalog& catalog, ImplementationGroup group,
                                  const std::vector<Level>& levels) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (int o : catalog.model(group).applicable_outcomes()) {
    array.push_back(
        {{"gene", catalog.outcomes()[o].id}, {"allele", std::string(LevelName(levels[o]))}});
  }
  return array;
}

nlohmann::ordered_json ConstraintJson(const Catalog& catalog, const Target& target) {
  nlohmann::ordered_json item;
  switch (target.scope.kind) {
    case ScopeKind::kOutcome:
      item["gene"] = catalog.outcomes()[target.scope.index].id;
      break;
    case ScopeKind::kCategory:
      item["category"] = catalog.categories()[target.scope.index].fleco_name;
      break;
    case ScopeKind::kFunction:
      item["function"] = catalog.functions()[target.scope.index].fleco_name;
      break;
    case ScopeKind::kAsset:
      item["asset"] = "ASSET";
      break;
  }
  item["operator"] = std::string(TargetOperatorName(target.op));
  item["value"] = target.threshold;
  return item;
}

}  // namespace

std::string WriteFlecoCase(const Catalog& catalog, const FlecoCase& fleco_case) {
  nlohmann::ordered_json root;
  root["caseIG"] = std::string(ImplementationGroupName(fleco_case.group));
  root["hasTargetStatus"] = fleco_case.target_status.has_value();
  root["initialStatus"] = StatusJson(catalog, fleco_case.group, fleco_case.initial_status);
  root["strategicConstraints"] = nlohmann::ordered_json::array();
  for (const Target& target : fleco_case.targets) {
    root["strategicConstraints"].push_back(ConstraintJson(catalog, target));
  }
  root["targetStatus"] = fleco_case.target_status
                             ? StatusJson(catalog, fleco_case.group, *fleco_case.target_status)
                             : nlohmann::ordered_json::array();
  return root.dump(2) + "\n";
}

}  // namespace postura
