#ifndef POSTURA_AGENT_ENROLLMENT_H_
#define POSTURA_AGENT_ENROLLMENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/agent_config.h"

namespace postura::agent {

// The agent's own credential (a token text): read from options.credential_file if it
// exists; otherwise obtained once from the collector with the enrollment token in
// options.enrollment_token_file and saved to options.credential_file (owner-only) before
// it is returned. The CA pinned is options.trust.ca_certificate_pem.
//   Unavailable / DeadlineExceeded: the collector could not be reached; try again later.
//   Unauthenticated: the enrollment token is unknown, expired, used up or revoked.
//   FailedPrecondition: no credential and no enrollment token file, or a file is not
//   owner-only. Other codes: the collector's refusal, with its reason.
absl::StatusOr<std::string> ObtainCredential(const AgentOptions& options,
                                             absl::Duration timeout = absl::Seconds(10));

}  // namespace postura::agent

#endif  // POSTURA_AGENT_ENROLLMENT_H_
