#include "agent/checks/rules/comparison.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace postura::agent {
namespace {

std::optional<double> AsNumber(absl::string_view text) {
  double number = 0;
  if (!absl::SimpleAtod(text, &number)) return std::nullopt;
  return number;
}

std::optional<Comparison::Op> ParseOp(absl::string_view op) {
  using Op = Comparison::Op;
  for (Op candidate : {Op::kEq, Op::kNe, Op::kLt, Op::kLe, Op::kGt, Op::kGe, Op::kMatch}) {
    if (op == ComparisonOpName(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace

absl::string_view ComparisonOpName(Comparison::Op op) {
  switch (op) {
    case Comparison::Op::kEq:
      return "eq";
    case Comparison::Op::kNe:
      return "ne";
    case Comparison::Op::kLt:
      return "lt";
    case Comparison::Op::kLe:
      return "le";
    case Comparison::Op::kGt:
      return "gt";
    case Comparison::Op::kGe:
      return "ge";
    case Comparison::Op::kMatch:
      return "match";
  }
  return "?";
}

absl::StatusOr<Comparison> MakeComparison(absl::string_view op, absl::string_view value) {
  Comparison comparison;
  std::optional<Comparison::Op> parsed = ParseOp(op.empty() ? "eq" : op);
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", op, "' is not one of eq, ne, lt, le, gt, ge, match"));
  }
  comparison.op = *parsed;
  comparison.value = std::string(value);
  comparison.number = AsNumber(value);
  bool ordered = comparison.op != Comparison::Op::kEq && comparison.op != Comparison::Op::kNe &&
                 comparison.op != Comparison::Op::kMatch;
  if (ordered && !comparison.number) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", value, "' is not a number, as '", op, "' needs"));
  }
  if (comparison.op == Comparison::Op::kMatch) {
    try {
      comparison.regex.emplace(comparison.value, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", value, "' is not a regular expression: ", e.what()));
    }
  }
  return comparison;
}

absl::StatusOr<bool> RegexSearch(const std::regex& regex, absl::string_view text) {
  try {
    return std::regex_search(text.begin(), text.end(), regex);
  } catch (const std::regex_error& e) {
    return absl::ResourceExhaustedError(absl::StrCat("regular expression gave up: ", e.what()));
  }
}

absl::StatusOr<bool> Satisfies(const Comparison& expected, absl::string_view observed) {
  using Op = Comparison::Op;
  std::optional<double> number = AsNumber(observed);
  switch (expected.op) {
    case Op::kEq:
    case Op::kNe: {
      bool equal = number && expected.number ? *number == *expected.number
                                             : absl::EqualsIgnoreCase(observed, expected.value);
      return equal == (expected.op == Op::kEq);
    }
    case Op::kLt:
      return number && *number < *expected.number;
    case Op::kLe:
      return number && *number <= *expected.number;
    case Op::kGt:
      return number && *number > *expected.number;
    case Op::kGe:
      return number && *number >= *expected.number;
    case Op::kMatch:
      return RegexSearch(*expected.regex, observed);
  }
  return false;
}

std::string DescribeExpectation(const Comparison& expected) {
  using Op = Comparison::Op;
  switch (expected.op) {
    case Op::kEq:
      return absl::StrCat("'", expected.value, "'");
    case Op::kNe:
      return absl::StrCat("not '", expected.value, "'");
    case Op::kLt:
      return absl::StrCat("< ", expected.value);
    case Op::kLe:
      return absl::StrCat("<= ", expected.value);
    case Op::kGt:
      return absl::StrCat("> ", expected.value);
    case Op::kGe:
      return absl::StrCat(">= ", expected.value);
    case Op::kMatch:
      return absl::StrCat("matching /", expected.value, "/");
  }
  return "?";
}

}  // namespace postura::agent
