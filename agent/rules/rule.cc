#include "agent/rules/rule.h"

#include <utility>

namespace postura::agent {

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kError:
      return "error";
    case Verdict::kNotApplicable:
      return "not_applicable";
  }
  return "?";
}

RuleResult PassResult(std::string detail) { return {Verdict::kPass, std::move(detail)}; }
RuleResult FailResult(std::string detail) { return {Verdict::kFail, std::move(detail)}; }
RuleResult ErrorResult(std::string detail) { return {Verdict::kError, std::move(detail)}; }
RuleResult NotApplicableResult(std::string detail) {
  return {Verdict::kNotApplicable, std::move(detail)};
}

RuleResult MissingResult(IfMissing if_missing, std::string detail) {
  return if_missing == IfMissing::kFail ? FailResult(std::move(detail))
                                        : NotApplicableResult(std::move(detail));
}

}  // namespace postura::agent
