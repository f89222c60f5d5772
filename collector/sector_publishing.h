#ifndef POSTURA_COLLECTOR_SECTOR_PUBLISHING_H_
#define POSTURA_COLLECTOR_SECTOR_PUBLISHING_H_

// Publishing this organisation's asset summaries to its sector, when the config has a
// sector_publish section (docs/scale.md, "Sector federation"): the organisation's key,
// the connection to the sector's stream, and the publisher (sector/sector_publisher.h)
// reading live scores.
//
// Threading: Start and the destructor from the composition root; stats() from any thread.

#include <memory>

#include "absl/status/statusor.h"
#include "collector/collector_config.h"
#include "collector/scoring/live_scorer.h"
#include "collector/sector/sector_publisher.h"

namespace postura::collector {

class SectorPublishing {
 public:
  // Reads the key (FailedPrecondition if its file is not private, InvalidArgument if it is
  // not an EC P-256 key, both naming sector_publish.key_file), connects to the sector's
  // NATS servers (Unavailable if none answers), makes sure its stream exists as
  // configured, and starts publishing what `scorer` (borrowed) holds. Null, publishing
  // nothing, when `settings` are not enabled (no sector_publish section).
  static absl::StatusOr<std::unique_ptr<SectorPublishing>> Start(
      const SectorPublishSettings& settings, const LiveScorer& scorer, const Catalog& catalog);

  SectorPublisherStats stats() const { return publisher_->stats(); }

 private:
  SectorPublishing() = default;
  std::unique_ptr<JetStreamLog> log_;
  std::unique_ptr<SectorPublisher> publisher_;  // Declared after the log: stopped before it.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SECTOR_PUBLISHING_H_
