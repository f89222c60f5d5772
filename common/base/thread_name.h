#ifndef POSTURA_COMMON_BASE_THREAD_NAME_H_
#define POSTURA_COMMON_BASE_THREAD_NAME_H_

// Names the calling thread, so that `top -H`, `ps -L` and /proc/PID/task/*/comm show what
// each of a process's threads is for (operators see which part uses the CPU; the ingest
// benchmark reads the same names). The programs' long-lived threads call it first thing.
//
// Threading: names only the calling thread.

#include "absl/strings/string_view.h"

namespace postura {

// Linux keeps at most 15 bytes of a name; longer names are cut there.
void NameThisThread(absl::string_view name);

}  // namespace postura

#endif  // POSTURA_COMMON_BASE_THREAD_NAME_H_
