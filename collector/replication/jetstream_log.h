#ifndef POSTURA_COLLECTOR_REPLICATION_JETSTREAM_LOG_H_
#define POSTURA_COLLECTOR_REPLICATION_JETSTREAM_LOG_H_

// A durable, replicated log on NATS JetStream (issue 20): the engine that is to carry
// batches between the collectors of a cluster and organisations' summaries to a sector
// collector. It wraps the NATS C client (libnats) in the few operations those need:
//
//  - Open: connect to the servers and make sure the stream exists with the subject and
//    replication asked for (created if missing; an existing stream configured otherwise
//    is refused, not changed behind the operator's back);
//  - Append: store one message under a message id and return once JetStream has stored it
//    with the stream's replicas; the same id again within the duplicate window is stored
//    once and reported as a duplicate (JetStream's own deduplication);
//  - Consume: read in stream order from a sequence the caller gives (its own durable
//    position), handing groups of messages to the caller.
//
// Cluster mode's ingest (replicated_ingest.h) carries batches on it; the sector's stream
// is to use it too (docs/scale.md says what is there).
//
// Threading: Append may be called from several threads at once (libnats serialises on its
// connection). A LogConsumer is used by one thread at a time. The log must outlive its
// consumers.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;

namespace postura::collector {

struct JetStreamLogOptions {
  // NATS servers, "nats://host:port"; at least one.
  std::vector<std::string> servers;
  // The stream's name (A-Z, a-z, 0-9, - and _) and the subject it stores: a plain one,
  // or "prefix.>" for every subject below prefix (AppendTo names one).
  std::string stream;
  std::string subject;
  // How many messages the stream keeps per subject, the newest; 0 for all of them. 1
  // makes the stream the newest message of each subject (the sector's summaries).
  int64_t max_messages_per_subject = 0;
  // Copies JetStream keeps of each message: 1, or 3 on a three-node cluster.
  int replicas = 1;
  // How long JetStream remembers message ids to drop repeats.
  absl::Duration duplicate_window = absl::Minutes(2);
  // Bound on connecting and on each call's wait for the server.
  absl::Duration timeout = absl::Seconds(5);
  // A message handed to a consumer and not acknowledged within this comes again.
  absl::Duration redelivery_after = absl::Seconds(30);
};

// Where an appended message landed.
struct Appended {
  uint64_t sequence = 0;   // Its sequence in the stream.
  bool duplicate = false;  // The id was seen within the window: stored before, not again.
};

// One message read from the stream.
struct LogMessage {
  uint64_t sequence = 0;  // In the stream.
  std::string subject;
  std::string data;
};

class LogConsumer;

// Whether JetStream takes `name` as a stream or consumer name: 1 to 64 of A-Z, a-z, 0-9,
// - and _.
bool IsJetStreamName(absl::string_view name);

class JetStreamLog {
 public:
  // Connects and makes sure the stream exists as asked. InvalidArgument for bad options;
  // Unavailable, naming the servers, if none answers within the timeout;
  // FailedPrecondition if a stream of that name exists with another subject or replica
  // count or per-subject limit, or the server has JetStream switched off.
  static absl::StatusOr<std::unique_ptr<JetStreamLog>> Open(const JetStreamLogOptions& options);
  ~JetStreamLog();

  JetStreamLog(const JetStreamLog&) = delete;
  JetStreamLog& operator=(const JetStreamLog&) = delete;

  // Appends `data` under `message_id` (not empty) and waits until the stream has stored
  // it. Unavailable if the servers cannot be reached or do not answer in time (the message
  // may or may not be stored: appending it again under the same id is safe within the
  // duplicate window); FailedPrecondition if the stream is gone.
  absl::StatusOr<Appended> Append(absl::string_view message_id, absl::string_view data);

  // The same on `subject`, one below a "prefix.>" stream subject (or the plain subject
  // itself). InvalidArgument for a subject outside the stream's or with wildcards.
  absl::StatusOr<Appended> AppendTo(absl::string_view subject, absl::string_view message_id,
                                    absl::string_view data);

  // A reader of the stream from its message `start_sequence` (at least 1) on, through the
  // consumer `name` (A-Z, a-z, 0-9, - and _), created anew: one an earlier reader left
  // under that name is replaced. The caller keeps its own position, durably with what it
  // applied, and opens a reader again from there after a restart or a failed apply, so
  // that it applies messages in stream order, each once. With `filter`, a subject below
  // a "prefix.>" stream subject that may end in ".>", only the messages it matches.
  absl::StatusOr<std::unique_ptr<LogConsumer>> Consumer(const std::string& name,
                                                        uint64_t start_sequence,
                                                        const std::string& filter = "");

  // Deletes the consumer `name`, if there is one: the stream then keeps no state for it.
  absl::Status RemoveConsumer(const std::string& name);

  const JetStreamLogOptions& options() const { return options_; }

 private:
  friend class LogConsumer;
  JetStreamLog(JetStreamLogOptions options, __natsConnection* connection, __jsCtx* context)
      : options_(std::move(options)), connection_(connection), context_(context) {}

  const JetStreamLogOptions options_;
  __natsConnection* connection_;
  __jsCtx* context_;
};

class LogConsumer {
 public:
  ~LogConsumer();

  // Waits up to `wait` for up to `max_messages` messages and hands them, in stream order,
  // to `apply` at once (so that they can be made durable together); once `apply` returns
  // OK each is acknowledged to JetStream. An error from `apply` is returned: the caller
  // opens a reader again from its position. The number applied; 0 if nothing came within
  // `wait`. Unavailable if the servers cannot be reached.
  absl::StatusOr<int> Next(int max_messages, absl::Duration wait,
                           const std::function<absl::Status(std::vector<LogMessage>&)>& apply);

 private:
  friend class JetStreamLog;
  explicit LogConsumer(__natsSubscription* subscription) : subscription_(subscription) {}
  __natsSubscription* subscription_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REPLICATION_JETSTREAM_LOG_H_
