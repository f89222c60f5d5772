#include "cli/requests_commands.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

using Requests = v1::EvidenceRequests::Stub;

absl::string_view StatusText(v1::RequestStatus status) {
  switch (status) {
    case v1::REQUEST_OPEN:
      return "open";
    case v1::REQUEST_COMPLETE:
      return "complete";
    case v1::REQUEST_CANCELLED:
      return "cancelled";
    default:
      return "?";
  }
}

absl::string_view AnswerStatusText(v1::AnswerStatus status) {
  switch (status) {
    case v1::ANSWER_OPEN:
      return "open";
    case v1::ANSWER_SUBMITTED:
      return "submitted";
    case v1::ANSWER_APPROVED:
      return "approved";
    case v1::ANSWER_REJECTED:
      return "rejected";
    default:
      return "?";
  }
}

std::string OwnerText(const v1::EvidenceRequest& request) {
  return absl::StrCat(request.owner_kind() == v1::OWNER_SUPPLIER ? "supplier " : "department ",
                      request.owner_id());
}

std::string DueText(const v1::EvidenceRequest& request) {
  return absl::StrCat(UnixNanosText(request.due_unix_seconds() * 1'000'000'000),
                      request.overdue() ? " (overdue)" : "");
}

// Exactly one of `values` (named by `names`) may be non-empty: its index, or
// InvalidArgument naming the options.
absl::StatusOr<int> OneOf(const std::vector<const std::string*>& values, const std::string& names) {
  int chosen = -1;
  for (int i = 0; i < static_cast<int>(values.size()); ++i) {
    if (values[i]->empty()) continue;
    if (chosen >= 0) break;
    chosen = i;
  }
  int given = 0;
  for (const std::string* value : values) given += !value->empty();
  if (given != 1) return absl::InvalidArgumentError(absl::StrCat("give exactly one of ", names));
  return chosen;
}

absl::Status SetSelection(const CreateRequestOptions& options, v1::OutcomeSelection& selection) {
  const std::string outcomes = options.outcomes.empty() ? "" : "listed";
  absl::StatusOr<int> which =
      OneOf({&options.area, &options.category, &options.function, &outcomes},
            "--area, --category, --function or --outcome");
  if (!which.ok()) return which.status();
  selection.set_functional_area(options.area);
  selection.set_category(options.category);
  selection.set_function(options.function);
  for (const std::string& id : options.outcomes) selection.add_outcome_ids(id);
  return absl::OkStatus();
}

absl::Status SetScopeAndOwner(const CreateRequestOptions& options,
                              v1::CreateEvidenceRequestRequest& request) {
  absl::StatusOr<int> scope = OneOf({&options.asset, &options.department, &options.supplier},
                                    "--asset, --department or --supplier");
  if (!scope.ok()) return scope.status();
  constexpr v1::RequestScopeKind kScopes[] = {v1::REQUEST_SCOPE_ASSET, v1::REQUEST_SCOPE_DEPARTMENT,
                                              v1::REQUEST_SCOPE_SUPPLIER};
  request.set_scope_kind(kScopes[*scope]);
  request.set_scope_id(*scope == 0   ? options.asset
                       : *scope == 1 ? options.department
                                     : options.supplier);
  absl::StatusOr<int> owner = OneOf({&options.owner_department, &options.owner_supplier},
                                    "--owner-department or --owner-supplier");
  if (!owner.ok()) return owner.status();
  request.set_owner_kind(*owner == 0 ? v1::OWNER_DEPARTMENT : v1::OWNER_SUPPLIER);
  request.set_owner_id(*owner == 0 ? options.owner_department : options.owner_supplier);
  return absl::OkStatus();
}

// A due date: RFC 3339, or a duration from now ("30d").
absl::StatusOr<absl::Time> ParseDue(const std::string& text, absl::Time now) {
  if (absl::StatusOr<absl::Time> time = ParseRfc3339(text); time.ok()) return *time;
  absl::StatusOr<absl::Duration> ahead = ParseDurationFlag("--due", text);
  if (!ahead.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--due '", text,
                     "': give an RFC 3339 time (2027-01-31T00:00:00Z) or a duration "
                     "from now (30d)"));
  }
  return now + *ahead;
}

int RunCreate(CommandContext& c, const CreateRequestOptions& options) {
  absl::StatusOr<v1::CreateEvidenceRequestRequest> request =
      CreateRequestFrom(options, absl::Now());
  if (!request.ok()) return c.BadInput(request.status());
  return PrintResponse(c,
                       c.collector.Call(c.collector.requests(), &Requests::CreateRequest, *request),
                       [](const v1::EvidenceRequest& created) {
                         return absl::StrCat("Opened ", RequestText(created));
                       });
}

int RunList(CommandContext& c, bool all) {
  v1::ListEvidenceRequestsRequest request;
  request.set_include_closed(all);
  return PrintResponse(c,
                       c.collector.Call(c.collector.requests(), &Requests::ListRequests, request),
                       RequestListText);
}

int RunShow(CommandContext& c, const std::string& id) {
  v1::GetEvidenceRequestRequest request;
  request.set_request_id(id);
  return PrintResponse(c, c.collector.Call(c.collector.requests(), &Requests::GetRequest, request),
                       RequestText);
}

int RunCancel(CommandContext& c, const std::string& id, const std::string& reason) {
  v1::CancelEvidenceRequestRequest request;
  request.set_request_id(id);
  request.set_reason(reason);
  return PrintResponse(c,
                       c.collector.Call(c.collector.requests(), &Requests::CancelRequest, request),
                       [](const v1::EvidenceRequest& cancelled) {
                         return absl::StrCat("Cancelled ", cancelled.id(), ".\n");
                       });
}

int RunRenew(CommandContext& c, const std::string& id, const std::string& due) {
  v1::RenewEvidenceRequestRequest request;
  request.set_request_id(id);
  if (!due.empty()) {
    absl::StatusOr<absl::Time> when = ParseDue(due, absl::Now());
    if (!when.ok()) return c.BadInput(when.status());
    request.set_due_unix_seconds(absl::ToUnixSeconds(*when));
  }
  return PrintResponse(c,
                       c.collector.Call(c.collector.requests(), &Requests::RenewRequest, request),
                       [&id](const v1::EvidenceRequest& renewal) {
                         return absl::StrCat("Renewed ", id, " as ", RequestText(renewal),
                                             "The approved answers wait for review again.\n");
                       });
}

int RunAudit(CommandContext& c, const std::string& since) {
  v1::ListAuditRequest request;
  if (!since.empty()) {
    absl::StatusOr<absl::Time> from = ParseInstant("--since", since, absl::Now());
    if (!from.ok()) return c.BadInput(from.status());
    request.set_since_unix_nanos(absl::ToUnixNanos(*from));
  }
  return PrintResponse(c, c.collector.Call(c.collector.requests(), &Requests::ListAudit, request),
                       AuditText);
}

}  // namespace

absl::StatusOr<v1::CreateEvidenceRequestRequest> CreateRequestFrom(
    const CreateRequestOptions& options, absl::Time now) {
  v1::CreateEvidenceRequestRequest request;
  request.set_title(options.title);
  if (absl::Status s = SetSelection(options, *request.mutable_outcomes()); !s.ok()) return s;
  if (absl::Status s = SetScopeAndOwner(options, request); !s.ok()) return s;
  absl::StatusOr<absl::Time> due = ParseDue(options.due, now);
  if (!due.ok()) return due.status();
  request.set_due_unix_seconds(absl::ToUnixSeconds(*due));
  if (!options.validity.empty()) {
    absl::StatusOr<absl::Duration> validity = ParseDurationFlag("--validity", options.validity);
    if (!validity.ok()) return validity.status();
    request.set_validity_seconds(absl::ToInt64Seconds(*validity));
  }
  return request;
}

std::string RequestText(const v1::EvidenceRequest& request) {
  std::string text = absl::StrCat(
      request.id(), " \"", request.title(), "\": ", StatusText(request.status()), ", for ",
      OwnerText(request), ", due ", DueText(request),
      "\n  assets: ", absl::StrJoin(request.asset_ids(), ", "), "\n  approved answers count for ",
      request.validity_seconds() / 86400, " days; documents ", request.document_bytes(), " bytes\n",
      request.renews_request_id().empty()
          ? ""
          : absl::StrCat("  renews ", request.renews_request_id(), "\n"),
      request.renewed_by_request_id().empty()
          ? ""
          : absl::StrCat("  renewed by ", request.renewed_by_request_id(), "\n"));
  TextTable table({"outcome", "status", "level", "answers", "documents", "by"});
  for (const v1::OutcomeAnswer& outcome : request.outcomes()) {
    const bool answered = outcome.has_answer();
    table.AddRow({outcome.outcome_id(), std::string(AnswerStatusText(outcome.status())),
                  answered ? LevelText(outcome.answer().level()) : "-",
                  absl::StrCat(outcome.answers()), absl::StrCat(outcome.answer().documents_size()),
                  answered ? outcome.answer().submitted_by().name() : "-"});
  }
  return absl::StrCat(text, table.Render());
}

std::string RequestListText(const v1::ListEvidenceRequestsResponse& list) {
  if (list.requests().empty()) return "No evidence requests.\n";
  TextTable table({"id", "status", "owner", "due", "approved", "title"});
  for (const v1::EvidenceRequest& request : list.requests()) {
    int approved = 0;
    for (const v1::OutcomeAnswer& outcome : request.outcomes()) {
      approved += outcome.status() == v1::ANSWER_APPROVED;
    }
    table.AddRow({request.id(), std::string(StatusText(request.status())), OwnerText(request),
                  DueText(request), absl::StrCat(approved, "/", request.outcomes_size()),
                  Ellipsize(request.title(), 40)});
  }
  return table.Render();
}

std::string AuditText(const v1::ListAuditResponse& audit) {
  if (audit.entries().empty()) return "No audit entries.\n";
  TextTable table({"#", "time", "actor", "action", "request", "outcome", "sha256", "detail"});
  for (const v1::AuditEntry& entry : audit.entries()) {
    table.AddRow(
        {absl::StrCat(entry.sequence()), UnixNanosText(entry.at_unix_nanos()),
         entry.actor().name().empty() ? entry.actor().credential_id() : entry.actor().name(),
         entry.action(), entry.request_id().empty() ? entry.exception_id() : entry.request_id(),
         entry.outcome_id(), entry.content_sha256_hex().substr(0, 12),
         Ellipsize(entry.detail(), 50)});
  }
  return table.Render();
}

void AddRequestsCommands(CLI::App& app, CommandLine& line) {
  CLI::App* requests = app.add_subcommand(
      "requests", "Evidence requests: ask a department or supplier for proof of outcomes");
  requests->require_subcommand(1);
  auto create = std::make_shared<CreateRequestOptions>();
  CLI::App* command = requests->add_subcommand("create", "Open an evidence request (admin)");
  command->add_option("--title", create->title, "What the request is about")->required();
  command->add_option("--area", create->area, "The outcomes a functional area leads (FA1..FA12)");
  command->add_option("--category", create->category, "The outcomes of a category (ID.SC)");
  command->add_option("--function", create->function, "The outcomes of a function (RC)");
  command->add_option("--outcome", create->outcomes, "An outcome id (repeatable)");
  command->add_option("--asset", create->asset, "Scope: one asset");
  command->add_option("--department", create->department, "Scope: a department's assets");
  command->add_option("--supplier", create->supplier, "Scope: a supplier's assets");
  command->add_option("--owner-department", create->owner_department,
                      "Who answers: a department (admins and operators answer for it)");
  command->add_option("--owner-supplier", create->owner_supplier,
                      "Who answers: a supplier (its supplier tokens)");
  command->add_option("--due", create->due, "Due date: RFC 3339 or a duration from now (30d)")
      ->required();
  command->add_option("--validity", create->validity,
                      "How long approved answers count (default 365d)");
  AddFormatOption(command, line);
  OnSelected(command, line, [create](CommandContext& c) { return RunCreate(c, *create); });

  auto all = std::make_shared<bool>(false);
  command = requests->add_subcommand("list", "Open requests you may see");
  command->add_flag("--all", *all, "Also complete and cancelled ones");
  AddFormatOption(command, line);
  OnSelected(command, line, [all](CommandContext& c) { return RunList(c, *all); });

  auto id = std::make_shared<std::string>();
  command = requests->add_subcommand("show", "One request and where each outcome stands");
  command->add_option("request", *id, "Request id (REQ-000001)")->required();
  AddFormatOption(command, line);
  OnSelected(command, line, [id](CommandContext& c) { return RunShow(c, *id); });

  auto reason = std::make_shared<std::string>();
  command = requests->add_subcommand("cancel", "Cancel a request (admin)");
  command->add_option("request", *id, "Request id")->required();
  command->add_option("--reason", *reason, "Why");
  AddFormatOption(command, line);
  OnSelected(command, line, [id, reason](CommandContext& c) { return RunCancel(c, *id, *reason); });

  auto due = std::make_shared<std::string>();
  command = requests->add_subcommand(
      "renew",
      "Re-open a complete request with its approved answers and documents pending (admin)");
  command->add_option("request", *id, "Request id")->required();
  command->add_option("--due", *due,
                      "Due date: RFC 3339 or a duration from now (default: when the first "
                      "approval expires, at least 30 days)");
  AddFormatOption(command, line);
  OnSelected(command, line, [id, due](CommandContext& c) { return RunRenew(c, *id, *due); });

  auto since = std::make_shared<std::string>();
  command = app.add_subcommand("audit", "The audit trail of evidence requests (admin, auditor)");
  command->add_option("--since", *since, "From this instant: RFC 3339, or a duration ago (7d)");
  AddFormatOption(command, line);
  OnSelected(command, line, [since](CommandContext& c) { return RunAudit(c, *since); });
}

}  // namespace postura::cli
