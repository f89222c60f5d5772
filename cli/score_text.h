#ifndef POSTURA_CLI_SCORE_TEXT_H_
#define POSTURA_CLI_SCORE_TEXT_H_

#include <string>

#include "absl/time/time.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// Text for people of the collector's live scores. Pure functions of their input: the
// caller passes the current time for ages.

// The asset's headline numbers (value, adjusted value and what limits it, coverage,
// targets, newest evidence), its functions and categories with bars, its targets with
// their status and, when `with_outcomes`, every outcome with its level, state, deciding
// agent and check, and the age of that evidence.
std::string AssetScoreText(const v1::AssetScore& score, bool with_outcomes, absl::Time now);

// The organisation index (plain and adjusted), coverage and share meeting targets, then
// tables of implementation groups, departments, suppliers, functions and functional
// areas.
std::string OrganizationScoreText(const v1::OrganizationScore& score);

}  // namespace postura::cli

#endif  // POSTURA_CLI_SCORE_TEXT_H_
