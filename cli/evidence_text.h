#ifndef POSTURA_CLI_EVIDENCE_TEXT_H_
#define POSTURA_CLI_EVIDENCE_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// The evidence history of one outcome of one asset for people, oldest first: when each
// record was observed, its level, kind, agent, check, expiry and detail, and a hint when
// the answer was truncated.
std::string EvidenceHistoryText(absl::string_view asset_id, absl::string_view outcome_id,
                                const v1::EvidenceHistory& history);

}  // namespace postura::cli

#endif  // POSTURA_CLI_EVIDENCE_TEXT_H_
