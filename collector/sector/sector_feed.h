#ifndef POSTURA_COLLECTOR_SECTOR_SECTOR_FEED_H_
#define POSTURA_COLLECTOR_SECTOR_SECTOR_FEED_H_

// The sector collector's side of sector federation (issue 20, item 2; docs/scale.md): a
// thread reads the sector's stream, opens each message with the key of the organisation
// whose subject it came on ("<prefix>.<organisation>.<asset reference>",
// signed_summary.h) and applies what opens to the SectorView. A message that does not
// open (not a member, not its key, another organisation's id, malformed or out of
// bounds) is refused: counted, logged with its reason, and skipped; the feed goes on.
//
// The stream keeps the newest summary per asset, so the feed reads it from its first
// message at every start: a restarted sector collector ends with the same view.
//
// Threading: one reading thread; Read and stats() from any thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/replication/jetstream_log.h"
#include "collector/sector/sector_view.h"
#include "collector/sector/signed_summary.h"

namespace postura::collector {

struct SectorFeedOptions {
  size_t outcome_count = 0;  // The catalog's.
  SectorViewOptions view;
  // The consumer's name on the stream (A-Z, a-z, 0-9, - and _).
  std::string consumer = "postura-sector";
};

struct SectorFeedStats {
  uint64_t applied = 0;        // Summaries that changed the view.
  uint64_t stale = 0;          // Summaries no newer than the view's (replays).
  uint64_t refused = 0;        // Messages that did not open.
  uint64_t read_failures = 0;  // Reads of the stream that failed (retried).
  uint64_t position = 0;       // The stream sequence read last.
  std::string last_refusal;    // Why the last refused message was refused.
};

// The organisation a sector subject names: "<prefix>.<organisation>.<asset>" below the
// stream subject "<prefix>.>"; empty for any other subject.
std::string SubjectOrganisation(const std::string& stream_subject, const std::string& subject);

class SectorFeed {
 public:
  // Starts reading `log` (a stream over "<prefix>.>"; borrowed, it must outlive the
  // feed) into a view of `options`. InvalidArgument for a stream subject without ".>" or
  // a bad consumer name.
  static absl::StatusOr<std::unique_ptr<SectorFeed>> Start(JetStreamLog& log, SectorMembers members,
                                                           SectorFeedOptions options);
  ~SectorFeed();  // Stops reading.

  SectorFeed(const SectorFeed&) = delete;
  SectorFeed& operator=(const SectorFeed&) = delete;

  // Calls `reader` with the view, which does not change meanwhile.
  void Read(const std::function<void(const SectorView&)>& reader) const;

  SectorFeedStats stats() const;

 private:
  SectorFeed(JetStreamLog& log, SectorMembers members, SectorFeedOptions options);
  void Run();
  // Opens and applies one message.
  void Take(const LogMessage& message);

  JetStreamLog& log_;
  const SectorMembers members_;
  const SectorFeedOptions options_;

  mutable absl::Mutex mu_;
  SectorView view_ ABSL_GUARDED_BY(mu_);
  SectorFeedStats stats_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SECTOR_SECTOR_FEED_H_
