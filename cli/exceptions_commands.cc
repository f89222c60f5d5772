#include "cli/exceptions_commands.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/text_table.h"
#include "cli/time_text.h"

namespace postura::cli {
namespace {

using Exceptions = v1::RiskExceptions::Stub;

struct CreateExceptionOptions {
  std::string asset, outcome, reason, until, requested_by;
};

absl::string_view StatusText(v1::RiskExceptionStatus status) {
  switch (status) {
    case v1::RISK_EXCEPTION_ACTIVE:
      return "active";
    case v1::RISK_EXCEPTION_EXPIRED:
      return "expired";
    case v1::RISK_EXCEPTION_REVOKED:
      return "revoked";
    default:
      return "?";
  }
}

std::string UntilText(const v1::RiskException& exception) {
  return UnixNanosText(exception.until_unix_seconds() * 1'000'000'000);
}

std::string WhoText(const v1::Actor& actor) {
  return actor.name().empty() ? actor.credential_id() : actor.name();
}

int RunCreate(CommandContext& c, const CreateExceptionOptions& options) {
  absl::StatusOr<absl::Time> until = ParseFutureInstant("--until", options.until, absl::Now());
  if (!until.ok()) return c.BadInput(until.status());
  v1::CreateRiskExceptionRequest request;
  request.set_asset_id(options.asset);
  request.set_outcome_id(options.outcome);
  request.set_reason(options.reason);
  request.set_until_unix_seconds(absl::ToUnixSeconds(*until));
  request.set_requested_by(options.requested_by);
  return PrintResponse(
      c, c.collector.Call(c.collector.exceptions(), &Exceptions::CreateException, request),
      [](const v1::RiskException& created) {
        return absl::StrCat("Accepted ", ExceptionText(created));
      });
}

int RunList(CommandContext& c, const std::string& asset) {
  v1::ListRiskExceptionsRequest request;
  request.set_asset_id(asset);
  return PrintResponse(
      c, c.collector.Call(c.collector.exceptions(), &Exceptions::ListExceptions, request),
      ExceptionListText);
}

int RunRevoke(CommandContext& c, const std::string& id, const std::string& reason) {
  v1::RevokeRiskExceptionRequest request;
  request.set_exception_id(id);
  request.set_reason(reason);
  return PrintResponse(
      c, c.collector.Call(c.collector.exceptions(), &Exceptions::RevokeException, request),
      [](const v1::RiskException& revoked) {
        return absl::StrCat("Revoked ", revoked.id(), ".\n");
      });
}

}  // namespace

absl::StatusOr<absl::Time> ParseFutureInstant(const std::string& flag, const std::string& text,
                                              absl::Time now) {
  if (absl::StatusOr<absl::Time> time = ParseRfc3339(text); time.ok()) return *time;
  absl::StatusOr<absl::Duration> ahead = ParseDurationFlag(flag, text);
  if (!ahead.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", text,
                     "': give an RFC 3339 time (2027-01-31T00:00:00Z) or a duration from now "
                     "(90d)"));
  }
  return now + *ahead;
}

std::string ExceptionText(const v1::RiskException& exception) {
  return absl::StrCat(
      exception.id(), ": the risk of outcome ", exception.outcome_id(), " on asset ",
      exception.asset_id(), " is accepted until ", UntilText(exception), " (",
      StatusText(exception.status()), "), approved by ", WhoText(exception.approved_by()),
      exception.requested_by().empty() ? "" : absl::StrCat(", asked by ", exception.requested_by()),
      ".\n  It changes no level and no score.\n");
}

std::string ExceptionListText(const v1::ListRiskExceptionsResponse& list) {
  if (list.exceptions().empty()) return "No risk exceptions.\n";
  TextTable table({"id", "status", "asset", "outcome", "until", "approved by", "reason"});
  for (const v1::RiskException& exception : list.exceptions()) {
    table.AddRow({exception.id(), std::string(StatusText(exception.status())), exception.asset_id(),
                  exception.outcome_id(), UntilText(exception), WhoText(exception.approved_by()),
                  Ellipsize(exception.reason(), 40)});
  }
  return table.Render();
}

void AddExceptionsCommands(CLI::App& app, CommandLine& line) {
  CLI::App* exceptions = app.add_subcommand(
      "exceptions", "Risk exceptions: accept an outcome's gap on an asset until a date");
  exceptions->require_subcommand(1);
  auto create = std::make_shared<CreateExceptionOptions>();
  CLI::App* command = exceptions->add_subcommand(
      "create", "Accept the risk of an outcome on an asset (admin; the admin approves it)");
  command->add_option("--asset", create->asset, "The asset")->required();
  command->add_option("--outcome", create->outcome, "The outcome id")->required();
  command->add_option("--reason", create->reason, "Why the risk is accepted")->required();
  command->add_option("--until", create->until, "End date: RFC 3339 or a duration from now (90d)")
      ->required();
  command->add_option("--requested-by", create->requested_by,
                      "Who asked for it (not the approving admin's token name)");
  AddFormatOption(command, line);
  OnSelected(command, line, [create](CommandContext& c) { return RunCreate(c, *create); });

  auto asset = std::make_shared<std::string>();
  command = exceptions->add_subcommand("list", "The exceptions you may see, newest first");
  command->add_option("--asset", *asset, "Only this asset's");
  AddFormatOption(command, line);
  OnSelected(command, line, [asset](CommandContext& c) { return RunList(c, *asset); });

  auto id = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  command = exceptions->add_subcommand("revoke", "End an active exception now (admin)");
  command->add_option("exception", *id, "Exception id (EXC-000001)")->required();
  command->add_option("--reason", *reason, "Why");
  AddFormatOption(command, line);
  OnSelected(command, line, [id, reason](CommandContext& c) { return RunRevoke(c, *id, *reason); });
}

}  // namespace postura::cli
