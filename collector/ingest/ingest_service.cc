#include "collector/ingest/ingest_service.h"

#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collector/ingest/batch_seals.h"
#include "common/transport/grpc_status.h"
#include "glog/logging.h"

namespace postura::collector {

// One agent's ingest stream. Owns itself: created by IngestService::Report and deleted
// once gRPC is done with it (OnDone) and the writer holds no callback into it.
//
// Every decision is taken under mu_, and the gRPC operations it calls for (StartRead,
// StartWrite, Finish) are issued afterwards, outside the lock.
class ReportStream : public grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage> {
 public:
  // `principal` is the caller as its certificate or credential admitted it, or why it did not;
  // `certificate_pem` the client certificate it presented (empty for a bearer credential),
  // whose key must then sign every batch; `peer` is where the call comes from (gRPC's peer
  // text), for the log of a conflict or a refused signature.
  ReportStream(IngestService& service, absl::StatusOr<Principal> principal,
               const std::string& certificate_pem, std::string peer)
      : service_(service), peer_(std::move(peer)) {
    ++service_.open_streams_;
    bool accepted = service_.Register(this);
    {
      absl::MutexLock lock(&mu_);
      draining_ = !accepted;
      if (!principal.ok()) {
        Fail(ToGrpcStatus(principal.status()));
        accepted = false;
      } else {
        principal_ = *std::move(principal);
        accepted = accepted && CheckSealsWith(certificate_pem);
      }
      read_in_flight_ = accepted;
    }
    if (accepted) StartRead(&incoming_);
    // Nothing finishes the stream before this point (see DecideFinish), so a reaction or a
    // drain that raced the constructor is settled here.
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      started_ = true;
      actions = DecideFinish();
    }
    Issue(this, actions);
  }

  // Service: keeps this stream alive until the matching Drain call.
  void AddRef() {
    absl::MutexLock lock(&mu_);
    ++external_refs_;
  }

  // Service: stop reading, acknowledge what was read, then end. Releases AddRef's hold.
  void Drain() {
    Actions actions;
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      draining_ = true;
      --external_refs_;
      actions = DecideFinish();
      destroy = Unreferenced();
    }
    Issue(this, actions, destroy);
  }

  void OnReadDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      read_in_flight_ = false;
      if (!ok) {
        reads_done_ = true;  // The agent closed its side, or the stream broke.
        actions = DecideFinish();
      } else {
        // Only one read is ever in flight, so incoming_ is ours until the next StartRead.
        actions = agent_id_.empty() ? OnHello() : OnBatch();
      }
    }
    Issue(this, actions);
  }

  void OnWriteDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      write_in_flight_ = false;
      outbox_.pop_front();
      if (!ok) {
        Fail(grpc::Status(grpc::StatusCode::CANCELLED, "the agent stopped reading"));
      }
      actions = NextWrite();
      Merge(actions, DecideFinish());
    }
    Issue(this, actions);
  }

  void OnCancel() override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      Fail(grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled"));
      actions = DecideFinish();
    }
    Issue(this, actions);
  }

  void OnDone() override {
    // Once the lock is released, the writer's last callback may delete the stream: what
    // follows uses locals only.
    IngestService& service = service_;
    service.Unregister(this);
    --service.open_streams_;
    bool destroy = false;
    std::string claimed;  // agent_id_ is set once its stream is counted in.
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      destroy = Unreferenced();
      claimed = agent_id_;
    }
    if (!claimed.empty()) service.ReleaseAgentStream(claimed);
    if (destroy) delete this;
  }

 private:
  // gRPC operations to issue once the lock is released.
  struct Actions {
    bool start_read = false;
    const v1::CollectorMessage* write = nullptr;
    std::optional<grpc::Status> finish;
  };

  static void Merge(Actions& into, const Actions& from) {
    into.start_read = into.start_read || from.start_read;
    if (from.write != nullptr) into.write = from.write;
    if (from.finish) into.finish = from.finish;
  }

  // Issues what was decided under the lock, then deletes the stream if `destroy`.
  // A StartRead or StartWrite decided by one thread must reach gRPC before any thread
  // calls Finish, so DecideFinish waits while issuing_ > 0, and the thread that issued
  // the last such operation re-decides.
  //
  // Static, and touching `stream` only for what it issues: once a thread releases the lock
  // with nothing to issue, another thread's OnDone may delete the stream at once, so even a
  // member call (whose `this` UBSan checks) would come too late.
  static void Issue(ReportStream* stream, const Actions& actions, bool destroy = false) {
    if (actions.write != nullptr) stream->StartWrite(actions.write);
    if (actions.start_read) stream->StartRead(&stream->incoming_);
    if (actions.finish) stream->Finish(*actions.finish);
    const int issued = (actions.write != nullptr ? 1 : 0) + (actions.start_read ? 1 : 0);
    if (issued > 0) {
      Actions after;
      {
        absl::MutexLock lock(&stream->mu_);
        stream->issuing_ -= issued;
        after = stream->DecideFinish();
        destroy = stream->Unreferenced();
      }
      if (after.finish) stream->Finish(*after.finish);
    }
    if (destroy) delete stream;
  }

  // Prepares the check of signed batches for a stream opened with `certificate_pem` (none
  // for an empty one); false, after failing the stream, if the certificate has no key
  // that verifies.
  bool CheckSealsWith(const std::string& certificate_pem) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (certificate_pem.empty()) return true;
    absl::StatusOr<BatchSealChecker> seals =
        BatchSealChecker::ForCertificate(certificate_pem, principal_.credential_id);
    if (!seals.ok()) {
      Fail(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        absl::StrCat("agent certificate refused: ", seals.status().message())));
      return false;
    }
    seals_.emplace(*std::move(seals));
    return true;
  }

  Actions OnHello() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (incoming_.message_case() != v1::AgentMessage::kHello) {
      Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of a stream must be a Hello"));
      return DecideFinish();
    }
    const std::string& agent_id = incoming_.hello().agent_id();
    if (agent_id != principal_.agent_id) {
      Fail(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("this credential is agent '", principal_.agent_id,
                                     "'s; it cannot report as '", agent_id.substr(0, 128), "'")));
      return DecideFinish();
    }
    if (service_.registry_.FindAgent(agent_id) == nullptr) {
      Fail(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("agent '", agent_id.substr(0, 128), "' is not registered")));
      return DecideFinish();
    }
    if (!service_.ClaimAgentStream(agent_id)) {
      Fail(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("agent '", agent_id, "' already has ",
                                     service_.options_.max_streams_per_agent,
                                     " ingest streams open; end one before opening another")));
      return DecideFinish();
    }
    agent_id_ = agent_id;
    v1::CollectorMessage& welcome = outbox_.emplace_back();
    const IngestServiceOptions& options = service_.options_;
    welcome.mutable_welcome()->set_last_stored_sequence(
        service_.writer_.Progress(agent_id_).last_sequence);
    welcome.mutable_welcome()->set_max_unacknowledged_batches(options.max_unacknowledged_batches);
    welcome.mutable_welcome()->set_max_batch_items(options.max_batch_items);
    welcome.mutable_welcome()->set_max_detail_bytes(options.validation.max_detail_bytes);
    welcome.mutable_welcome()->set_max_message_bytes(options.max_message_bytes);
    Actions actions = NextWrite();
    Merge(actions, NextRead());
    return actions;
  }

  // InvalidArgument text if the batch breaks a stream rule; empty if it does not.
  std::string StreamRuleBroken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (incoming_.message_case() != v1::AgentMessage::kBatch) {
      return "after the Hello, a stream carries only batches";
    }
    const v1::Batch& batch = incoming_.batch();
    if (batch.sequence() == 0) return "batch sequence numbers start at 1";
    if (batch.sequence() <= last_stream_sequence_) {
      return absl::StrCat("batch sequence ", batch.sequence(), " after ", last_stream_sequence_,
                          ": sequences must increase on a stream");
    }
    if (batch.items_size() > static_cast<int>(service_.options_.max_batch_items)) {
      return absl::StrCat("batch of ", batch.items_size(), " items; the limit is ",
                          service_.options_.max_batch_items);
    }
    return "";
  }

  Actions OnBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Read after a drain began: not taken (the agent keeps it and resends it later).
    if (error_ || draining_) return DecideFinish();
    if (std::string broken = StreamRuleBroken(); !broken.empty()) {
      Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, broken));
      return DecideFinish();
    }
    // Credentials and bindings are looked up per batch, so a revocation or a change in
    // the registry applies at once.
    if (!service_.admission_.StillAdmitted(principal_)) {
      Fail(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "this agent's credential or certificate has been revoked or has expired"));
      return DecideFinish();
    }
    // A stream lasts days: each batch is a use, so the last use shown stays current.
    service_.admission_.NoteUse(principal_, peer_);
    std::shared_ptr<const AgentBinding> binding = service_.registry_.FindAgent(agent_id_);
    if (binding == nullptr) {
      Fail(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("agent '", agent_id_, "' is no longer registered")));
      return DecideFinish();
    }
    v1::Batch& batch = *incoming_.mutable_batch();
    last_stream_sequence_ = batch.sequence();
    const absl::Time now = service_.clock_.TimeNow();
    std::optional<v1::BatchSealRecord> seal;
    if (seals_) {
      absl::StatusOr<v1::BatchSealRecord> checked = seals_->Check(agent_id_, batch, now);
      if (!checked.ok()) return RefuseSignature(checked.status());
      seal = *std::move(checked);
    }
    BatchVerdict verdict =
        ValidateBatch(batch, *binding, service_.catalog_, service_.options_.validation, now);
    QueuedBatch queued;
    queued.agent_id = agent_id_;
    queued.sequence = batch.sequence();
    queued.dropped_items_total = batch.dropped_items_total();
    queued.digest = BatchDigest(batch);  // Before EncodeBatch consumes the items.
    queued.peer = peer_;
    // Encoding here spreads the serialization over gRPC's threads; the writer only copies.
    queued.encoded = EncodeBatch(agent_id_, batch, verdict.valid, now);
    if (seal) seals_->Attach(*seal, !certificate_stored_, queued.encoded);
    queued.rejections = std::move(verdict.rejections);
    queued.done = [this](absl::StatusOr<v1::Ack> ack) { OnBatchDone(std::move(ack)); };
    ++pending_;
    held_ = std::move(queued);
    TryEnqueueHeld();
    return NextRead();
  }

  // Ends the stream for a batch whose signature does not verify: nothing of it is stored.
  // Whoever holds a certificate without its key, or alters batches on the way, gets no
  // further; the refusal is logged and counted (postura_ingest_signature_refusals_total).
  Actions RefuseSignature(const absl::Status& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    LOG(WARNING) << "ingest: refused a batch of agent '" << agent_id_ << "' from " << peer_ << ": "
                 << why.message();
    service_.writer_.CountSignatureRefusal();
    Fail(ToGrpcStatus(why));
    return DecideFinish();
  }

  // Hands the held batch to the writer, or waits for room in its queue.
  void TryEnqueueHeld() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (service_.writer_.Enqueue(*held_, [this] { OnRoom(); })) {
      held_.reset();
    } else {
      waiting_for_room_ = true;
    }
  }

  // Writer thread: the queue has room again.
  void OnRoom() {
    Actions actions;
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      waiting_for_room_ = false;
      if (error_) {
        held_.reset();
        --pending_;
        actions = DecideFinish();
      } else {
        TryEnqueueHeld();
        actions = NextRead();
      }
      destroy = Unreferenced();
    }
    Issue(this, actions, destroy);
  }

  // Writer thread: a batch is durable, or the store failed.
  void OnBatchDone(absl::StatusOr<v1::Ack> ack) {
    Actions actions;
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      --pending_;
      if (!ack.ok()) {
        // RESOURCE_EXHAUSTED (a full disk) or UNAVAILABLE: the agent keeps the batch and
        // resends it after a backoff.
        Fail(ToGrpcStatus(ack.status()));
      } else if (!error_) {
        // An applied batch committed the certificate it carried (every batch carries it
        // until then).
        if (!ack->duplicate()) certificate_stored_ = true;
        *outbox_.emplace_back().mutable_ack() = *std::move(ack);
      }
      actions = NextWrite();
      Merge(actions, NextRead());
      Merge(actions, DecideFinish());
      destroy = Unreferenced();
    }
    Issue(this, actions, destroy);
  }

  // Starts the next read if the flow-control window and the writer's queue allow it.
  Actions NextRead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Actions actions;
    if (read_in_flight_ || reads_done_ || error_ || draining_ || finished_ || held_) {
      return actions;
    }
    if (pending_ >= service_.options_.max_unacknowledged_batches) return actions;
    read_in_flight_ = true;
    ++issuing_;
    actions.start_read = true;
    return actions;
  }

  Actions NextWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Actions actions;
    if (write_in_flight_ || outbox_.empty() || finished_) return actions;
    write_in_flight_ = true;
    ++issuing_;
    actions.write = &outbox_.front();  // Stable: a deque keeps references on push_back.
    return actions;
  }

  // Finishes once everything owed to the agent is sent, or on error once no write is
  // in flight.
  Actions DecideFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Actions actions;
    if (!started_ || finished_ || write_in_flight_ || issuing_ > 0) return actions;
    const bool owed_nothing = pending_ == 0 && outbox_.empty();
    if (!error_ && !((reads_done_ || draining_) && owed_nothing)) return actions;
    finished_ = true;
    actions.finish = error_                      ? *error_
                     : draining_ && !reads_done_ ? ShuttingDown()
                                                 : grpc::Status::OK;
    return actions;
  }

  // Records the first error; nothing more is read or acknowledged on this stream.
  void Fail(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!error_) error_ = std::move(status);
    // Keep only the message being written, which gRPC still reads.
    while (outbox_.size() > (write_in_flight_ ? 1u : 0u)) outbox_.pop_back();
  }

  bool Unreferenced() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done_ && pending_ == 0 && !waiting_for_room_ && external_refs_ == 0 && issuing_ == 0;
  }

  static grpc::Status ShuttingDown() {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the collector is shutting down; reconnect and resend later");
  }

  IngestService& service_;
  const std::string peer_;
  v1::AgentMessage incoming_;  // Touched only by the single read in flight.

  absl::Mutex mu_;
  Principal principal_ ABSL_GUARDED_BY(mu_);
  std::string agent_id_ ABSL_GUARDED_BY(mu_);  // Empty until the Hello.
  // Checks the batches of a stream opened with an agent certificate; empty otherwise.
  std::optional<BatchSealChecker> seals_ ABSL_GUARDED_BY(mu_);
  // The store holds the certificate: a batch of this stream that carried it was applied.
  bool certificate_stored_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t last_stream_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // Batches read and not yet acknowledged, including the held one.
  uint32_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<QueuedBatch> held_ ABSL_GUARDED_BY(mu_);  // Waiting for queue room.
  bool waiting_for_room_ ABSL_GUARDED_BY(mu_) = false;    // The writer will call OnRoom.
  std::deque<v1::CollectorMessage> outbox_ ABSL_GUARDED_BY(mu_);
  bool read_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;   // The constructor has finished.
  bool draining_ ABSL_GUARDED_BY(mu_) = false;  // Shutdown: read no more, then end.
  int external_refs_ ABSL_GUARDED_BY(mu_) = 0;  // Held by IngestService::Drain.
  int issuing_ ABSL_GUARDED_BY(mu_) = 0;        // Operations decided, not yet issued (Issue).
  std::optional<grpc::Status> error_ ABSL_GUARDED_BY(mu_);
};

bool IngestService::Register(ReportStream* stream) {
  absl::MutexLock lock(&streams_mu_);
  if (draining_) return false;
  streams_.insert(stream);
  return true;
}

void IngestService::Unregister(ReportStream* stream) {
  absl::MutexLock lock(&streams_mu_);
  streams_.erase(stream);
}

bool IngestService::ClaimAgentStream(const std::string& agent_id) {
  absl::MutexLock lock(&agent_streams_mu_);
  uint32_t& open = agent_streams_[agent_id];
  if (open >= options_.max_streams_per_agent) return false;
  ++open;
  return true;
}

void IngestService::ReleaseAgentStream(const std::string& agent_id) {
  absl::MutexLock lock(&agent_streams_mu_);
  auto at = agent_streams_.find(agent_id);
  if (at != agent_streams_.end() && --at->second == 0) agent_streams_.erase(at);
}

void IngestService::Drain() {
  std::vector<ReportStream*> streams;
  {
    absl::MutexLock lock(&streams_mu_);
    draining_ = true;
    for (ReportStream* stream : streams_) {
      stream->AddRef();  // Keeps it alive after the lock is released.
      streams.push_back(stream);
    }
  }
  for (ReportStream* stream : streams) stream->Drain();
}

grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage>* IngestService::Report(
    grpc::CallbackServerContext* context) {
  return new ReportStream(*this, admission_.AdmitReport(*context), PeerCertificatePem(*context),
                          context->peer());
}

}  // namespace postura::collector
