#ifndef POSTURA_CLI_TARGET_EXPRESSION_H_
#define POSTURA_CLI_TARGET_EXPRESSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/catalog.h"
#include "common/model/target.h"
#include "postura/v1/admin.pb.h"

namespace postura::cli {

// Strategic targets as people write them on the command line: SCOPE OP VALUE, as in
// "asset>=0.7", "PR >= 0.8", "PR.AC>0.5" or "PR_AC_CSC_5_2=1". SCOPE is "asset" (any
// case) or a function, category or outcome id of the catalog (FLECO's names, such as
// PROTECT or PR_AC, work too); OP is one of >=, <=, >, <, =; VALUE is a number in [0, 1].

// Parses expressions separated by whitespace or commas, so the words of several
// command-line arguments may be joined with spaces: "PR >= 0.8 asset>=0.7" gives two
// targets. InvalidArgument quoting the expression and saying how to write it for an empty
// text, a missing or unknown operator ("==", "=>"), a missing or non-numeric value, a
// value outside [0, 1], a scope the catalog does not know, or two targets on one scope.
absl::StatusOr<std::vector<Target>> ParseTargetExpressions(const Catalog& catalog,
                                                           absl::string_view text);

// A wire target as the commands show it, "asset >= 0.7" or "PR.AC > 0.5"; it parses back
// with ParseTargetExpressions.
std::string TargetExpressionText(const v1::Target& target);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TARGET_EXPRESSION_H_
