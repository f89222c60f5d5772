#include "common/transport/agent_ca_files.h"

#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/transport/private_file.h"
#include "common/transport/tls_file_io.h"
#include "common/transport/x509_pem.h"
#include "glog/logging.h"

namespace postura {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<bool> Exists(const fs::path& path) {
  std::error_code error;
  const bool exists = fs::exists(path, error);
  if (error) {
    return absl::ErrnoToStatus(error.value(), absl::StrCat("cannot look for ", path.string()));
  }
  return exists;
}

absl::StatusOr<AgentCertificateAuthority> Create(const fs::path& directory) {
  absl::StatusOr<AgentCertificateAuthority> ca = NewAgentCertificateAuthority();
  if (!ca.ok()) return ca.status();
  // The key first: a crash between the two writes leaves a key without a certificate,
  // which the next start refuses by name rather than replacing.
  if (absl::Status s =
          tls_internal::WriteSyncedFile(directory / kAgentCaKeyFile, ca->key_pem, 0600);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = tls_internal::WriteSyncedFile(directory / kAgentCaCertificateFile,
                                                     ca->certificate_pem, 0644);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = tls_internal::SyncDirectory(directory); !s.ok()) return s;
  LOG(INFO) << "Created the agent certificate authority in " << directory.string();
  return ca;
}

absl::StatusOr<AgentCertificateAuthority> Load(const fs::path& directory) {
  const fs::path key_path = directory / kAgentCaKeyFile;
  const fs::path certificate_path = directory / kAgentCaCertificateFile;
  if (absl::Status s = CheckPrivateFile(key_path); !s.ok()) return s;
  AgentCertificateAuthority ca;
  absl::StatusOr<std::string> key = tls_internal::ReadTextFile(key_path);
  if (!key.ok()) return key.status();
  ca.key_pem = *std::move(key);
  absl::StatusOr<std::string> certificate = tls_internal::ReadTextFile(certificate_path);
  if (!certificate.ok()) return certificate.status();
  ca.certificate_pem = *std::move(certificate);
  absl::Status pair = tls_internal::ParseMatchingPair(ca.certificate_pem, certificate_path.string(),
                                                      ca.key_pem, key_path.string())
                          .status();
  if (!pair.ok()) return absl::InvalidArgumentError(pair.message());
  return ca;
}

}  // namespace

absl::StatusOr<AgentCertificateAuthority> EnsureAgentCertificateAuthority(
    const fs::path& directory) {
  if (absl::Status s = tls_internal::MakePrivateDirectory(directory); !s.ok()) return s;
  absl::StatusOr<tls_internal::ScopedFd> lock = tls_internal::LockDirectory(directory);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<bool> has_key = Exists(directory / kAgentCaKeyFile);
  if (!has_key.ok()) return has_key.status();
  absl::StatusOr<bool> has_certificate = Exists(directory / kAgentCaCertificateFile);
  if (!has_certificate.ok()) return has_certificate.status();
  if (!*has_key && !*has_certificate) return Create(directory);
  if (*has_key != *has_certificate) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the agent CA in ", directory.string(),
        " is incomplete: ", *has_key ? kAgentCaCertificateFile : kAgentCaKeyFile,
        " is missing; restore it, or remove the directory to create a new agent CA (every "
        "agent must then enroll again)"));
  }
  return Load(directory);
}

}  // namespace postura
