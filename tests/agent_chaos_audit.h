#ifndef POSTURA_TESTS_AGENT_CHAOS_AUDIT_H_
#define POSTURA_TESTS_AGENT_CHAOS_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"
#include "postura/v1/query.pb.h"

namespace postura::test {

// The judging half of tests/agent_chaos_test.cc: what the agents say they created, read
// from their spools; what the collector stored, read straight from its store once it has
// stopped; and the scores a collector serves. Plain functions, no state; each reads files
// or calls a collector, so call them from the test's thread while nothing else writes
// the spool or the store they read.

// What an agent's spool records, read by the test after the agent stopped cleanly. The
// spool numbers batches 1, 2, 3, ... with nothing skipped and keeps its next number
// durably, also when everything has been acknowledged (agent/delivery/spool.h), so the
// batches the agent ever created are exactly 1 .. last_sequence.
struct SpoolWitness {
  std::string agent_id;
  uint64_t last_sequence = 0;
  uint64_t acknowledged = 0;
  std::size_t pending_batches = 0;  // Created, not yet acknowledged.
  uint64_t dropped_items = 0;       // Dropped (spool full) or set aside, ever.
  bool has_set_aside = false;       // Records in the spool's rejected/ directory.
};

// Opens the spool in `spool_directory` (its agent must not be running).
absl::StatusOr<SpoolWitness> ReadSpoolWitness(const std::string& agent_id,
                                              const std::string& spool_directory);

// The verdict on a stopped collector's store against the agents' witnesses.
struct StoreAudit {
  uint64_t items_created = 0;         // Batches the agents numbered, times items a batch.
  uint64_t items_stored = 0;          // Records in the evidence log.
  uint64_t items_stored_twice = 0;    // Extra copies: in the log, or in the stored counters.
  uint64_t batches_missing = 0;       // Numbered by an agent, not in the log.
  std::vector<std::string> problems;  // What is wrong, one line each; empty when all is right.
  // When each source's current evidence stops counting (its expires_at), to tell whether
  // two score readings taken at different times may be compared.
  std::vector<int64_t> state_expiries_unix_nanos;
};

// Reads the store at `store_path` and checks, for every witness: the log holds batches
// 1 .. last_sequence of the agent, each with items 0 .. items_per_batch-1, nothing else
// and nothing twice (no two records with the same agent, asset, outcome, check and
// observed time); the agent's stored progress names the same last batch and counts the
// same items; nothing was dropped; and each source's current state is its latest record
// in the log. A store that cannot be read is a problem too.
StoreAudit AuditStore(const std::string& store_path, const std::vector<SpoolWitness>& witnesses,
                      int items_per_batch);

// The scores a collector serves at one moment: each asset's, and the organisation's.
struct ScoreReading {
  std::vector<v1::AssetScore> assets;
  v1::OrganizationScore organization;
  absl::Time taken_at;
};

// Asks the collector at `address` (as the admin `admin`) for the scores of `asset_ids`
// and of the organisation. The gRPC error if a call fails.
absl::StatusOr<ScoreReading> ReadScores(const std::string& address, const CollectorTrust& admin,
                                        const std::vector<std::string>& asset_ids);

// "" when the two readings hold the same scores (doubles equal within 1e-9), otherwise
// the differences, field by field.
std::string ScoreDifferences(const ScoreReading& a, const ScoreReading& b);

}  // namespace postura::test

#endif  // POSTURA_TESTS_AGENT_CHAOS_AUDIT_H_
