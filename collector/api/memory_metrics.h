#ifndef POSTURA_COLLECTOR_API_MEMORY_METRICS_H_
#define POSTURA_COLLECTOR_API_MEMORY_METRICS_H_

// Where the collector's memory goes, on the /metrics page: the whole process (resident
// memory), the heap as the allocator sees it, and the budgets the store keeps (memtables,
// block cache, table readers). Scoring's state, the writer's queue and the history
// recorder's queues are written with their own figures. RenderMetrics (http_api.cc) calls it.
//
// Threading: thread-safe; `out` is the caller's.

#include "collector/api/prometheus_text.h"
#include "collector/store/evidence_store.h"

namespace postura::collector {

// Writes process_resident_memory_bytes, postura_heap_bytes{state} and, when a store is
// given, postura_store_memory_bytes{part}.
void WriteMemoryMetrics(const EvidenceStore* store_or_null, PrometheusText& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_MEMORY_METRICS_H_
