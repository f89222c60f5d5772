#include "agent/delivery/uploader.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/transport/call_watchdog.h"
#include "glog/logging.h"

namespace postura::agent {

Uploader::Uploader(Spool& spool, const UploaderOptions& options)
    : spool_(spool), options_(options) {
  Connect();
  thread_ = std::thread([this] { Run(); });
}

void Uploader::Connect() {
  ClientCertificate certificate;
  if (options_.identity != nullptr) {
    identity_generation_ = options_.identity->generation();
    certificate = options_.identity->certificate();
  }
  stub_ =
      v1::IngestService::NewStub(CreateCollectorChannel(collector(), options_.trust, certificate));
  signer_.reset();
  if (certificate.empty()) return;
  absl::StatusOr<EvidenceSigner> signer = EvidenceSigner::FromKeyPem(certificate.key_pem);
  if (!signer.ok()) {
    // The collector refuses unsigned batches from a certificate's stream, and says so.
    LOG(ERROR) << "the agent's key cannot sign evidence: " << signer.status();
    return;
  }
  signer_ = *std::move(signer);
}

void Uploader::Sign(v1::Batch& batch) const {
  if (!signer_) return;
  absl::StatusOr<std::string> signature =
      signer_->Sign(SealOfItems(options_.agent_id, batch.sequence(), batch.items()));
  if (!signature.ok()) {
    LOG(ERROR) << "signing batch " << batch.sequence() << ": " << signature.status();
    return;
  }
  batch.set_signature(*std::move(signature));
}

Uploader::~Uploader() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  thread_.join();
}

void Uploader::Notify() {
  absl::MutexLock lock(&mu_);
  ++wakeups_;
}

uint64_t Uploader::reconnects() const {
  absl::MutexLock lock(&mu_);
  return reconnects_;
}

std::string Uploader::collector() const {
  absl::MutexLock lock(&mu_);
  return options_.collector_addresses[collector_index_];
}

void Uploader::MoveOnAfter(const grpc::Status& status) {
  const std::vector<std::string>& collectors = options_.collector_addresses;
  if (collectors.size() == 1 || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
      IdentityChanged()) {
    return;
  }
  std::string next;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    collector_index_ = (collector_index_ + 1) % collectors.size();
    next = collectors[collector_index_];
  }
  LOG(INFO) << "reporting to collector " << next << " next";
  Connect();
}

bool Uploader::connected() const {
  absl::MutexLock lock(&mu_);
  return connected_;
}

uint64_t Uploader::rejected_items() const {
  absl::MutexLock lock(&mu_);
  return rejected_items_;
}

void Uploader::Run() {
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    const absl::Time start = absl::Now();
    const grpc::Status ended = RunStream();
    NoteStreamEnd(ended);
    MoveOnAfter(ended);
    absl::MutexLock lock(&mu_);
    connected_ = false;
    if (stopping_) return;
    ++reconnects_;
    // A stream that worked for a while resets the backoff; a refused one doubles it.
    if (absl::Now() - start > absl::Seconds(10)) backoff = options_.initial_backoff;
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff * jitter(random));
    if (stopping_) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

grpc::Status Uploader::RunStream() {
  if (IdentityChanged()) Connect();  // A renewed certificate: a channel that presents it.
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return grpc::Status::CANCELLED;
    context_ = &context;
    stream_broken_ = false;
    acknowledged_ = 0;
  }
  // Waiting for the channel to be ready, rather than failing at once while it reconnects,
  // is what drives the reconnection: a synchronous client's connection attempts (TCP and
  // TLS handshakes) progress only while a call polls for them, or every 5 s otherwise,
  // too slowly on a starved host to beat gRPC's 20 s connect timeout. The watchdog bounds
  // the wait: a collector that does not answer the Hello in time is given up and retried.
  context.set_wait_for_ready(true);
  CallWatchdog watchdog(context, options_.welcome_timeout);
  auto stream = stub_->Report(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(options_.agent_id);
  v1::CollectorMessage reply;
  if (stream->Write(hello) && stream->Read(&reply) && reply.has_welcome()) {
    watchdog.Disarm();
    Welcomed(reply.welcome());
    {
      absl::MutexLock lock(&mu_);
      connected_ = true;
    }
    const uint32_t window = std::max<uint32_t>(1, reply.welcome().max_unacknowledged_batches());
    std::thread reader([&] {
      v1::CollectorMessage message;
      while (stream->Read(&message)) {
        if (!message.has_ack()) continue;
        NoteRejections(message.ack());
        if (absl::Status s = spool_.Acknowledge(message.ack().sequence()); !s.ok()) {
          LOG(ERROR) << "spool: " << s;
        }
        absl::MutexLock lock(&mu_);
        acknowledged_ = std::max(acknowledged_, message.ack().sequence());
        ++wakeups_;
      }
      absl::MutexLock lock(&mu_);
      stream_broken_ = true;
    });
    // Resend everything unacknowledged, oldest first, then keep up with new batches.
    uint64_t sent = spool_.acknowledged();
    std::deque<uint64_t> in_flight;
    while (SendMore(*stream, sent, in_flight, window)) {
      if (IdentityChanged()) {  // Connect again with the renewed certificate.
        context.TryCancel();
        break;
      }
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(this, &Uploader::ShouldWake), absl::Seconds(1));
      seen_wakeups_ = wakeups_;
    }
    // Not cancelled when the collector ended the stream, so that Finish returns its status
    // (why it refused, e.g. RESOURCE_EXHAUSTED for a full disk) rather than CANCELLED. A
    // stop or a spool failure has cancelled the call already.
    reader.join();
  }
  grpc::Status status = stream->Finish();
  LOG_IF(WARNING, !status.ok() && status.error_code() != grpc::StatusCode::CANCELLED)
      << "collector stream ended: " << status.error_message();
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  return status;
}

void Uploader::Welcomed(const v1::Welcome& welcome) {
  if (absl::Status s = spool_.Acknowledge(welcome.last_stored_sequence()); !s.ok()) {
    LOG(ERROR) << "spool: " << s;
  }
  const IngestLimits limits = IngestLimits::FromWelcome(welcome);
  if (!(limits == spool_.ingest_limits())) {
    LOG(INFO) << "collector takes batches of at most " << limits.max_items << " items and "
              << limits.max_bytes << " bytes";
    spool_.SetIngestLimits(limits);
  }
  FitOldestToLimits();
}

bool Uploader::FitOldestToLimits() {
  if (!spool_.OldestExceedsLimits()) return false;
  absl::StatusOr<std::size_t> recut = spool_.RecutOversizedBatches();
  if (!recut.ok()) LOG(ERROR) << "spool: " << recut.status();
  if (recut.ok() && *recut > 0) return true;
  // One item larger than any batch the collector takes: it can never be delivered.
  absl::StatusOr<uint64_t> set_aside =
      spool_.SetAsideOldest("it is larger than the collector takes");
  if (!set_aside.ok()) LOG(ERROR) << "spool: " << set_aside.status();
  return true;
}

void Uploader::NoteStreamEnd(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
    refusals_ = 0;
    return;
  }
  const uint64_t oldest = spool_.oldest_pending();
  refusals_ = oldest == refused_oldest_ ? refusals_ + 1 : 1;
  refused_oldest_ = oldest;
  LOG(ERROR) << "collector refused the stream (" << refusals_ << " of " << options_.max_refusals
             << " times at batch " << oldest << "): " << status.error_message();
  if (oldest == 0 || refusals_ < options_.max_refusals) return;
  absl::StatusOr<uint64_t> set_aside = spool_.SetAsideOldest(
      absl::StrCat("the collector refused it ", refusals_, " times: ", status.error_message()));
  if (!set_aside.ok()) LOG(ERROR) << "spool: " << set_aside.status();
  refusals_ = 0;
}

void Uploader::NoteRejections(const v1::Ack& ack) {
  if (ack.rejected().empty()) return;
  uint64_t total;
  {
    absl::MutexLock lock(&mu_);
    rejected_items_ += ack.rejected_size();
    total = rejected_items_;
  }
  const v1::Rejection& first = ack.rejected(0);
  LOG(WARNING) << "collector rejected " << ack.rejected_size() << " items of batch "
               << ack.sequence() << " (" << total << " since start), first item " << first.index()
               << ": " << first.message();
}

bool Uploader::SendMore(grpc::ClientReaderWriter<v1::AgentMessage, v1::CollectorMessage>& stream,
                        uint64_t& sent, std::deque<uint64_t>& in_flight, uint32_t window) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || stream_broken_) return false;
    while (!in_flight.empty() && in_flight.front() <= acknowledged_) in_flight.pop_front();
  }
  if (in_flight.size() >= window || spool_.next_sequence() <= sent + 1) return true;
  absl::StatusOr<std::vector<v1::Batch>> batches = spool_.Read(sent, window - in_flight.size());
  if (!batches.ok()) {
    LOG(ERROR) << "spool: " << batches.status();
    absl::MutexLock lock(&mu_);
    if (context_ != nullptr) context_->TryCancel();  // Ends the reader's wait too.
    return false;
  }
  const IngestLimits limits = spool_.ingest_limits();
  v1::AgentMessage message;
  for (v1::Batch& batch : *batches) {
    const uint64_t sequence = batch.sequence();
    if (ExceedsLimits(batch.items_size(), batch.ByteSizeLong(), limits)) {
      // Spooled before the collector announced its limits: once everything before it is
      // acknowledged it is the oldest, and is cut anew under new numbers.
      if (!in_flight.empty()) return true;
      if (FitOldestToLimits()) {
        absl::MutexLock lock(&mu_);
        ++wakeups_;  // Read the new batches at once.
        return true;
      }
    }
    Sign(batch);
    message.mutable_batch()->Swap(&batch);
    if (!stream.Write(message)) return false;
    sent = sequence;
    in_flight.push_back(sequence);
  }
  return true;
}

}  // namespace postura::agent
