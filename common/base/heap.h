#ifndef POSTURA_COMMON_BASE_HEAP_H_
#define POSTURA_COMMON_BASE_HEAP_H_

// The process's heap as its allocator sees it, and returning its free memory to the
// system. The collector links tcmalloc (CMakeLists.txt, POSTURA_MALLOC), which keeps
// freed pages for reuse: after a burst of ingest it held about 30 MiB that no one used
// (bench/README.md, "Memory"). Found at run time through tcmalloc's C interface, so the
// same code runs with glibc's malloc or a sanitizer's (HeapFigures then report what
// mallinfo2 knows, and releasing asks malloc_trim).
//
// Threading: the functions are thread-safe. HeapReleaser owns one thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace postura {

struct HeapFigures {
  uint64_t allocated = 0;  // Bytes the program has allocated and not freed.
  uint64_t free = 0;       // Bytes the allocator holds, resident, for reuse.
  bool tcmalloc = false;   // Whether the figures are tcmalloc's.
};

HeapFigures ReadHeapFigures();

// The heap `text` holds beyond the string object itself: none while it fits in place.
inline size_t StringHeapBytes(const std::string& text) {
  return text.capacity() > std::string().capacity() ? text.capacity() + 1 : 0;
}

// Returns the allocator's free pages to the system (they stay reserved address space).
void ReleaseFreeHeapMemory();

// Asks tcmalloc, if linked, to keep little free memory: freed spans go back to the system
// at once (aggressive decommit) and all threads' caches together hold at most
// `max_thread_cache_bytes`. For a process whose bursts (the collector's, under a flood of
// evidence) would otherwise leave tens of MiB free in its caches; it costs some CPU in
// system calls (bench/README.md, "The collector's memory"). False without tcmalloc.
bool KeepHeapSmall(size_t max_thread_cache_bytes);

// Calls ReleaseFreeHeapMemory every `period` until destroyed.
class HeapReleaser {
 public:
  explicit HeapReleaser(absl::Duration period);
  ~HeapReleaser();
  HeapReleaser(const HeapReleaser&) = delete;
  HeapReleaser& operator=(const HeapReleaser&) = delete;

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace postura

#endif  // POSTURA_COMMON_BASE_HEAP_H_
