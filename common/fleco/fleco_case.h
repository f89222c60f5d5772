#ifndef POSTURA_COMMON_FLECO_FLECO_CASE_H_
#define POSTURA_COMMON_FLECO_FLECO_CASE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/catalog.h"
#include "common/model/implementation_group.h"
#include "common/model/level.h"
#include "common/model/target.h"

namespace postura {

// A FLECO case (format v1, METRICS.md section 4): an asset's implementation group, its
// current outcome levels, its strategic targets and, optionally, a target status. This is
// how cases move between Postura and FLECO Studio.
struct FlecoCase {
  ImplementationGroup group = ImplementationGroup::kIG1;
  // Indexed by catalog outcome position; outcomes that do not apply to `group` are DLI_0.
  std::vector<Level> initial_status;
  std::vector<Target> targets;
  // Present exactly when the file's hasTargetStatus is true; indexed like initial_status.
  std::optional<std::vector<Level>> target_status;

  friend bool operator==(const FlecoCase&, const FlecoCase&) = default;
};

// Parses a FLECO case file's text against `catalog`. InvalidArgument for any defect, with
// a message that names the field and index (for example "initialStatus[3].gene: ..."):
// malformed JSON, a missing or mistyped field, an unknown gene, category, function,
// allele or operator, a gene or scope that does not apply to caseIG, a duplicate or
// missing gene, a value outside [0, 1], two targets on one scope, or a target status that
// is present while hasTargetStatus is false (or missing while it is true).
absl::StatusOr<FlecoCase> ParseFlecoCase(const Catalog& catalog, absl::string_view json_text);

// Reads and parses a case file. NotFound if it cannot be read; the parse errors above,
// prefixed with the path, otherwise.
absl::StatusOr<FlecoCase> ReadFlecoCaseFile(const Catalog& catalog, const std::string& path);

// Writes `fleco_case` as FLECO case JSON, genes in catalog order, indented for people.
// Parsing the result gives back an equal case.
// REQUIRES: the case's targets are valid for its group (ValidateTargets).
std::string WriteFlecoCase(const Catalog& catalog, const FlecoCase& fleco_case);

}  // namespace postura

#endif  // POSTURA_COMMON_FLECO_FLECO_CASE_H_
