#ifndef POSTURA_COLLECTOR_SECTOR_SECTOR_PUBLISHER_H_
#define POSTURA_COLLECTOR_SECTOR_SECTOR_PUBLISHER_H_

// An organisation's side of sector federation (issue 20, item 2; docs/scale.md): it reads
// the live scores of the organisation's assets, makes each asset's summary
// (signed_summary.h) and publishes it, signed with the organisation's key, to the
// sector's stream on the subject "<prefix>.<organisation>.<asset reference>", where the
// stream keeps the newest message per subject. A summary is published when its figures
// change, and again every `refresh` (so that a sector that lost its view, or joins late,
// sees every asset); an asset that left the registry is published once as removed.
// Nothing but these figures leaves the organisation: no evidence, details or documents,
// and asset ids only if `publish_asset_ids`.
//
// At start, before it publishes anything, the publisher reads back what the stream holds
// on its organisation's subjects (RecallPublished), so that an asset removed while it was
// down is published as removed. Versions are the publisher's clock in nanoseconds, or one
// more than the last one published for the asset (read back, or removed) if that is
// greater, so they grow across restarts even if the clock went back. A publication the
// stream does not store is tried again next round, and so is a read-back that failed;
// the publisher keeps serving.
//
// Threading: one thread publishes every `interval` after Start; PublishChanges may also
// be called directly by a test (not while the thread runs). stats() from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/replication/jetstream_log.h"
#include "collector/scoring/live_scorer.h"
#include "common/model/catalog.h"
#include "common/transport/p256_signature.h"
#include "postura/v1/sector.pb.h"

namespace postura::collector {

struct SectorPublisherOptions {
  std::string organisation_id;  // As the sector knows it (IsSectorName).
  bool publish_asset_ids = false;
  absl::Duration interval = absl::Seconds(30);  // How often figures are compared.
  absl::Duration refresh = absl::Hours(1);      // How often unchanged ones are sent again.
};

struct SectorPublisherStats {
  uint64_t published = 0;  // Summaries and removals the stream stored.
  uint64_t failures = 0;   // Publications it did not store (tried again).
  uint64_t rounds = 0;
};

// An asset's summary, without version and publication time.
v1::SectorAssetSummary SummaryOf(const AssetSnapshot& snapshot, const Catalog& catalog,
                                 const std::string& organisation_id, bool publish_asset_ids);

class SectorPublisher {
 public:
  // The organisation's assets as live scoring has them.
  using Snapshots = std::function<std::vector<AssetSnapshot>()>;

  // `log` is the sector's stream ("<prefix>.>", one message per subject); it, `catalog`
  // and whatever `snapshots` reads must outlive the publisher. InvalidArgument for an
  // organisation id that is not a sector name or a stream subject without ".>".
  static absl::StatusOr<std::unique_ptr<SectorPublisher>> Create(JetStreamLog& log, P256Signer key,
                                                                 Snapshots snapshots,
                                                                 const Catalog& catalog,
                                                                 SectorPublisherOptions options);
  ~SectorPublisher();  // Stops the thread, if started.

  SectorPublisher(const SectorPublisher&) = delete;
  SectorPublisher& operator=(const SectorPublisher&) = delete;

  // Publishes every `interval` from now on.
  void Start();

  // Reads the summaries the stream holds on this organisation's subjects that open with
  // its key, and remembers each asset and version as published (figures unknown, so the
  // next round publishes each current one again and a removal for each other one), and
  // each removal's version (an asset that comes back is published above it). The thread
  // does this before its first round, again each round until it succeeds, and publishes
  // nothing until then. Unavailable if the stream cannot be read.
  absl::Status RecallPublished();

  // One round at `now`: publishes what changed, what is due a refresh and what was
  // removed. The number the stream stored; the first failure if any publication failed
  // (the others were still tried).
  absl::StatusOr<int> PublishChanges(absl::Time now);

  SectorPublisherStats stats() const;

 private:
  struct Published {
    std::string figures;  // The summary without version and time, serialized.
    uint64_t version = 0;
    absl::Time at;
  };

  SectorPublisher(JetStreamLog& log, P256Signer key, Snapshots snapshots, const Catalog& catalog,
                  SectorPublisherOptions options, std::string subject_prefix);
  // Signs and appends `summary` (whose serialization without version and time is
  // `figures`) as the asset's next version.
  absl::Status Publish(v1::SectorAssetSummary summary, std::string figures, Published& last,
                       absl::Time now);
  void Run();

  JetStreamLog& log_;
  const P256Signer key_;
  const Snapshots snapshots_;
  const Catalog& catalog_;
  const SectorPublisherOptions options_;
  const std::string subject_prefix_;                       // "<prefix>.<organisation>."
  absl::flat_hash_map<std::string, Published> published_;  // By asset reference.
  // Assets read back as removed, with the removal's version, until they come back.
  absl::flat_hash_map<std::string, uint64_t> removed_versions_;
  bool recalled_ = false;  // The thread's; RecallPublished did.

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  SectorPublisherStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SECTOR_SECTOR_PUBLISHER_H_
