#ifndef POSTURA_COLLECTOR_REQUESTS_ANSWER_INTAKE_H_
#define POSTURA_COLLECTOR_REQUESTS_ANSWER_INTAKE_H_

// One answer to an evidence request being received, whatever carries it: its header
// first, then its documents, each streamed into the document store within the caps as its
// bytes arrive (document_store.h), then the commit. The gRPC SubmitAnswer stream
// (collector/api/requests_streams.cc) and the HTTPS upload (collector/api/requests_upload.cc)
// both feed one, so they take and refuse exactly the same answers with the same errors.
//
// Threading: an intake belongs to one call, used by one thread at a time. The book is
// thread-safe, borrowed, and must outlive the intake.

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collector/requests/request_book.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// At most this many documents per answer.
inline constexpr int kMaxDocumentsPerAnswer = 20;

class AnswerIntake {
 public:
  AnswerIntake(RequestBook& book, v1::Actor actor);
  ~AnswerIntake();  // Drops whatever was received and not committed.
  AnswerIntake(const AnswerIntake&) = delete;
  AnswerIntake& operator=(const AnswerIntake&) = delete;

  // True once Begin took a header.
  bool begun() const { return draft_.has_value(); }
  // Checks the header (RequestBook::BeginAnswer). InvalidArgument if called twice.
  absl::Status Begin(const v1::SubmitAnswerHeader& header);
  // Ends the document being received, if any, and starts one named `file_name`.
  // InvalidArgument before Begin or past kMaxDocumentsPerAnswer; the caps' errors of the
  // document that ends (DocumentUpload::Finish).
  absl::Status StartDocument(absl::string_view file_name);
  // The next bytes of the current document: the caps, type and text checks
  // (DocumentUpload::Append). InvalidArgument before a document starts.
  absl::Status Append(absl::string_view bytes);
  // Ends the last document and stores the answer with its documents in one write
  // (RequestBook::CommitAnswer). InvalidArgument before Begin. On any error nothing is
  // stored.
  absl::StatusOr<v1::EvidenceRequest> Commit();
  // Deletes whatever was received and not committed. Idempotent.
  void Drop();

 private:
  absl::Status CloseDocument();

  RequestBook& book_;
  const v1::Actor actor_;
  std::optional<AnswerDraft> draft_;
  std::unique_ptr<DocumentUpload> upload_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_ANSWER_INTAKE_H_
