// Fuzzes the signing-request path of enrollment and renewal (issue 22, item 7): an input
// is the PEM text an anonymous caller sends as EnrollRequest.signing_request, which the
// collector parses before it has checked any token (a repeated enrollment is recognised
// by its key). A request that passes must name agent "host-1" with an EC P-256 key, and
// the certificate issued for it must verify against the CA, name the agent and tenant,
// and hold the same key; a request that fails must say so as InvalidArgument.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/transport/agent_certificate.h"

namespace postura {
namespace {

const AgentCertificateAuthority& Ca() {
  static const AgentCertificateAuthority* const ca =
      new AgentCertificateAuthority(NewAgentCertificateAuthority().value());
  return *ca;
}

}  // namespace
}  // namespace postura

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postura;  // NOLINT: the fuzzer's entry point lives outside the namespace.
  const absl::string_view request(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::string> key = SigningRequestKeySha256(request, "host-1");
  if (!key.ok()) {
    if (key.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  if (key->size() != 32) __builtin_trap();
  // The same request for another agent id never passes.
  if (SigningRequestKeySha256(request, "host-2").ok()) __builtin_trap();
  const absl::Time now = absl::Now();
  absl::StatusOr<std::string> certificate =
      IssueAgentCertificate(Ca(), request, "host-1", "acme", now, absl::Hours(24));
  if (!certificate.ok()) __builtin_trap();
  absl::StatusOr<AgentCertificateFacts> facts =
      VerifyAgentCertificate(*certificate, Ca().certificate_pem, now);
  if (!facts.ok() || facts->agent_id != "host-1" || facts->tenant_id != "acme" ||
      facts->key_sha256 != *key) {
    __builtin_trap();
  }
  return 0;
}
