#ifndef POSTURA_TESTS_TESTING_COLLECTOR_CLIENT_H_
#define POSTURA_TESTS_TESTING_COLLECTOR_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/channel.h"
#include "postura/v1/admin.pb.h"

namespace postura::test {

// A channel of its own to `address`. gRPC shares one connection between channels with
// equal arguments, and a connection to a collector that has since exited fails its first
// call, so tests that restart a collector give each client a fresh channel.
std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address);

// Registers the asset `asset_id` (implementation group `group`) and the agent `agent_id`
// bound to it, with the admin API of the collector at `address`.
absl::Status RegisterAgentForAsset(const std::string& address, const std::string& agent_id,
                                   const std::string& asset_id, v1::ImplementationGroup group);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_COLLECTOR_CLIENT_H_
