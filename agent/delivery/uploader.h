#ifndef POSTURA_AGENT_DELIVERY_UPLOADER_H_
#define POSTURA_AGENT_DELIVERY_UPLOADER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/delivery/certificate_renewal.h"
#include "agent/delivery/spool.h"
#include "common/transport/collector_channel.h"
#include "common/transport/evidence_seal.h"
#include "postura/v1/ingest.grpc.pb.h"

namespace postura::agent {

struct UploaderOptions {
  // host:port of each collector, in the order tried: one, or a cluster's (docs/scale.md),
  // where a stream that ends for any reason but a refused batch moves on to the next.
  // At least one.
  std::vector<std::string> collector_addresses;
  CollectorTrust trust;  // The CA pinned, and a bearer credential if any.
  // The agent's key and certificate, read at each connection; a change (a renewed
  // certificate) ends the stream so that the next one uses it. With one, every batch
  // goes signed by the key (Batch.signature). Null: none (a bearer credential; batches
  // go unsigned). Must outlive the uploader.
  const IdentityHolder* identity = nullptr;
  std::string agent_id;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(30);
  // A stream whose Hello is not answered within this is cancelled and retried.
  absl::Duration welcome_timeout = absl::Seconds(15);
  // Streams in a row that the collector ends as invalid at the same oldest batch before
  // that batch is set aside.
  int max_refusals = 3;
};

// Delivers the spool's batches to the collector over the ingest stream
// (docs/ingest-protocol.md) and forgets them once acknowledged. On its own thread: it
// connects, drops what the Welcome says is stored, adopts the limits the Welcome
// announces (recutting spooled batches that exceed them), sends the rest oldest first
// within the collector's window, and after any failure reconnects with jittered
// exponential backoff (initial_backoff doubling to max_backoff), resending everything
// unacknowledged. It runs for as long as needed with the collector down. With several
// collectors it reconnects to the next one in turn (a replica of the same
// cluster, which tells a resend apart, so nothing is stored twice).
//
// Nothing is retried forever: items the collector rejects are acknowledged with the
// batch, counted and logged; a batch that ends the stream as invalid
// (INVALID_ARGUMENT) `max_refusals` times in a row is set aside by the spool.
// Thread-safe. `spool` must outlive it.
class Uploader {
 public:
  Uploader(Spool& spool, const UploaderOptions& options);
  // Stops the thread; what is unacknowledged stays in the spool.
  ~Uploader();

  // Wakes the uploader after new batches were appended.
  void Notify();

  uint64_t reconnects() const;
  bool connected() const;
  // The collector the uploader reports to, or tries next.
  std::string collector() const;
  // Items the collector rejected (acknowledged but not stored), since start.
  uint64_t rejected_items() const;

 private:
  void Run();
  // One connection; returns when it fails or the uploader stops, with how it ended.
  grpc::Status RunStream();
  // Adopts the Welcome's stored sequence and limits before anything is sent.
  void Welcomed(const v1::Welcome& welcome);
  // Sets the oldest batch aside once the collector has refused it max_refusals times.
  void NoteStreamEnd(const grpc::Status& status);
  // Recuts or sets aside the oldest batch when it exceeds the limits; true if it did.
  bool FitOldestToLimits();
  void NoteRejections(const v1::Ack& ack);
  // A channel (and signer) for the identity holder's current certificate, to the
  // collector of collector_index_.
  void Connect();
  // After a stream ended with `status`: moves to the next collector, if there are
  // several and the stream did not end for a refused batch or a renewed certificate.
  void MoveOnAfter(const grpc::Status& status);
  // Signs `batch` with the agent's key, if it has one.
  void Sign(v1::Batch& batch) const;
  // True if the identity holder has a newer identity than the channel's.
  bool IdentityChanged() const {
    return options_.identity != nullptr && options_.identity->generation() != identity_generation_;
  }
  // Sends unacknowledged batches above `sent` while the window has room; false when the
  // stream broke.
  bool SendMore(grpc::ClientReaderWriter<v1::AgentMessage, v1::CollectorMessage>& stream,
                uint64_t& sent, std::deque<uint64_t>& in_flight, uint32_t window);
  bool ShouldWake() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return wakeups_ != seen_wakeups_ || stopping_ || stream_broken_;
  }

  Spool& spool_;
  const UploaderOptions options_;
  std::unique_ptr<v1::IngestService::Stub> stub_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t wakeups_ ABSL_GUARDED_BY(mu_) = 0;  // Bumped by Notify and by acks.
  uint64_t seen_wakeups_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t acknowledged_ ABSL_GUARDED_BY(mu_) = 0;  // Highest ack on this stream.
  uint64_t reconnects_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rejected_items_ ABSL_GUARDED_BY(mu_) = 0;
  size_t collector_index_ ABSL_GUARDED_BY(mu_) = 0;  // In options_.collector_addresses.
  // The oldest batch when the collector last ended a stream as invalid, and how often in a
  // row. Only the uploader thread touches them.
  uint64_t refused_oldest_ = 0;
  int refusals_ = 0;
  // The identity generation the stub's channel was made with (uploader thread only).
  uint64_t identity_generation_ = 0;
  // Signs batches with the key of that identity; empty without one (uploader thread only).
  std::optional<EvidenceSigner> signer_;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;  // To cancel on stop.
  std::thread thread_;
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_UPLOADER_H_
