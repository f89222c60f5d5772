// Reads OpenSCAP's results: an XCCDF 1.2 results file (`oscap xccdf eval --results`, a
// Benchmark holding a TestResult, or a bare TestResult) or an ARF report (`--results-arf`,
// the datastream and the results inside). Keeps what evidence needs: each rule-result and,
// from the benchmark, each rule's title, severity and references.
//
// Called by the scan command (agent/scan_command.cc) and the fuzz target; the mapping to
// outcomes is in xccdf_evidence.h. The XML is read by libxml2's SAX2 push parser in chunks,
// so memory stays bounded by what is kept, not by the file's size. Entity declarations
// are refused where they are declared (before any could expand), nothing external is
// loaded (no DTD, no network), and any well-formedness error rejects the whole file.
// Thread-safe: the functions share no state (libxml2 is initialised once).
#ifndef POSTURA_AGENT_CHECKS_OPENSCAP_XCCDF_RESULTS_H_
#define POSTURA_AGENT_CHECKS_OPENSCAP_XCCDF_RESULTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::agent::openscap {

// The result values of XCCDF 1.2 (NISTIR 7275r4, 6.6.4.2).
enum class RuleOutcome {
  kPass,
  kFail,
  kError,
  kUnknown,
  kNotApplicable,
  kNotChecked,
  kNotSelected,
  kInformational,
  kFixed,
};

// "pass", "fail", "notapplicable", ... as XCCDF spells them.
absl::string_view RuleOutcomeName(RuleOutcome outcome);
std::optional<RuleOutcome> ParseRuleOutcome(absl::string_view name);

struct XccdfReference {
  std::string href;  // The reference's href attribute; may be empty.
  std::string text;  // Its text, trimmed, e.g. "PR.AC-1" or "CM-6(a)".
};

// A rule as the benchmark defines it.
struct XccdfRule {
  std::string title;
  std::string severity;  // "high", "medium", "low", "info" or "unknown" (the default).
  std::vector<XccdfReference> references;
};

// One rule's result. A rule reported several times (multiple check instances) keeps its
// worst result: fail, then error, unknown, pass, then the results that do not count.
struct XccdfRuleResult {
  std::string rule_id;
  RuleOutcome outcome = RuleOutcome::kUnknown;
};

struct XccdfResults {
  std::string test_result_id;
  std::string benchmark_id;  // The TestResult's benchmark href, or the Benchmark's id.
  std::string profile_id;    // Empty when the evaluation used no profile.
  // The TestResult's end-time (xsd:dateTime) as written, e.g. "2026-12-05T04:22:39+00:00";
  // empty when absent. Not checked here: ParseXccdfTime reads it.
  std::string end_time;
  std::vector<XccdfRuleResult> rule_results;  // Document order, one per rule.
  // Rule id -> definition, for every Rule of the benchmark in the file (none for a bare
  // TestResult).
  absl::flat_hash_map<std::string, XccdfRule> rules;
  int64_t kept_bytes = 0;  // As XccdfParseOptions::max_kept_bytes counts them.
};

struct XccdfParseOptions {
  int64_t max_bytes = int64_t{64} << 20;  // Larger files are refused before reading.
  // What the reader keeps (rules' ids, titles, severities, references; rule-results),
  // counted as the strings' bytes plus 64 per item. A file needing more is refused: a few
  // MiB of tiny tags could otherwise ask for far more memory. The results of ssg-debian's
  // whole Debian 11 benchmark keep 2.0 MiB.
  int64_t max_kept_bytes = int64_t{48} << 20;
};

// Parses `text`; `source` names the input in errors. InvalidArgument "SOURCE: PROBLEM"
// (with the line where there is one) for: malformed or truncated XML, a DOCTYPE declaring
// entities, a root that is neither xccdf:Benchmark, xccdf:TestResult nor
// arf:asset-report-collection, XCCDF other than 1.2, no TestResult or more than one, a
// rule-result without idref or with an unknown result, more than max_bytes, more to keep
// than max_kept_bytes.
absl::StatusOr<XccdfResults> ParseXccdfResults(absl::string_view text, absl::string_view source,
                                               const XccdfParseOptions& options = {});

// An xsd:dateTime of XCCDF (RFC 3339, fractional seconds allowed; without a zone it is
// taken as UTC). InvalidArgument quoting the text otherwise.
absl::StatusOr<absl::Time> ParseXccdfTime(absl::string_view text);

// Reads and parses the file at `path` in chunks. The errors of ParseXccdfResults, each
// naming the path; NotFound or PermissionDenied when it cannot be opened; InvalidArgument
// for something other than a regular file or a file over max_bytes.
absl::StatusOr<XccdfResults> ReadXccdfResultsFile(const std::string& path,
                                                  const XccdfParseOptions& options = {});

}  // namespace postura::agent::openscap

#endif  // POSTURA_AGENT_CHECKS_OPENSCAP_XCCDF_RESULTS_H_
