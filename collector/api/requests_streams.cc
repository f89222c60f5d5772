#include "collector/api/requests_streams.h"

#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/transport/grpc_status.h"

namespace postura::collector {
namespace {

class AnswerReader : public grpc::ServerReadReactor<v1::SubmitAnswerChunk> {
 public:
  AnswerReader(grpc::CallbackServerContext* context, RequestBook& book,
               absl::StatusOr<v1::Actor> actor, v1::EvidenceRequest* response)
      : context_(context), response_(response) {
    if (!actor.ok()) {
      Finish(ToGrpcStatus(actor.status()));
      return;
    }
    intake_.emplace(book, *std::move(actor));
    StartRead(&chunk_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client has sent everything, or gave up: then nothing of it is kept.
      if (context_->IsCancelled()) {
        Fail(absl::CancelledError("the answer was cancelled before it was complete"));
      } else {
        Commit();
      }
      return;
    }
    if (absl::Status taken = Take(); !taken.ok()) {
      Fail(taken);
      return;
    }
    StartRead(&chunk_);
  }

  void OnDone() override {
    intake_.reset();  // Drops what was not committed.
    delete this;
  }

 private:
  absl::Status Take() {
    if (!intake_->begun()) {
      if (!chunk_.has_header()) {
        return absl::InvalidArgumentError("the first message of an answer carries its header");
      }
      if (absl::Status begun = intake_->Begin(chunk_.header()); !begun.ok()) return begun;
    } else if (chunk_.has_header()) {
      return absl::InvalidArgumentError("an answer has one header, in its first message");
    }
    if (!chunk_.file_name().empty()) {
      if (absl::Status started = intake_->StartDocument(chunk_.file_name()); !started.ok()) {
        return started;
      }
    }
    return intake_->Append(chunk_.data());
  }

  void Commit() {
    absl::StatusOr<v1::EvidenceRequest> committed = intake_->Commit();
    if (!committed.ok()) {
      Finish(ToGrpcStatus(committed.status()));
      return;
    }
    *response_ = *std::move(committed);
    Finish(grpc::Status::OK);
  }

  void Fail(const absl::Status& error) {
    intake_->Drop();
    Finish(ToGrpcStatus(error));
  }

  grpc::CallbackServerContext* context_;
  v1::EvidenceRequest* response_;
  v1::SubmitAnswerChunk chunk_;
  std::optional<AnswerIntake> intake_;  // Empty when the call was not admitted.
};

class DocumentWriter : public grpc::ServerWriteReactor<v1::DocumentChunk> {
 public:
  DocumentWriter(const RequestBook& book, absl::StatusOr<v1::StoredDocument> document)
      : book_(book), document_(std::move(document)) {
    if (!document_.ok()) {
      Finish(ToGrpcStatus(document_.status()));
      return;
    }
    v1::DocumentRef& ref = *chunk_.mutable_document();
    ref.set_sha256_hex(document_->sha256_hex());
    ref.set_media_type(document_->media_type());
    ref.set_size_bytes(document_->size_bytes());
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "document stream broken"));
      return;
    }
    chunk_.Clear();
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  // Reads the next stored chunk and writes it; finishes after the last.
  void WriteNext() {
    if (next_ >= document_->chunks()) {
      Finish(grpc::Status::OK);
      return;
    }
    absl::StatusOr<std::string> data = book_.ReadDocumentChunk(*document_, next_++);
    if (!data.ok()) {
      Finish(ToGrpcStatus(data.status()));
      return;
    }
    *chunk_.mutable_data() = *std::move(data);
    StartWrite(&chunk_);
  }

  const RequestBook& book_;
  const absl::StatusOr<v1::StoredDocument> document_;
  v1::DocumentChunk chunk_;
  uint32_t next_ = 0;
};

}  // namespace

grpc::ServerReadReactor<v1::SubmitAnswerChunk>* NewAnswerReader(
    grpc::CallbackServerContext* context, RequestBook& book, absl::StatusOr<v1::Actor> actor,
    v1::EvidenceRequest* response) {
  return new AnswerReader(context, book, std::move(actor), response);
}

grpc::ServerWriteReactor<v1::DocumentChunk>* NewDocumentWriter(
    const RequestBook& book, absl::StatusOr<v1::StoredDocument> document) {
  return new DocumentWriter(book, std::move(document));
}

}  // namespace postura::collector
