#include "collector/requests/answer_intake.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace postura::collector {

AnswerIntake::AnswerIntake(RequestBook& book, v1::Actor actor)
    : book_(book), actor_(std::move(actor)) {}

AnswerIntake::~AnswerIntake() { Drop(); }

absl::Status AnswerIntake::Begin(const v1::SubmitAnswerHeader& header) {
  if (draft_) return absl::InvalidArgumentError("an answer has one header, before its documents");
  absl::StatusOr<AnswerDraft> draft = book_.BeginAnswer(actor_, header);
  if (!draft.ok()) return draft.status();
  draft_ = *std::move(draft);
  return absl::OkStatus();
}

absl::Status AnswerIntake::StartDocument(absl::string_view file_name) {
  if (!draft_) return absl::InvalidArgumentError("an answer's header comes before its documents");
  if (absl::Status closed = CloseDocument(); !closed.ok()) return closed;
  if (static_cast<int>(draft_->documents.size()) >= kMaxDocumentsPerAnswer) {
    return absl::InvalidArgumentError(
        absl::StrCat("an answer has at most ", kMaxDocumentsPerAnswer, " documents"));
  }
  upload_ = book_.StartDocument(*draft_, file_name);
  return absl::OkStatus();
}

absl::Status AnswerIntake::Append(absl::string_view bytes) {
  if (bytes.empty()) return absl::OkStatus();
  if (upload_ == nullptr) {
    return absl::InvalidArgumentError("document bytes before a file name starts a document");
  }
  return upload_->Append(bytes);
}

absl::Status AnswerIntake::CloseDocument() {
  if (upload_ == nullptr) return absl::OkStatus();
  absl::StatusOr<UploadedDocument> document = upload_->Finish();
  if (!document.ok()) return document.status();
  upload_.reset();
  draft_->draft_bytes += document->ref.size_bytes();
  draft_->documents.push_back(*std::move(document));
  return absl::OkStatus();
}

absl::StatusOr<v1::EvidenceRequest> AnswerIntake::Commit() {
  if (!draft_) return absl::InvalidArgumentError("an answer needs its header");
  if (absl::Status closed = CloseDocument(); !closed.ok()) {
    Drop();
    return closed;
  }
  // CommitAnswer drops the draft's documents itself when it fails.
  absl::StatusOr<v1::EvidenceRequest> committed = book_.CommitAnswer(*draft_);
  draft_.reset();
  return committed;
}

void AnswerIntake::Drop() {
  if (upload_ != nullptr) upload_->Abandon();
  upload_.reset();
  if (draft_) book_.AbandonAnswer(*draft_);
  draft_.reset();
}

}  // namespace postura::collector
