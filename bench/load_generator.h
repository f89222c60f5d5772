#ifndef POSTURA_BENCH_LOAD_GENERATOR_H_
#define POSTURA_BENCH_LOAD_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"

namespace postura::bench {

// A load of simulated agents speaking the real ingest protocol to a collector: each has
// its own channel (as separate hosts would), keeps every unacknowledged batch, resends
// after reconnecting with jittered backoff, and respects the collector's window.
struct LoadOptions {
  std::string target;  // Collector address, host:port.
  // A cluster's other collectors: an agent whose stream broke reconnects to the next in
  // turn, as a real agent with fallback collectors does. They must trust admin's CA.
  std::vector<std::string> fallback_targets;
  CollectorTrust admin;  // The collector's CA and an admin token, to register the load.
  // Agent i's own credential; filled in by RegisterLoadAgents.
  std::vector<std::string> agent_credentials;
  // Agent i reports as LoadAgentId(i) for the assets LoadAssetId(assets_per_agent * i) to
  // LoadAssetId(assets_per_agent * (i + 1) - 1).
  int agents = 100;
  int assets_per_agent = 1;
  // Each item is for a random one of the agent's assets and a random IG1 outcome, at a
  // random level other than the one the agent last sent for that (asset, outcome), with
  // one check id per outcome: as the agent is then the cell's only source, every item
  // changes a score, except that the first item per cell of a later RunLoad may repeat the
  // level an earlier one left. Otherwise outcomes cycle, with one check id per outcome,
  // and each check's level moves on every 16th batch of the agent.
  bool random_items = false;
  // Number batches after the last sequence the collector stored for the agent (its
  // Welcome), as an agent that kept its state would: for a second load with the same ids.
  bool resume_sequences = false;
  int items_per_batch = 50;
  int detail_bytes = 200;  // Makes items a few hundred bytes, like real evidence.
  // Stop after this many batches per agent (each acknowledged), or when `duration` ends if
  // 0. With a fixed count, the run also ends at `deadline` if batches stay unacknowledged.
  uint64_t batches_per_agent = 0;
  absl::Duration duration = absl::Seconds(10);
  absl::Duration deadline = absl::Minutes(5);
  // Offered load in records per second over all agents; 0 for as fast as the window allows.
  double records_per_second = 0;
  // After each batch sent, the agent drops its connection with this probability.
  double drop_probability = 0;
  uint32_t seed = 1;
};

struct AgentResult {
  std::string agent_id;
  std::vector<uint64_t> acknowledged;  // Sequences acknowledged (by Ack or Welcome).
  uint64_t batches_sent = 0;           // Including resends.
  uint64_t reconnects = 0;
  std::string last_error;  // How the last broken stream ended, e.g. "UNAVAILABLE: ...".
};

struct LoadResult {
  uint64_t acknowledged_records = 0;  // Items in batches acknowledged as new or duplicate.
  // From the start to the last acknowledgement (to the end, without one): agents that a
  // full collector kept out and that retry until their time is over do not stretch it.
  absl::Duration elapsed;
  std::vector<double> ack_latency_ms;  // Per acknowledged batch, send to Ack.
  std::vector<AgentResult> agents;
  uint64_t reconnects = 0;
  bool completed = true;  // With batches_per_agent: every batch was acknowledged in time.
};

// "load-agent-i" and "load-asset-i".
std::string LoadAgentId(int i);
std::string LoadAssetId(int i);

// Registers the load's assets with the collector's admin API and enrolls its agents, each
// with an enrollment token of its own, as real agents do; fills in
// options.agent_credentials.
absl::Status RegisterLoadAgents(LoadOptions& options);

// Runs the load until it is done (see LoadOptions) and reports what happened.
LoadResult RunLoad(const LoadOptions& options);

// The q-quantile (0..1) of `values`; 0 for none. Sorts `values`.
double Quantile(std::vector<double>& values, double q);

}  // namespace postura::bench

#endif  // POSTURA_BENCH_LOAD_GENERATOR_H_
