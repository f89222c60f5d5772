#ifndef POSTURA_COLLECTOR_SECTOR_FEDERATION_H_
#define POSTURA_COLLECTOR_SECTOR_FEDERATION_H_

// Sector federation as the config asks for it (docs/scale.md, "Sector federation"):
//  - with a sector_publish section, this organisation's publisher: its key, the
//    connection to the sector's stream, and the publisher reading live scores
//    (sector/sector_publisher.h);
//  - with a sector section, sector mode: the members' public keys, the connection to the
//    sector's stream, and the feed reading it into the sector's view
//    (sector/sector_feed.h), which the HTTPS API serves.
// A collector may do both (an organisation that is also its sector's collector).
//
// Threading: Start and the destructor from the composition root; the accessors from any
// thread (the objects they return are thread-safe).

#include <memory>

#include "absl/status/statusor.h"
#include "collector/alerting/alert_sector.h"
#include "collector/federation_config.h"
#include "collector/scoring/live_scorer.h"
#include "collector/sector/sector_feed.h"
#include "collector/sector/sector_publisher.h"
#include "common/base/clock.h"

namespace postura::collector {

class SectorFederation {
 public:
  // Starts what the settings turn on; null when they turn on nothing. Errors name the
  // key: FailedPrecondition for a key file that is not private, InvalidArgument for a key
  // that is not EC P-256, NotFound for a missing file; Unavailable if no NATS server
  // answers; FailedPrecondition for a stream configured otherwise. `scorer` and `catalog`
  // are borrowed.
  static absl::StatusOr<std::unique_ptr<SectorFederation>> Start(
      const SectorPublishSettings& publish, const SectorSettings& sector, const LiveScorer& scorer,
      const Catalog& catalog);

  const SectorPublisher* publisher() const { return publisher_.get(); }  // Null if off.
  const SectorFeed* feed() const { return feed_.get(); }                 // Null if off.

  // In sector mode, what sector_outcome_degraded alerts watch: the view's degraded
  // outcomes at `clock`'s now, covering the whole window once the view has run for it
  // since this call (the falls before the start are not kept). Null when not in sector
  // mode. The source borrows this federation, `catalog` and `clock`.
  SectorSource DegradationSource(const Catalog& catalog, Clock& clock) const;

 private:
  SectorFederation() = default;
  absl::Status StartPublishing(const SectorPublishSettings& settings, const LiveScorer& scorer,
                               const Catalog& catalog);
  absl::Status StartSectorMode(const SectorSettings& settings, const Catalog& catalog);

  // Each log is declared before what uses it, so destroyed after it.
  std::unique_ptr<JetStreamLog> publish_log_;
  std::unique_ptr<SectorPublisher> publisher_;
  std::unique_ptr<JetStreamLog> sector_log_;
  std::unique_ptr<SectorFeed> feed_;
  absl::Duration degraded_window_;  // sector.degraded_window.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SECTOR_FEDERATION_H_
