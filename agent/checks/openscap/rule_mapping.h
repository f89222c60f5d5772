// Which ULEO outcomes an XCCDF rule is evidence for, from the references the rule carries
// (docs/scan.md, "From rules to outcomes"):
//  1. An operator's mapping row whose target_id is the rule's id decides alone.
//  2. Otherwise each reference's identifier maps through the operator's rows for that
//     identifier if there are any, else a NIST CSF 1.1 subcategory (e.g. "PR.AC-1") to
//     the outcomes with that code, else an SP 800-53 control (e.g. "CM-6(a)", read as
//     "CM-6") to the outcomes the built-in crosswalk maps to it, read backwards.
//  3. Direct mappings (CSF codes and operator rows) win over the 800-53 crosswalk: when a
//     rule has any, its 800-53 references are not used.
//
// Built by the scan command (agent/scan_command.cc); used by xccdf_evidence.h. Immutable
// once built: safe to share between threads.
#ifndef POSTURA_AGENT_CHECKS_OPENSCAP_RULE_MAPPING_H_
#define POSTURA_AGENT_CHECKS_OPENSCAP_RULE_MAPPING_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "common/model/catalog.h"

namespace postura::agent::openscap {

// How a rule's outcomes were found.
enum class MappingBasis { kNone, kOperatorRule, kDirect, kSp80053 };

struct RuleOutcomes {
  std::vector<std::string> outcomes;  // ULEO ids, sorted, unique.
  MappingBasis basis = MappingBasis::kNone;
};

class RuleMapping {
 public:
  // The built-in mapping: CSF codes from `catalog`, SP 800-53 Rev. 5 controls from the
  // crosswalk compiled in (agent/checks/openscap/uleo-to-sp800-53r5.tsv). `catalog` must
  // outlive the mapping.
  static absl::StatusOr<RuleMapping> Builtin(const Catalog& catalog);

  // Adds an operator's mapping in the crosswalk's TSV layout (uleo_id, source_id,
  // target_id, then any columns): target_id is an XCCDF rule id (xccdf_...) or a reference
  // identifier, whose rows replace the built-in ones for that identifier. `source` names
  // the file in errors. InvalidArgument "SOURCE:LINE: PROBLEM" for a missing header, a
  // short row, an unknown outcome or an empty target; nothing is added then.
  absl::Status AddOperatorMapping(absl::string_view tsv, absl::string_view source);

  // Reads `path` (at most 16 MiB) and adds it. NotFound when it cannot be read.
  absl::Status AddOperatorMappingFile(const std::string& path);

  RuleOutcomes OutcomesFor(absl::string_view rule_id, const XccdfRule& rule) const;

 private:
  using Table = absl::flat_hash_map<std::string, std::vector<std::string>>;
  explicit RuleMapping(const Catalog& catalog) : catalog_(&catalog) {}
  // Parses rows into `table` keyed by target_id (normalised for 800-53 controls).
  absl::StatusOr<Table> ParseTable(absl::string_view tsv, absl::string_view source) const;

  const Catalog* catalog_;
  Table csf_codes_;            // "PR.AC-1" -> outcomes with that code.
  Table sp800_53_;             // "CM-6" -> outcomes the crosswalk maps to it.
  Table operator_rules_;       // Rule id -> outcomes.
  Table operator_references_;  // Reference identifier -> outcomes.
};

// "CM-6" from "CM-6(a)", "AC-6 (1)", "cm-6": upper case, no spaces, up to the first '('.
std::string Sp80053BaseControl(absl::string_view text);

}  // namespace postura::agent::openscap

#endif  // POSTURA_AGENT_CHECKS_OPENSCAP_RULE_MAPPING_H_
