#ifndef POSTURA_BENCH_LOAD_GENERATOR_H_
#define POSTURA_BENCH_LOAD_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace postura::bench {

// A load of simulated agents speaking the real ingest protocol to a collector: each has
// its own channel (as separate hosts would), keeps every unacknowledged batch, resends
// after reconnecting with jittered backoff, and respects the collector's window.
struct LoadOptions {
  std::string target;  // Collector address, host:port.
  int agents = 100;    // Agent i reports as "load-agent-i" for asset "load-asset-i".
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
};

struct LoadResult {
  uint64_t acknowledged_records = 0;  // Items in batches acknowledged as new or duplicate.
  absl::Duration elapsed;
  std::vector<double> ack_latency_ms;  // Per acknowledged batch, send to Ack.
  std::vector<AgentResult> agents;
  uint64_t reconnects = 0;
  bool completed = true;  // With batches_per_agent: every batch was acknowledged in time.
};

// Registers the load's assets and agents with the collector's admin API.
absl::Status RegisterLoadAgents(const LoadOptions& options);

// Runs the load until it is done (see LoadOptions) and reports what happened.
LoadResult RunLoad(const LoadOptions& options);

// The q-quantile (0..1) of `values`; 0 for none. Sorts `values`.
double Quantile(std::vector<double>& values, double q);

}  // namespace postura::bench

#endif  // POSTURA_BENCH_LOAD_GENERATOR_H_
