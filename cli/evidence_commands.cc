#include "cli/evidence_commands.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/requests_commands.h"

namespace postura::cli {
namespace {

using Requests = v1::EvidenceRequests::Stub;

constexpr size_t kPieceBytes = 256 << 10;
// Uploads and downloads may be large: they get more time than a unary call.
constexpr absl::Duration kTransferTimeout = absl::Minutes(10);

// Sends the header, then each file in pieces. An unreadable file stops before anything is
// committed: the stream is cancelled, so the collector keeps nothing.
absl::StatusOr<v1::EvidenceRequest> Submit(CommandContext& c, const v1::SubmitAnswerHeader& header,
                                           const std::vector<std::string>& files) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kTransferTimeout));
  v1::EvidenceRequest response;
  std::unique_ptr<grpc::ClientWriter<v1::SubmitAnswerChunk>> writer =
      c.collector.requests().SubmitAnswer(&context, &response);
  v1::SubmitAnswerChunk chunk;
  *chunk.mutable_header() = header;
  bool open = writer->Write(chunk);
  for (size_t i = 0; open && i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    if (!in) {
      context.TryCancel();
      writer->Finish().ok();  // The local error is the one to report.
      return absl::InvalidArgumentError(absl::StrCat("--attach ", files[i], ": cannot read it"));
    }
    chunk.Clear();
    chunk.set_file_name(std::filesystem::path(files[i]).filename().string());
    std::string piece(kPieceBytes, '\0');
    do {
      in.read(piece.data(), piece.size());
      chunk.set_data(piece.data(), static_cast<size_t>(in.gcount()));
      open = writer->Write(chunk);
      chunk.clear_file_name();
    } while (open && in.gcount() == static_cast<std::streamsize>(piece.size()));
  }
  if (open) writer->WritesDone();
  if (grpc::Status status = writer->Finish(); !status.ok()) return FromGrpcStatus(status);
  return response;
}

std::string Sha256Hex(EVP_MD_CTX* hash) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(hash, digest, &length);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length));
}

// Streams the document into `temporary`, hashing it; the description of the first chunk.
absl::StatusOr<v1::DocumentRef> Download(CommandContext& c, const std::string& sha256,
                                         const std::filesystem::path& temporary) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kTransferTimeout));
  v1::GetDocumentRequest request;
  request.set_sha256_hex(sha256);
  std::unique_ptr<grpc::ClientReader<v1::DocumentChunk>> reader =
      c.collector.requests().GetDocument(&context, request);
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> hash(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(hash.get(), EVP_sha256(), nullptr);
  v1::DocumentChunk chunk;
  v1::DocumentRef document;
  while (reader->Read(&chunk)) {
    if (chunk.has_document()) document = chunk.document();
    out.write(chunk.data().data(), chunk.data().size());
    EVP_DigestUpdate(hash.get(), chunk.data().data(), chunk.data().size());
  }
  if (grpc::Status status = reader->Finish(); !status.ok()) return FromGrpcStatus(status);
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temporary.string()));
  if (Sha256Hex(hash.get()) != sha256) {
    return absl::DataLossError("the document received does not have the SHA-256 asked for");
  }
  return document;
}

}  // namespace

absl::StatusOr<v1::Level> ParseLevelOption(const std::string& text) {
  if (text == "0") return v1::DLI_0;
  if (text == "0.33" || text == "33") return v1::DLI_33;
  if (text == "0.67" || text == "67") return v1::DLI_67;
  if (text == "1" || text == "100") return v1::DLI_100;
  return absl::InvalidArgumentError(
      absl::StrCat("--level '", text, "': one of the DLI levels 0, 0.33, 0.67 or 1"));
}

int RunSubmit(CommandContext& c, const SubmitOptions& options) {
  absl::StatusOr<v1::Level> level = ParseLevelOption(options.level);
  if (!level.ok()) return c.BadInput(level.status());
  v1::SubmitAnswerHeader header;
  header.set_request_id(options.request_id);
  header.set_outcome_id(options.outcome_id);
  header.set_level(*level);
  header.set_statement(options.statement);
  absl::StatusOr<v1::EvidenceRequest> answered = Submit(c, header, options.attachments);
  if (!answered.ok() && answered.status().code() == absl::StatusCode::kInvalidArgument &&
      absl::StartsWith(answered.status().message(), "--attach")) {
    return c.BadInput(answered.status());
  }
  return PrintResponse(c, answered, [&](const v1::EvidenceRequest& request) {
    return absl::StrCat("Answered ", options.outcome_id, " of ", request.id(),
                        "; it waits for review.\n");
  });
}

int RunReview(CommandContext& c, const ReviewOptions& options) {
  if (options.approve == options.reject) {
    return c.BadInput(absl::InvalidArgumentError("give exactly one of --approve or --reject"));
  }
  v1::ReviewAnswerRequest request;
  request.set_request_id(options.request_id);
  request.set_outcome_id(options.outcome_id);
  request.set_approve(options.approve);
  request.set_comment(options.comment);
  return PrintResponse(c,
                       c.collector.Call(c.collector.requests(), &Requests::ReviewAnswer, request),
                       [&](const v1::EvidenceRequest& reviewed) {
                         return absl::StrCat(options.approve ? "Approved " : "Rejected ",
                                             options.outcome_id, " of ", reviewed.id(), ".\n");
                       });
}

int RunDocumentGet(CommandContext& c, const std::string& sha256, const std::string& output) {
  const std::filesystem::path target(output);
  std::filesystem::path temporary = target;
  temporary += absl::StrCat(".part.", getpid());
  absl::StatusOr<v1::DocumentRef> document = Download(c, sha256, temporary);
  std::error_code error;
  if (document.ok()) std::filesystem::rename(temporary, target, error);
  if (!document.ok() || error) {
    std::filesystem::remove(temporary, error);
    return c.Fail(document.ok() ? absl::UnavailableError(absl::StrCat("cannot write ", output))
                                : document.status());
  }
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(*document);
  } else {
    c.out << "Wrote " << output << " (" << document->media_type() << ", " << document->size_bytes()
          << " bytes).\n";
  }
  return kExitOk;
}

void AddEvidenceCommands(CLI::App& app, CommandLine& line) {
  // `evidence ASSET OUTCOME` (score_commands.h) reads the evidence log; these are beside it.
  CLI::App* evidence = app.get_subcommand("evidence");
  auto submit = std::make_shared<SubmitOptions>();
  CLI::App* command = evidence->add_subcommand(
      "submit", "Answer one outcome of a request with a level, a statement and documents");
  command->add_option("request", submit->request_id, "Request id (REQ-000001)")->required();
  command->add_option("--outcome", submit->outcome_id, "The outcome answered")->required();
  command->add_option("--level", submit->level, "DLI level: 0, 0.33, 0.67 or 1")->required();
  command->add_option("--statement", submit->statement, "How the outcome is met")->required();
  command->add_option("--attach", submit->attachments,
                      "A document: PDF, image, office file or UTF-8 text (repeatable)");
  AddFormatOption(command, line);
  OnSelected(command, line, [submit](CommandContext& c) { return RunSubmit(c, *submit); });

  auto review = std::make_shared<ReviewOptions>();
  command = evidence->add_subcommand(
      "review", "Approve (it scores at once) or reject (back to the owner) an answer");
  command->add_option("request", review->request_id, "Request id")->required();
  command->add_option("--outcome", review->outcome_id, "The outcome reviewed")->required();
  command->add_flag("--approve", review->approve, "Approve the answer");
  command->add_flag("--reject", review->reject, "Reject the answer");
  command->add_option("--comment", review->comment, "Why")->required();
  AddFormatOption(command, line);
  OnSelected(command, line, [review](CommandContext& c) { return RunReview(c, *review); });

  CLI::App* documents = app.add_subcommand("documents", "Documents attached to answers");
  documents->require_subcommand(1);
  auto sha = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  command = documents->add_subcommand("get", "Download a document by its SHA-256");
  command->add_option("sha256", *sha, "The document's SHA-256 (hex)")->required();
  command->add_option("-o,--output", *output, "File to write")->required();
  AddFormatOption(command, line);
  OnSelected(command, line,
             [sha, output](CommandContext& c) { return RunDocumentGet(c, *sha, *output); });
}

}  // namespace postura::cli
