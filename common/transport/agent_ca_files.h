#ifndef POSTURA_COMMON_TRANSPORT_AGENT_CA_FILES_H_
#define POSTURA_COMMON_TRANSPORT_AGENT_CA_FILES_H_

// The collector's agent CA on disk: agent-ca.crt and agent-ca.key in a private directory
// (agents.ca_dir, default <data_dir>/agent-ca), created on first start and loaded, with
// the key checked for mode and owner, on every later one. The collector
// (collector_server.cc) calls it at startup; tests call it for throwaway CAs. Any thread
// or process may call it: callers on one directory are serialized by a file lock.

#include <filesystem>

#include "absl/status/statusor.h"
#include "common/transport/agent_certificate.h"

namespace postura {

inline constexpr char kAgentCaCertificateFile[] = "agent-ca.crt";
inline constexpr char kAgentCaKeyFile[] = "agent-ca.key";

// The agent CA in `directory`. When neither file exists, creates the directory (mode
// 0700) and a new agent CA (NewAgentCertificateAuthority), the key written owner-only and
// both synced. When both exist, reads them after checking the key with CheckPrivateFile
// and that it belongs to the certificate. FailedPrecondition if only one exists (named:
// an operator's file is never overwritten) or the key is too open; InvalidArgument if a
// file does not parse or the pair does not match; the errno's code for I/O failures.
absl::StatusOr<AgentCertificateAuthority> EnsureAgentCertificateAuthority(
    const std::filesystem::path& directory);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_AGENT_CA_FILES_H_
