#include "agent/checks/rules/rule.h"

#include <utility>

#include "common/base/utf8.h"

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

std::string Excerpt(absl::string_view text) {
  // A character that starts within the limit ends at most 3 bytes past it, so the rest of a
  // long line need not be validated.
  return ValidUtf8Prefix(text.substr(0, kMaxExcerptBytes + 3), kMaxExcerptBytes);
}

namespace {

RuleResult Result(Verdict verdict, std::string detail) {
  // Valid text comes back unchanged; only a detail built from raw host bytes is rewritten.
  if (!IsValidUtf8(detail)) detail = ValidUtf8(detail);
  return {verdict, std::move(detail)};
}

}  // namespace

RuleResult PassResult(std::string detail) { return Result(Verdict::kPass, std::move(detail)); }
RuleResult FailResult(std::string detail) { return Result(Verdict::kFail, std::move(detail)); }
RuleResult ErrorResult(std::string detail) { return Result(Verdict::kError, std::move(detail)); }
RuleResult NotApplicableResult(std::string detail) {
  return Result(Verdict::kNotApplicable, std::move(detail));
}

RuleResult MissingResult(IfMissing if_missing, std::string detail) {
  return if_missing == IfMissing::kFail ? FailResult(std::move(detail))
                                        : NotApplicableResult(std::move(detail));
}

}  // namespace postura::agent
