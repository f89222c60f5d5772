#include "cli/target_expression.h"

#include <cmath>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/transport/target_proto.h"

namespace postura::cli {
namespace {

constexpr absl::string_view kOperatorChars = "<>=!";
constexpr absl::string_view kHowTo =
    "write SCOPE OP VALUE, such as 'PR>=0.8' (OP: >=, <=, >, <, =; VALUE: a number in [0, 1]; "
    "quote it for the shell)";

bool IsSeparator(char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == ','; }

std::size_t SkipSeparators(absl::string_view text, std::size_t pos) {
  while (pos < text.size() && IsSeparator(text[pos])) ++pos;
  return pos;
}

std::size_t NextSeparator(absl::string_view text, std::size_t pos) {
  while (pos < text.size() && !IsSeparator(text[pos])) ++pos;
  return pos;
}

std::optional<TargetOperator> OperatorFromSymbol(absl::string_view symbol) {
  if (symbol == ">=") return TargetOperator::kGreaterOrEqual;
  if (symbol == "<=") return TargetOperator::kLessOrEqual;
  if (symbol == ">") return TargetOperator::kGreater;
  if (symbol == "<") return TargetOperator::kLess;
  if (symbol == "=") return TargetOperator::kEqual;
  return std::nullopt;
}

std::optional<TargetScope> FindScope(const Catalog& catalog, absl::string_view id) {
  if (absl::EqualsIgnoreCase(id, "asset")) return TargetScope{ScopeKind::kAsset, 0};
  for (const std::string& candidate : {std::string(id), absl::AsciiStrToUpper(id)}) {
    if (std::optional<int> f = catalog.FindFunction(candidate)) {
      return TargetScope{ScopeKind::kFunction, *f};
    }
    if (std::optional<int> c = catalog.FindCategory(candidate)) {
      return TargetScope{ScopeKind::kCategory, *c};
    }
    if (std::optional<int> o = catalog.FindOutcome(candidate)) {
      return TargetScope{ScopeKind::kOutcome, *o};
    }
    if (std::optional<int> f = catalog.FindFunctionByFlecoName(candidate)) {
      return TargetScope{ScopeKind::kFunction, *f};
    }
    if (std::optional<int> c = catalog.FindCategoryByFlecoName(candidate)) {
      return TargetScope{ScopeKind::kCategory, *c};
    }
  }
  return std::nullopt;
}

absl::Status Invalid(absl::string_view expression, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("target '", expression, "': ", problem));
}

// The VALUE of `expression`, which follows the operator `symbol`.
absl::StatusOr<double> ParseValue(absl::string_view expression, absl::string_view symbol,
                                  absl::string_view value_text) {
  if (value_text.empty()) {
    return Invalid(expression,
                   absl::StrCat("no value after '", symbol, "'; VALUE is a number in [0, 1]"));
  }
  double value = 0;
  if (!absl::SimpleAtod(value_text, &value) || !std::isfinite(value)) {
    return Invalid(expression,
                   absl::StrCat("'", value_text, "' is not a number; VALUE is a number in [0, 1]"));
  }
  if (value < 0 || value > 1) {
    return Invalid(expression, absl::StrCat("value ", value_text, " is outside [0, 1]"));
  }
  return value;
}

// Parses the expression starting at `pos` (not a separator), and moves `pos` past it.
absl::StatusOr<Target> ParseOne(const Catalog& catalog, absl::string_view text, std::size_t& pos) {
  const absl::string_view rest = text.substr(pos);
  // The operator is inside the first word ("PR>=0.8") or starts the next one ("PR >= 0.8").
  const std::size_t first_word_end = NextSeparator(rest, 0);
  std::size_t op_begin = rest.substr(0, first_word_end).find_first_of(kOperatorChars);
  std::size_t scope_end = op_begin;
  if (op_begin == absl::string_view::npos) {
    op_begin = SkipSeparators(rest, first_word_end);
    scope_end = first_word_end;
    if (op_begin == rest.size() || !absl::StrContains(kOperatorChars, rest[op_begin])) {
      return Invalid(rest.substr(0, first_word_end),
                     absl::StrCat("no comparison operator; ", kHowTo));
    }
  }
  std::size_t op_end = op_begin;
  while (op_end < rest.size() && absl::StrContains(kOperatorChars, rest[op_end])) ++op_end;
  const std::size_t value_begin = SkipSeparators(rest, op_end);
  const std::size_t value_end = NextSeparator(rest, value_begin);
  const absl::string_view expression = rest.substr(0, value_end);
  pos += value_end;

  const absl::string_view scope_id = rest.substr(0, scope_end);
  const absl::string_view symbol = rest.substr(op_begin, op_end - op_begin);
  const absl::string_view value_text = rest.substr(value_begin, value_end - value_begin);
  if (scope_id.empty()) {
    return Invalid(expression, absl::StrCat("no scope before '", symbol,
                                            "'; SCOPE is asset or a function, category or "
                                            "outcome id (PR, PR.AC, PR_AC_CSC_5_2)"));
  }
  const std::optional<TargetOperator> op = OperatorFromSymbol(symbol);
  if (!op) {
    return Invalid(expression,
                   absl::StrCat("unknown operator '", symbol, "'; use >=, <=, >, < or ="));
  }
  absl::StatusOr<double> value = ParseValue(expression, symbol, value_text);
  if (!value.ok()) return value.status();
  const std::optional<TargetScope> scope = FindScope(catalog, scope_id);
  if (!scope) {
    return Invalid(expression,
                   absl::StrCat("unknown scope '", scope_id,
                                "'; use asset or a function (PR), category (PR.AC) or outcome "
                                "(PR_AC_CSC_5_2) id of catalog ",
                                catalog.name(), " v", catalog.version()));
  }
  return Target{*scope, *op, *value};
}

}  // namespace

absl::StatusOr<std::vector<Target>> ParseTargetExpressions(const Catalog& catalog,
                                                           absl::string_view text) {
  std::vector<Target> targets;
  for (std::size_t pos = SkipSeparators(text, 0); pos < text.size();
       pos = SkipSeparators(text, pos)) {
    const std::size_t begin = pos;
    absl::StatusOr<Target> target = ParseOne(catalog, text, pos);
    if (!target.ok()) return target.status();
    for (const Target& earlier : targets) {
      if (earlier.scope == target->scope) {
        return Invalid(
            text.substr(begin, pos - begin),
            absl::StrCat("a second target on ", ScopeKindName(target->scope.kind), " ",
                         ScopeId(catalog, target->scope), "; a scope takes at most one target"));
      }
    }
    targets.push_back(*target);
  }
  if (targets.empty()) return absl::InvalidArgumentError(absl::StrCat("no target given; ", kHowTo));
  return targets;
}

std::string TargetExpressionText(const v1::Target& target) {
  const std::optional<TargetOperator> op = OperatorFromProto(target.operator_());
  return absl::StrCat(target.scope() == v1::SCOPE_ASSET ? "asset" : target.scope_id(), " ",
                      op ? TargetOperatorSymbol(*op) : "?", " ", target.value());
}

}  // namespace postura::cli
