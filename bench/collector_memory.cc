#include "bench/collector_memory.h"

#include <httplib.h>

#include <cstdio>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/testing/https_client.h"
#include "tests/testing/process_stats.h"

namespace postura::bench {
namespace {

constexpr double kMib = 1024.0 * 1024.0;

// The value of the sample line that starts with `sample` ("name" or "name{labels}").
absl::StatusOr<double> Sample(const std::string& page, const std::string& sample) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::ConsumePrefix(&line, sample) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return absl::NotFoundError(absl::StrCat("/metrics has no sample ", sample));
}

}  // namespace

absl::StatusOr<CollectorMemory> MeasureCollectorMemory(const test::CollectorProcess& collector) {
  CollectorMemory memory;
  const pid_t pid = collector.pid();
  memory.rss_mib = test::ProcessMemoryMib(pid, "VmRSS");
  memory.anon_mib = test::ProcessMemoryMib(pid, "RssAnon");
  memory.file_mib = test::ProcessMemoryMib(pid, "RssFile");
  memory.peak_mib = test::ProcessMemoryMib(pid, "VmHWM");
  auto client =
      test::HttpsClient(collector.http_address(), collector.ca_file(), collector.admin().token);
  client->set_read_timeout(30);
  httplib::Result page = client->Get("/metrics");
  for (int attempt = 1; attempt < 3 && (!page || page->status != 200); ++attempt) {
    page = client->Get("/metrics");  // A busy machine may time the first try out.
  }
  if (!page) {
    return absl::UnavailableError(
        absl::StrCat("cannot fetch /metrics: ", httplib::to_string(page.error())));
  }
  if (page->status != 200) {
    return absl::UnavailableError(absl::StrCat("/metrics answered ", page->status));
  }
  const struct {
    const char* sample;
    double* mib;
  } figures[] = {
      {"postura_store_memory_bytes{part=\"memtables\"}", &memory.memtables_mib},
      {"postura_store_memory_bytes{part=\"block_cache\"}", &memory.block_cache_mib},
      {"postura_store_memory_bytes{part=\"table_readers\"}", &memory.table_readers_mib},
      {"postura_scoring_state_bytes", &memory.scoring_state_mib},
      {"postura_scoring_inbox_bytes", &memory.scoring_inbox_mib},
      {"postura_ingest_queued_bytes", &memory.writer_queue_mib},
      {"postura_history_queued_bytes", &memory.history_queue_mib},
      {"postura_heap_bytes{state=\"allocated\"}", &memory.heap_allocated_mib},
      {"postura_heap_bytes{state=\"free\"}", &memory.heap_free_mib},
  };
  for (const auto& figure : figures) {
    absl::StatusOr<double> bytes = Sample(page->body, figure.sample);
    if (!bytes.ok()) return bytes.status();
    *figure.mib = *bytes / kMib;
  }
  return memory;
}

void PrintCollectorMemory(const std::string& when, const CollectorMemory& m, double goal_mb) {
  const double rss_mb = m.rss_mib * kMib / 1e6;
  std::printf(
      "collector RSS %s: %.1f MiB = %.1f MB (peak %.1f MiB)   goal < %.0f MB: %s\n"
      "    private %.1f MiB, mapped files %.1f MiB; heap allocated %.1f, free in the allocator "
      "%.1f MiB; of the allocated: memtables %.1f, block cache %.1f, table readers %.1f, "
      "scoring state %.1f, scoring inbox %.1f, writer queue %.1f, history queue %.1f MiB\n",
      when.c_str(), m.rss_mib, rss_mb, m.peak_mib, goal_mb, rss_mb < goal_mb ? "met" : "NOT met",
      m.anon_mib, m.file_mib, m.heap_allocated_mib, m.heap_free_mib, m.memtables_mib,
      m.block_cache_mib, m.table_readers_mib, m.scoring_state_mib, m.scoring_inbox_mib,
      m.writer_queue_mib, m.history_queue_mib);
}

// Empty twice in a row half a second apart: a scoring round in progress holds what it took.
absl::StatusOr<absl::Duration> WaitUntilCaughtUp(const test::CollectorProcess& collector,
                                                 absl::Duration limit) {
  const absl::Time start = absl::Now();
  int idle_readings = 0;
  while (absl::Now() - start < limit) {
    absl::StatusOr<CollectorMemory> memory = MeasureCollectorMemory(collector);
    if (!memory.ok()) return memory.status();
    const bool idle = memory->scoring_inbox_mib == 0 && memory->writer_queue_mib == 0 &&
                      memory->history_queue_mib == 0;
    idle_readings = idle ? idle_readings + 1 : 0;
    if (idle_readings == 2) return absl::Now() - start;
    absl::SleepFor(absl::Milliseconds(500));
  }
  return absl::DeadlineExceededError("scoring did not catch up with ingest");
}

}  // namespace postura::bench
