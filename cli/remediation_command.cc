#include "cli/remediation_command.h"

#include <cmath>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/text_table.h"
#include "cli/time_text.h"

namespace postura::cli {
namespace {

using Query = v1::QueryService::Stub;

// Outcome titles run long; the table keeps to a terminal's width (JSON has them whole).
constexpr int kNameWidth = 40;

std::string TimestampText(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos()),
                          absl::UTCTimeZone());
}

// The group's row: key, name, closed, median, p90, open, oldest open.
std::vector<std::string> Cells(const v1::RemediationGroup& group, const std::string& key) {
  return {key,
          Ellipsize(group.name(), kNameWidth),
          absl::StrCat(group.closed()),
          RemediationDurationText(group.median_seconds(), group.closed() > 0),
          RemediationDurationText(group.p90_seconds(), group.closed() > 0),
          absl::StrCat(group.open()),
          RemediationDurationText(group.oldest_open_seconds(), group.open() > 0)};
}

}  // namespace

absl::StatusOr<v1::GetRemediationRequest> RemediationRequest(const RemediationOptions& options,
                                                             absl::Time now) {
  v1::GetRemediationRequest request;
  request.set_by(options.by);
  if (!options.since.empty()) {
    absl::StatusOr<absl::Time> since = ParseInstant("--since", options.since, now);
    if (!since.ok()) return since.status();
    request.set_since_unix_nanos(absl::ToUnixNanos(*since));
  }
  if (!options.until.empty()) {
    absl::StatusOr<absl::Time> until = ParseInstant("--until", options.until, now);
    if (!until.ok()) return until.status();
    request.set_until_unix_nanos(absl::ToUnixNanos(*until));
  }
  return request;
}

std::string RemediationDurationText(double seconds, bool any) {
  if (!any) return "-";
  const int64_t total = std::llround(std::max(0.0, seconds));
  const int64_t days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60;
  if (days > 0) return hours > 0 ? absl::StrCat(days, "d ", hours, "h") : absl::StrCat(days, "d");
  if (hours > 0) {
    return minutes > 0 ? absl::StrCat(hours, "h ", minutes, "m") : absl::StrCat(hours, "h");
  }
  if (minutes > 0) return absl::StrCat(minutes, "m");
  return absl::StrCat(total, "s");
}

std::string RemediationText(const v1::Remediation& remediation) {
  const std::string window = absl::StrCat("closed from ", TimestampText(remediation.since()),
                                          " to ", TimestampText(remediation.until()));
  if (remediation.groups().empty()) {
    return absl::StrCat("No gap episodes ", window, ", and none open.\n");
  }
  TextTable table({remediation.by(), "name", "closed", "median", "p90", "open", "oldest open"});
  for (int column : {2, 3, 4, 5, 6}) table.AlignRight(column);
  for (const v1::RemediationGroup& group : remediation.groups()) {
    table.AddRow(Cells(group, group.key().empty() ? "(none)" : group.key()));
  }
  table.AddRow(Cells(remediation.total(), "all"));
  return absl::StrCat("Remediation time by ", remediation.by(), ", of gaps ", window,
                      " (open: now):\n", table.Render());
}

int RunRemediation(CommandContext& c, const RemediationOptions& options, absl::Time now) {
  absl::StatusOr<v1::GetRemediationRequest> request = RemediationRequest(options, now);
  if (!request.ok()) return c.BadInput(request.status());
  return PrintResponse(
      c, c.collector.Call(c.collector.query(), &Query::GetRemediation, *request),
      [](const v1::Remediation& remediation) { return RemediationText(remediation); });
}

void AddRemediationCommand(CLI::App& app, CommandLine& line) {
  auto options = std::make_shared<RemediationOptions>();
  CLI::App* command = app.add_subcommand(
      "remediation",
      "How long gaps stay open: median and p90 time from an outcome falling below its target "
      "(or level 1) to its recovery, with the gaps open now");
  command->add_option("--by", options->by, "outcome (default), asset, function or supplier")
      ->check(CLI::IsMember({"outcome", "asset", "function", "supplier"}));
  command->add_option("--since", options->since,
                      "Gaps closed from this instant: RFC 3339, or a duration ago (default 90d)");
  command->add_option("--until", options->until,
                      "Gaps closed until this instant (default: now); RFC 3339 or a duration ago");
  AddFormatOption(command, line);
  OnSelected(command, line,
             [options](CommandContext& c) { return RunRemediation(c, *options, absl::Now()); });
}

}  // namespace postura::cli
