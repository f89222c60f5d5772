#include "collector/api/requests_upload.h"

#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "collector/api/requests_admit.h"
#include "collector/requests/answer_intake.h"

namespace postura::collector {
namespace {

// The level field's text as a DLI; LEVEL_UNSPECIFIED for anything else, which the book
// refuses with its own message.
v1::Level LevelOfField(const std::string& text) {
  if (text == "0") return v1::DLI_0;
  if (text == "0.33") return v1::DLI_33;
  if (text == "0.67") return v1::DLI_67;
  if (text == "1") return v1::DLI_100;
  return v1::LEVEL_UNSPECIFIED;
}

// One answer's form as it streams in: the fields into the answer's header, then each file
// into the intake. The first error stops taking anything (what was taken is dropped); the
// rest of the body is still read, so that the client gets the answer on a connection that
// stays usable.
class AnswerForm {
 public:
  AnswerForm(RequestBook& book, v1::Actor actor, std::string request_id)
      : intake_(book, std::move(actor)) {
    header_.set_request_id(std::move(request_id));
  }

  bool OnPart(const HttpFormPart& part) {
    if (error_.ok()) Fail(EndPart());
    if (error_.ok()) Fail(StartPart(part));
    return true;
  }

  bool OnData(absl::string_view bytes) {
    if (!error_.ok()) return true;
    if (part_ == Part::kFile) {
      Fail(intake_.Append(bytes));
    } else if (part_ == Part::kNoFile) {
      if (!bytes.empty()) Fail(absl::InvalidArgumentError("a file part needs a file name"));
    } else if (part_ == Part::kField) {
      if (bytes.size() > kMaxAnswerFieldBytes - value_.size()) {
        Fail(absl::InvalidArgumentError(
            absl::StrCat("form field '", field_, "' is over ", kMaxAnswerFieldBytes, " bytes")));
      } else {
        value_.append(bytes.data(), bytes.size());
      }
    }
    return true;
  }

  // The response once the body was read (`whole`: to its valid end).
  HttpResponse Finish(bool whole) {
    if (error_.ok() && !whole) {
      Fail(absl::InvalidArgumentError(
          "the body is not complete, valid multipart/form-data (a part or the closing "
          "boundary is missing)"));
    }
    if (error_.ok()) Fail(EndPart());
    if (error_.ok() && !intake_.begun()) Fail(Begin());
    if (!error_.ok()) return Refusal(error_);
    absl::StatusOr<v1::EvidenceRequest> committed = intake_.Commit();
    if (!committed.ok()) return Refusal(committed.status());
    return JsonResponse(*committed);
  }

 private:
  enum class Part { kNone, kField, kFile, kNoFile };

  void Fail(absl::Status status) {
    if (status.ok() || !error_.ok()) return;
    error_ = std::move(status);
    intake_.Drop();
  }

  absl::Status StartPart(const HttpFormPart& part) {
    if (part.name == "file") {
      if (!intake_.begun()) {
        if (absl::Status begun = Begin(); !begun.ok()) return begun;
      }
      // A file input left empty sends a part without a file name and no bytes.
      part_ = part.file_name.empty() ? Part::kNoFile : Part::kFile;
      return part_ == Part::kFile ? intake_.StartDocument(part.file_name) : absl::OkStatus();
    }
    if (part.name != "outcome" && part.name != "level" && part.name != "statement") {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown form field '", part.name.substr(0, 64),
          "': an answer has the fields outcome, level and statement, and parts named file"));
    }
    if (intake_.begun()) {
      return absl::InvalidArgumentError(
          absl::StrCat("form field '", part.name, "' comes after the files: fields go first"));
    }
    if (!seen_.insert(part.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("form field '", part.name, "' is given twice"));
    }
    part_ = Part::kField;
    field_ = part.name;
    value_.clear();
    return absl::OkStatus();
  }

  absl::Status EndPart() {
    if (part_ == Part::kField) {
      if (field_ == "outcome") header_.set_outcome_id(value_);
      if (field_ == "level") header_.set_level(LevelOfField(value_));
      if (field_ == "statement") header_.set_statement(value_);
    }
    part_ = Part::kNone;
    return absl::OkStatus();
  }

  // The header, checked by the book, before the first file or at the end.
  absl::Status Begin() {
    for (const char* field : {"outcome", "level", "statement"}) {
      if (!seen_.contains(field)) {
        return absl::InvalidArgumentError(
            absl::StrCat("form field '", field,
                         "' is missing (outcome, level and statement come before "
                         "the files)"));
      }
    }
    return intake_.Begin(header_);
  }

  // A document over a cap is 413, as a body over the limit is; the code still says
  // RESOURCE_EXHAUSTED, as over gRPC.
  static HttpResponse Refusal(const absl::Status& status) {
    HttpResponse response = ErrorResponse(status);
    if (status.code() == absl::StatusCode::kResourceExhausted) response.status = 413;
    return response;
  }

  AnswerIntake intake_;
  v1::SubmitAnswerHeader header_;
  absl::flat_hash_set<std::string> seen_;  // The fields' names so far.
  Part part_ = Part::kNone;
  std::string field_;
  std::string value_;
  absl::Status error_;
};

}  // namespace

std::vector<HttpUploadRoute> RequestsUploadRoutes(RequestBook& book, const Gatekeeper& gate,
                                                  const CredentialStore& credentials) {
  HttpUploadRoute answers{
      .path = "/api/v1/requests/{id}/answers",
      .max_body_bytes =
          [&book] { return book.limits().max_request_document_bytes + kAnswerFormOverheadBytes; },
      .handler =
          [&book, &gate, &credentials](const HttpRequest& request,
                                       const HttpFormReader& read_form) {
            absl::StatusOr<v1::Actor> actor =
                AdmitActor(request, gate, credentials, Permission::kAnswerRequests,
                           CookieWrites::kFromDashboard);
            if (!actor.ok()) return ErrorResponse(actor.status());  // The body stays unread.
            AnswerForm form(book, *actor, PathParam(request, "id"));
            const bool whole =
                read_form([&form](const HttpFormPart& part) { return form.OnPart(part); },
                          [&form](absl::string_view bytes) { return form.OnData(bytes); });
            return form.Finish(whole);
          }};
  std::vector<HttpUploadRoute> routes;
  routes.push_back(std::move(answers));
  return routes;
}

}  // namespace postura::collector
