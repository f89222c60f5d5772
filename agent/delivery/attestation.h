#ifndef POSTURA_AGENT_DELIVERY_ATTESTATION_H_
#define POSTURA_AGENT_DELIVERY_ATTESTATION_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/config/agent_config.h"
#include "agent/delivery/spool.h"
#include "common/model/catalog.h"
#include "postura/v1/evidence.pb.h"

namespace postura::agent {

// What a person declares with `postura-agent attest`.
struct AttestationRequest {
  std::string asset;
  std::string outcome;
  int level_hundredths = -1;  // 0, 33, 67 or 100.
  std::string note;           // Why: becomes the evidence's detail.
  std::string evidence_file;  // Optional: its SHA-256 is recorded.
  absl::Duration expires_after = absl::Hours(24 * 90);
};

// Builds attested evidence from a request, checking it against the agent's config and the
// catalog. InvalidArgument saying which argument is wrong and what is allowed; NotFound if
// the evidence file cannot be read.
absl::StatusOr<v1::Evidence> MakeAttestation(const AttestationRequest& request,
                                             const AgentOptions& options, const Catalog& catalog,
                                             absl::Time now);

// The inbox beside the spool where `attest` leaves evidence for the running agent (a second
// process must not write to the spool the agent holds). Files are written whole and renamed
// into place, so the agent never reads a partial one.
absl::Status PutInInbox(const std::filesystem::path& spool_directory, const v1::Evidence& item);

// Moves everything in the inbox into `spool` as one batch, then deletes the inbox files.
// Returns the number of items moved. A file that does not parse is set aside with a
// ".bad" suffix and reported in the log, never dropped silently.
absl::StatusOr<int> DrainInbox(const std::filesystem::path& spool_directory, Spool& spool);

// Hex SHA-256 of a file's bytes; NotFound if it cannot be read.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_ATTESTATION_H_
