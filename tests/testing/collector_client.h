#ifndef POSTURA_TESTS_TESTING_COLLECTOR_CLIENT_H_
#define POSTURA_TESTS_TESTING_COLLECTOR_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"
#include "grpcpp/channel.h"
#include "postura/v1/access.pb.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::test {

// A channel of its own to `address`. gRPC shares one connection between channels with
// equal arguments, and a connection to a collector that has since exited fails its first
// call, so tests that restart a collector give each client a fresh channel.
std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address,
                                            const CollectorTrust& trust);
// The same, presenting `certificate` as the TLS client certificate.
std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address, const CollectorTrust& trust,
                                            const ClientCertificate& certificate);

// The trust of an admin of the collector whose data directory is `data_dir`: its local
// CA and the admin token it wrote on first start.
absl::StatusOr<CollectorTrust> AdminTrust(const std::string& data_dir);

// Creates an enrollment token for `asset_ids` of `tenant_id` with `uses` uses, valid for
// ten minutes: its text.
absl::StatusOr<std::string> CreateEnrollmentToken(const std::string& address,
                                                  const CollectorTrust& admin,
                                                  const std::vector<std::string>& asset_ids,
                                                  const std::string& tenant_id = "",
                                                  uint32_t uses = 1);

// Creates an API token of `role` for `tenant_id` (empty: the organisation), expiring after
// `ttl_seconds` (0: never): its text.
absl::StatusOr<std::string> CreateApiToken(const std::string& address, const CollectorTrust& admin,
                                           v1::Role role, const std::string& tenant_id = "",
                                           int64_t ttl_seconds = 0,
                                           const std::string& department_id = "");

// Registers the asset `asset_id` (implementation group `group`).
absl::Status PutAsset(const std::string& address, const CollectorTrust& admin,
                      const std::string& asset_id, v1::ImplementationGroup group);

// Enrolls the agent `agent_id` for `asset_ids` (of `tenant_id`; empty: the organisation)
// as a real agent does: the admin creates a one-use enrollment token and the agent
// redeems it. Returns the agent's trust: the CA and its own credential.
absl::StatusOr<CollectorTrust> EnrollAgent(const std::string& address, const CollectorTrust& admin,
                                           const std::string& agent_id,
                                           const std::vector<std::string>& asset_ids,
                                           const std::string& tenant_id = "");

// An agent enrolled with its own key: the CA it pins (no token), its key and certificate.
struct KeyedAgent {
  CollectorTrust trust;
  ClientCertificate certificate;
};

// EnrollAgent as an agent with its own key does: a new EC P-256 key, a signing request
// sent with the enrollment token.
absl::StatusOr<KeyedAgent> EnrollAgentWithKey(const std::string& address,
                                              const CollectorTrust& admin,
                                              const std::string& agent_id,
                                              const std::vector<std::string>& asset_ids,
                                              const std::string& tenant_id = "");

// Registers the asset `asset_id` (implementation group `group`) and enrolls the agent
// `agent_id` for it, with the admin's trust. Returns the agent's trust.
absl::StatusOr<CollectorTrust> RegisterAgentForAsset(const std::string& address,
                                                     const CollectorTrust& admin,
                                                     const std::string& agent_id,
                                                     const std::string& asset_id,
                                                     v1::ImplementationGroup group);

// The collector's record of the agent `agent_id` (ListAgents as `admin`); NotFound if it
// has none.
absl::StatusOr<v1::Agent> FindAgent(const std::string& address, const CollectorTrust& admin,
                                    const std::string& agent_id);

// The collector's ingest figures (GetIngestStats as `admin`).
absl::StatusOr<v1::IngestStats> GetIngestStats(const std::string& address,
                                               const CollectorTrust& admin);

// Opens an ingest stream as the agent `agent_id` (with `agent`'s credential), sends one
// batch of `items` numbered `sequence`, waits for its acknowledgement and closes the
// stream: the Ack. An error if the stream failed before the acknowledgement, or if the
// acknowledgement names another batch.
absl::StatusOr<v1::Ack> SendBatch(const std::string& address, const CollectorTrust& agent,
                                  const std::string& agent_id, uint64_t sequence,
                                  std::vector<v1::Evidence> items);

// Polls every 50 ms, up to `timeout`, until the collector has stored batch `sequence` of
// the agent `agent_id`. False on timeout.
bool WaitForStoredSequence(const std::string& address, const CollectorTrust& admin,
                           const std::string& agent_id, uint64_t sequence, absl::Duration timeout);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_COLLECTOR_CLIENT_H_
