#include "agent/delivery/enrollment.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/transport/grpc_status.h"
#include "common/transport/private_file.h"
#include "common/transport/token_text.h"
#include "glog/logging.h"
#include "postura/v1/access.grpc.pb.h"

namespace postura::agent {
namespace {

absl::StatusOr<v1::EnrollResponse> Enroll(const AgentOptions& options, const std::string& token,
                                          const std::string& credential, absl::Duration timeout) {
  CollectorTrust trust{.ca_certificate_pem = options.trust.ca_certificate_pem, .token = ""};
  std::unique_ptr<v1::EnrollmentService::Stub> stub =
      v1::EnrollmentService::NewStub(CreateCollectorChannel(options.collector_address, trust));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::EnrollRequest request;
  request.set_token(token);
  request.set_agent_id(options.agent_id);
  request.set_credential(credential);
  v1::EnrollResponse response;
  if (grpc::Status s = stub->Enroll(&context, request, &response); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return response;
}

}  // namespace

absl::StatusOr<std::string> ObtainCredential(const AgentOptions& options, absl::Duration timeout) {
  absl::StatusOr<std::string> saved = ReadSecretFile(options.credential_file);
  if (saved.ok() || !absl::IsNotFound(saved.status())) return saved;
  if (options.enrollment_token_file.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no credential at ", options.credential_file,
        " and no enrollment_token_file in the config: ask an admin for `postura tokens create "
        "enrollment --asset ...` and put the token in that file"));
  }
  absl::StatusOr<std::string> token = ReadSecretFile(options.enrollment_token_file);
  if (!token.ok()) return token.status();

  // The credential is made here and saved before the enrollment token's use is spent, so
  // no failure can spend the use and lose the credential. A pending one left by an
  // earlier attempt is offered again: the collector recognises it if it took it then.
  const std::filesystem::path saved_path = options.credential_file;
  const std::filesystem::path pending_path = saved_path.string() + ".pending";
  std::error_code ignored;  // WritePrivateFile reports a directory that is still missing.
  std::filesystem::create_directories(saved_path.parent_path(), ignored);
  absl::StatusOr<std::string> credential = ReadSecretFile(pending_path);
  if (absl::IsNotFound(credential.status())) {
    credential = NewTokenText();
    if (absl::Status written = WritePrivateFile(pending_path, *credential); !written.ok()) {
      return absl::Status(written.code(), absl::StrCat("cannot save the agent's credential before "
                                                       "enrolling: ",
                                                       written.message()));
    }
  }
  if (!credential.ok()) return credential.status();
  absl::StatusOr<v1::EnrollResponse> enrolled = Enroll(options, *token, *credential, timeout);
  if (!enrolled.ok()) {
    return absl::Status(enrolled.status().code(),
                        absl::StrCat("enrollment refused: ", enrolled.status().message()));
  }
  if (enrolled->credential() != *credential) {
    // A collector before 0.2 ignores the proposal and makes the credential itself.
    credential = enrolled->credential();
    if (absl::Status written = WritePrivateFile(pending_path, *credential); !written.ok()) {
      return written;
    }
  }
  std::filesystem::rename(pending_path, saved_path, ignored);
  if (ignored) {
    return absl::UnavailableError(absl::StrCat("enrolled, but cannot move ", pending_path.string(),
                                               " to ", saved_path.string(), ": ", ignored.message(),
                                               "; the next start retries"));
  }
  LOG(INFO) << "enrolled as agent " << enrolled->agent_id() << " of tenant "
            << enrolled->tenant_id() << "; credential saved to " << options.credential_file;
  return *credential;
}

}  // namespace postura::agent
