#include "collector/api/memory_metrics.h"

#include <unistd.h>

#include <cstdint>
#include <fstream>

#include "common/base/heap.h"

namespace postura::collector {
namespace {

// The process's resident memory, from /proc/self/statm; 0 if it cannot be read.
double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

void WriteMemoryMetrics(const EvidenceStore* store_or_null, PrometheusText& out) {
  out.Family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
  out.Sample("process_resident_memory_bytes", {}, ResidentBytes());
  const HeapFigures heap = ReadHeapFigures();
  out.Family("postura_heap_bytes",
             "The heap as the allocator sees it: allocated by the program, or free and held for "
             "reuse (returned to the system every second).",
             "gauge");
  out.Sample("postura_heap_bytes", {{"state", "allocated"}}, static_cast<double>(heap.allocated));
  out.Sample("postura_heap_bytes", {{"state", "free"}}, static_cast<double>(heap.free));
  if (store_or_null == nullptr) return;
  const StoreMemoryUsage store = store_or_null->MemoryUsage();
  out.Family("postura_store_memory_bytes",
             "Memory the embedded store holds: memtables (budget store.memtable_bytes), block "
             "cache (budget store.block_cache_bytes), table readers outside the cache.",
             "gauge");
  out.Sample("postura_store_memory_bytes", {{"part", "memtables"}},
             static_cast<double>(store.memtables));
  out.Sample("postura_store_memory_bytes", {{"part", "block_cache"}},
             static_cast<double>(store.block_cache));
  out.Sample("postura_store_memory_bytes", {{"part", "table_readers"}},
             static_cast<double>(store.table_readers));
}

}  // namespace postura::collector
