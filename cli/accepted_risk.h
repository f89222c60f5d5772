#ifndef POSTURA_CLI_ACCEPTED_RISK_H_
#define POSTURA_CLI_ACCEPTED_RISK_H_

// "Gaps with an accepted risk" in `postura report` (cli/report_command.h): the gaps whose
// outcome has an active risk exception on that asset (docs/requests.md, "Risk
// exceptions"), counted apart from the others. An exception changes no level and no
// score; the report only shows which gaps someone has accepted, until when.
//
// Threading: run on main's thread; the functions of two lists are pure.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "nlohmann/json.hpp"
#include "postura/v1/exceptions.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// One gap whose risk is accepted, and by which exception.
struct AcceptedGap {
  const v1::Gap* gap;
  const v1::RiskException* exception;
  std::string asset_id;
};

// The active exceptions the caller may read. A token that may not read exceptions gets
// none (the report then says so), any other failure its status.
absl::StatusOr<std::vector<v1::RiskException>> ReadActiveExceptions(CommandContext& c);

// The gaps of `gaps` (one entry per asset) whose outcome has an exception in
// `exceptions` on the same asset, in the order of `gaps`.
std::vector<AcceptedGap> AcceptedGaps(const std::vector<v1::Gaps>& gaps,
                                      const std::vector<v1::RiskException>& exceptions);

// The report's section: the counts, then a table of the accepted gaps.
std::string AcceptedRiskMarkdown(const std::vector<v1::Gaps>& gaps,
                                 const std::vector<v1::RiskException>& exceptions);
// {"activeExceptions": N, "gapsWithAcceptedRisk": N, "gaps": [{"assetId", "outcomeId",
// "level", "exceptionId", "until"}]}.
nlohmann::ordered_json AcceptedRiskJson(const std::vector<v1::Gaps>& gaps,
                                        const std::vector<v1::RiskException>& exceptions);

}  // namespace postura::cli

#endif  // POSTURA_CLI_ACCEPTED_RISK_H_
