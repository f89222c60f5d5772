#ifndef POSTURA_COLLECTOR_AGENT_IDENTITY_H_
#define POSTURA_COLLECTOR_AGENT_IDENTITY_H_

// The agents' side of access, as the composition root (collector_server.cc) builds it at
// start: the agent CA read from (or created in) agents.ca_dir, the admission of agents'
// streams by certificate or bearer credential, and the enrollment service that issues
// and renews agents' certificates (docs/security.md, "Agent certificates"). Called once,
// on the starting thread.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "collector/access/agent_admission.h"
#include "collector/api/access_service.h"
#include "collector/collector_config.h"

namespace postura::collector {

struct AgentIdentityServices {
  std::string agent_ca_certificate_pem;  // For evidence proofs (docs/signed-evidence.md).
  std::unique_ptr<AgentAdmission> admission;
  std::unique_ptr<EnrollmentService> enrollment;  // Borrows `admission`.
};

// Loads or creates the agent CA and builds both services over the borrowed objects, which
// must outlive them. The agent CA's error (a key too open, a file missing or foreign),
// prefixed with "agent CA: ".
absl::StatusOr<AgentIdentityServices> StartAgentIdentity(const CollectorOptions& options,
                                                         const Gatekeeper& gate,
                                                         CredentialStore& credentials,
                                                         Registry& registry, Clock& clock);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_AGENT_IDENTITY_H_
