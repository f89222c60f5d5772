#ifndef POSTURA_BENCH_COLLECTOR_MEMORY_H_
#define POSTURA_BENCH_COLLECTOR_MEMORY_H_

// Where a running collector's memory goes, as the benchmarks print it: the process's RSS
// from /proc (private memory, mapped files) and the parts the collector reports on
// /metrics (the heap, the store's memtables, block cache and table readers, the scoring
// state, the writer queue). Used by scoring_bench; one thread.

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/collector_process.h"

namespace postura::bench {

struct CollectorMemory {
  double rss_mib = 0, anon_mib = 0, file_mib = 0, peak_mib = 0;  // /proc/PID/status
  double memtables_mib = 0, block_cache_mib = 0, table_readers_mib = 0;
  double scoring_state_mib = 0, scoring_inbox_mib = 0, writer_queue_mib = 0;
  double history_queue_mib = 0;
  double heap_allocated_mib = 0, heap_free_mib = 0;  // As the allocator sees the heap.
};

// Reads both sources; an error if /metrics cannot be fetched or lacks a figure.
absl::StatusOr<CollectorMemory> MeasureCollectorMemory(const test::CollectorProcess& collector);

// Waits (at most `limit`) until nothing acknowledged waits for the writer, for scoring or
// for the history recorder (their queues on /metrics, empty twice in a row); returns how
// long that took.
absl::StatusOr<absl::Duration> WaitUntilCaughtUp(const test::CollectorProcess& collector,
                                                 absl::Duration limit);

// Prints one line for `when`, with the RSS in MB (10^6 bytes) against `goal_mb`.
void PrintCollectorMemory(const std::string& when, const CollectorMemory& memory, double goal_mb);

}  // namespace postura::bench

#endif  // POSTURA_BENCH_COLLECTOR_MEMORY_H_
