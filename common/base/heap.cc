#include "common/base/heap.h"

#include <dlfcn.h>
#include <malloc.h>

#include <cstddef>

namespace postura {
namespace {

// tcmalloc's C interface (gperftools/malloc_extension_c.h), if tcmalloc is linked.
using GetNumericProperty = int (*)(const char* property, size_t* value);
using SetNumericProperty = int (*)(const char* property, size_t value);
using ReleaseFreeMemory = void (*)();

struct Tcmalloc {
  GetNumericProperty get = nullptr;
  SetNumericProperty set = nullptr;
  ReleaseFreeMemory release = nullptr;
};

const Tcmalloc& FindTcmalloc() {
  static const Tcmalloc tcmalloc = [] {
    Tcmalloc found;
    found.get = reinterpret_cast<GetNumericProperty>(
        dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
    found.set = reinterpret_cast<SetNumericProperty>(
        dlsym(RTLD_DEFAULT, "MallocExtension_SetNumericProperty"));
    found.release = reinterpret_cast<ReleaseFreeMemory>(
        dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
    return found;
  }();
  return tcmalloc;
}

uint64_t Property(const Tcmalloc& tcmalloc, const char* name) {
  size_t value = 0;
  return tcmalloc.get(name, &value) ? value : 0;
}

}  // namespace

HeapFigures ReadHeapFigures() {
  HeapFigures figures;
  const Tcmalloc& tcmalloc = FindTcmalloc();
  if (tcmalloc.get != nullptr) {
    figures.tcmalloc = true;
    figures.allocated = Property(tcmalloc, "generic.current_allocated_bytes");
    // Free spans in the page heap, and objects cached per thread and centrally.
    figures.free = Property(tcmalloc, "tcmalloc.pageheap_free_bytes") +
                   Property(tcmalloc, "tcmalloc.current_total_thread_cache_bytes") +
                   Property(tcmalloc, "tcmalloc.central_cache_free_bytes") +
                   Property(tcmalloc, "tcmalloc.transfer_cache_free_bytes");
    return figures;
  }
  const struct mallinfo2 info = mallinfo2();
  figures.allocated = info.uordblks + info.hblkhd;
  figures.free = info.fordblks;
  return figures;
}

void ReleaseFreeHeapMemory() {
  const Tcmalloc& tcmalloc = FindTcmalloc();
  if (tcmalloc.release != nullptr) {
    tcmalloc.release();
  } else {
    malloc_trim(0);
  }
}

bool KeepHeapSmall(size_t max_thread_cache_bytes) {
  const Tcmalloc& tcmalloc = FindTcmalloc();
  if (tcmalloc.set == nullptr) return false;
  return tcmalloc.set("tcmalloc.aggressive_memory_decommit", 1) != 0 &&
         tcmalloc.set("tcmalloc.max_total_thread_cache_bytes", max_thread_cache_bytes) != 0;
}

HeapReleaser::HeapReleaser(absl::Duration period)
    : thread_([this, period] {
        while (!stop_.WaitForNotificationWithTimeout(period)) ReleaseFreeHeapMemory();
      }) {}

HeapReleaser::~HeapReleaser() {
  stop_.Notify();
  thread_.join();
}

}  // namespace postura
