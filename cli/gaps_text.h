#ifndef POSTURA_CLI_GAPS_TEXT_H_
#define POSTURA_CLI_GAPS_TEXT_H_

#include <string>

#include "postura/v1/query.pb.h"

namespace postura::cli {

// An asset's gaps for people, in the collector's order (what to fix first): each leading
// functional area with its number of gaps and total share of the asset value, then its
// outcomes with level, state, share and unmet target.
std::string GapsText(const v1::Gaps& gaps);

}  // namespace postura::cli

#endif  // POSTURA_CLI_GAPS_TEXT_H_
