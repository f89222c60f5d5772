#ifndef POSTURA_AGENT_DELIVERY_ENROLLMENT_H_
#define POSTURA_AGENT_DELIVERY_ENROLLMENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/config/agent_config.h"

namespace postura::agent {

// The agent's own credential (a token text): read from options.credential_file if it
// exists; otherwise made here, saved owner-only to "<credential_file>.pending", and
// registered once with the collector with the enrollment token in
// options.enrollment_token_file; then the pending file becomes options.credential_file.
// The credential is on disk before the enrollment token's use is spent: a failure at any
// step leaves either an unspent use or a pending credential that the next attempt offers
// again (the collector accepts it again without spending a use). The CA pinned is
// options.trust.ca_certificate_pem.
//   Unavailable / DeadlineExceeded: the collector could not be reached; try again later.
//   Unauthenticated: the enrollment token is unknown, expired, used up or revoked.
//   FailedPrecondition: no credential and no enrollment token file, or a file is not
//   owner-only. Other codes: the collector's refusal, with its reason.
absl::StatusOr<std::string> ObtainCredential(const AgentOptions& options,
                                             absl::Duration timeout = absl::Seconds(10));

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_ENROLLMENT_H_
