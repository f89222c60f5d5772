#include "collector/agent_identity.h"

#include "absl/strings/str_cat.h"
#include "common/transport/agent_ca_files.h"
#include "glog/logging.h"

namespace postura::collector {

absl::StatusOr<AgentIdentityServices> StartAgentIdentity(const CollectorOptions& options,
                                                         const Gatekeeper& gate,
                                                         CredentialStore& credentials,
                                                         Registry& registry, Clock& clock) {
  absl::StatusOr<AgentCertificateAuthority> ca =
      EnsureAgentCertificateAuthority(AgentCaDir(options));
  if (!ca.ok()) {
    return absl::Status(ca.status().code(), absl::StrCat("agent CA: ", ca.status().message()));
  }
  AgentIdentityServices services;
  services.agent_ca_certificate_pem = ca->certificate_pem;
  services.admission = std::make_unique<AgentAdmission>(
      gate, credentials, clock,
      AgentAdmissionOptions{.agent_ca_certificate_pem = ca->certificate_pem,
                            .allow_bearer_credentials = options.allow_bearer_agent_credentials});
  services.enrollment = std::make_unique<EnrollmentService>(
      credentials, registry, *services.admission, clock,
      AgentCertificatePolicy{.ca = *std::move(ca), .lifetime = options.agent_certificate_lifetime});
  LOG(INFO) << "agent CA in " << AgentCaDir(options) << "; agent certificates last "
            << absl::FormatDuration(options.agent_certificate_lifetime)
            << (options.allow_bearer_agent_credentials ? "; agents' bearer credentials still report"
                                                       : "; agents report with certificates only");
  return services;
}

}  // namespace postura::collector
