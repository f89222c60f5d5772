#ifndef POSTURA_AGENT_CHECKS_RULES_COMPARISON_H_
#define POSTURA_AGENT_CHECKS_RULES_COMPARISON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/checks/rules/rule.h"

namespace postura::agent {

// Builds a comparison from a pack's `op` ("" means "eq") and expected value.
// InvalidArgument, naming the problem, for an unknown op, a non-numeric value for lt/le/
// gt/ge, or a regular expression that does not compile.
absl::StatusOr<Comparison> MakeComparison(absl::string_view op, absl::string_view value);

// True if `observed op expected`. eq/ne compare numerically when both sides are numbers,
// otherwise as case-insensitive strings; lt/le/gt/ge are false for a non-numeric
// observation; match searches the value with the regular expression. ResourceExhausted if
// the regular expression engine gives up (too complex for the input).
absl::StatusOr<bool> Satisfies(const Comparison& expected, absl::string_view observed);

// True if `regex` matches somewhere in `text`; ResourceExhausted if the engine gives up.
absl::StatusOr<bool> RegexSearch(const std::regex& regex, absl::string_view text);

// The expectation for details: "'no'", "not 'yes'", "<= 90", "matching /^(no|0)$/".
std::string DescribeExpectation(const Comparison& expected);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_COMPARISON_H_
