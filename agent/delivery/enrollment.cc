#include "agent/delivery/enrollment.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/grpc_status.h"
#include "common/transport/private_file.h"
#include "common/transport/tls_files.h"
#include "glog/logging.h"
#include "postura/v1/access.grpc.pb.h"

namespace postura::agent {
namespace {

// The agent's key PEM: an owner-only file (CheckPrivateFile), read as a secret.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  absl::StatusOr<std::string> key = ReadSecretFile(path);
  if (!key.ok()) return key.status();
  return absl::StrCat(*key, "\n");
}

std::string ReenrollAdvice(const AgentOptions& options) {
  return absl::StrCat(
      "enroll the agent again: put a new enrollment token in "
      "enrollment_token_file, delete ",
      options.certificate_file, " and restart the agent (docs/security.md)");
}

absl::StatusOr<AgentIdentity> WithCertificate(const AgentOptions& options) {
  absl::StatusOr<std::string> certificate = ReadCertificateFile(options.certificate_file);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> key = ReadKeyFile(options.key_file);
  if (!key.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the agent's key ", options.key_file, ": ", key.status().message(),
        absl::IsNotFound(key.status()) ? absl::StrCat("; ", ReenrollAdvice(options)) : ""));
  }
  absl::StatusOr<AgentCertificateFacts> facts = ReadAgentCertificate(*certificate);
  if (!facts.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.certificate_file, ": ", facts.status().message(), "; ", ReenrollAdvice(options)));
  }
  if (facts->agent_id != options.agent_id) {
    return absl::FailedPreconditionError(absl::StrCat(options.certificate_file, " is agent ",
                                                      facts->agent_id, "'s, not ", options.agent_id,
                                                      "'s; ", ReenrollAdvice(options)));
  }
  if (absl::Now() >= facts->not_after) {
    return absl::FailedPreconditionError(
        absl::StrCat("the agent's certificate ", options.certificate_file, " expired at ",
                     absl::FormatTime(facts->not_after),
                     " and the collector no longer accepts it; ", ReenrollAdvice(options)));
  }
  return AgentIdentity{
      .trust = options.trust,
      .certificate = {.key_pem = *std::move(key), .certificate_pem = *std::move(certificate)}};
}

// Enrolls at the first of the agent's collectors that takes the token. One that cannot be
// reached, or does not know the token (a cluster's collector that has not applied it
// yet), passes to the next; a refusal for another reason ends the attempt. Fails with the
// first refusal if there was one, else with the last collector's unavailability.
absl::StatusOr<v1::EnrollResponse> Enroll(const AgentOptions& options, const std::string& token,
                                          const std::string& signing_request,
                                          absl::Duration timeout) {
  const CollectorTrust trust{.ca_certificate_pem = options.trust.ca_certificate_pem, .token = ""};
  v1::EnrollRequest request;
  request.set_token(token);
  request.set_agent_id(options.agent_id);
  request.set_signing_request(signing_request);
  absl::Status refused, unreachable;
  for (const std::string& address : CollectorAddresses(options)) {
    std::unique_ptr<v1::EnrollmentService::Stub> stub =
        v1::EnrollmentService::NewStub(CreateCollectorChannel(address, trust));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    v1::EnrollResponse response;
    grpc::Status s = stub->Enroll(&context, request, &response);
    if (s.ok()) return response;
    const absl::Status failed = FromGrpcStatus(s);
    if (absl::IsUnavailable(failed) || absl::IsDeadlineExceeded(failed)) {
      unreachable = failed;
      continue;
    }
    if (refused.ok()) refused = failed;
    if (!absl::IsUnauthenticated(failed)) break;
  }
  return refused.ok() ? unreachable : refused;
}

absl::StatusOr<AgentIdentity> EnrollWithKey(const AgentOptions& options, absl::Duration timeout) {
  if (options.enrollment_token_file.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no certificate at ", options.certificate_file,
        " and no enrollment_token_file in the config: ask an admin for `postura tokens create "
        "enrollment --asset ...` and put the token in that file"));
  }
  absl::StatusOr<std::string> token = ReadSecretFile(options.enrollment_token_file);
  if (!token.ok()) return token.status();
  // The key is made and saved before the enrollment token's use is spent, so no failure
  // can spend the use and lose the key; one left by an earlier attempt is offered again,
  // and the collector recognises it if it took it then.
  std::error_code ignored;  // WritePrivateFile reports a directory that is still missing.
  std::filesystem::create_directories(std::filesystem::path(options.key_file).parent_path(),
                                      ignored);
  absl::StatusOr<std::string> key = ReadKeyFile(options.key_file);
  if (absl::IsNotFound(key.status())) {
    key = NewAgentKeyPem();
    if (!key.ok()) return key.status();
    if (absl::Status written = WritePrivateFile(options.key_file, *key); !written.ok()) {
      return absl::Status(
          written.code(),
          absl::StrCat("cannot save the agent's key before enrolling: ", written.message()));
    }
  }
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> request = AgentSigningRequestPem(*key, options.agent_id);
  if (!request.ok()) return request.status();
  absl::StatusOr<v1::EnrollResponse> enrolled = Enroll(options, *token, *request, timeout);
  if (!enrolled.ok()) {
    return absl::Status(enrolled.status().code(),
                        absl::StrCat("enrollment refused: ", enrolled.status().message()));
  }
  absl::StatusOr<AgentCertificateFacts> facts = ReadAgentCertificate(enrolled->certificate());
  if (!facts.ok() || facts->agent_id != options.agent_id) {
    return absl::InternalError("the collector answered with a certificate for another agent");
  }
  if (absl::Status written =
          WriteFileAtomically(options.certificate_file, enrolled->certificate(), 0644);
      !written.ok()) {
    return absl::Status(written.code(), absl::StrCat("enrolled, but cannot save the certificate "
                                                     "(the next start asks again): ",
                                                     written.message()));
  }
  LOG(INFO) << "enrolled as agent " << enrolled->agent_id() << " of tenant "
            << enrolled->tenant_id() << " with its own key; certificate saved to "
            << options.certificate_file << ", valid until " << absl::FormatTime(facts->not_after);
  return AgentIdentity{
      .trust = options.trust,
      .certificate = {.key_pem = *std::move(key), .certificate_pem = enrolled->certificate()}};
}

}  // namespace

absl::StatusOr<AgentIdentity> ObtainIdentity(const AgentOptions& options, absl::Duration timeout) {
  std::error_code error;
  if (std::filesystem::exists(options.certificate_file, error)) return WithCertificate(options);
  absl::StatusOr<std::string> credential = ReadSecretFile(options.credential_file);
  if (credential.ok()) {
    LOG(WARNING) << "agent " << options.agent_id << " reports with the bearer credential in "
                 << options.credential_file << "; move it to its own key and certificate "
                 << "(docs/security.md, \"Moving agents to certificates\")";
    AgentIdentity identity{.trust = options.trust, .certificate = {}};
    identity.trust.token = *std::move(credential);
    return identity;
  }
  if (!absl::IsNotFound(credential.status())) return credential.status();
  return EnrollWithKey(options, timeout);
}

}  // namespace postura::agent
