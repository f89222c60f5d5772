#include "cli/history_commands.h"

#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

using Query = v1::QueryService::Stub;

std::string TimestampText(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos()),
                          absl::UTCTimeZone());
}

std::string Number(double value) { return absl::StrFormat("%.3f", value); }

// Sets `*unix_nanos` from the instant in option `flag` unless `text` is empty.
absl::Status SetInstant(absl::string_view flag, const std::string& text, absl::Time now,
                        google::protobuf::int64* unix_nanos) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Time> instant = ParseInstant(flag, text, now);
  if (!instant.ok()) return instant.status();
  *unix_nanos = absl::ToUnixNanos(*instant);
  return absl::OkStatus();
}

absl::StatusOr<v1::GetScoreHistoryRequest> HistoryRequest(const HistoryOptions& options,
                                                          absl::Time now) {
  v1::GetScoreHistoryRequest request;
  request.set_asset_id(options.asset_id);
  request.set_organization(options.organization);
  google::protobuf::int64 since = 0, until = 0;
  if (absl::Status s = SetInstant("--since", options.since, now, &since); !s.ok()) return s;
  if (absl::Status s = SetInstant("--until", options.until, now, &until); !s.ok()) return s;
  request.set_since_unix_nanos(since);
  request.set_until_unix_nanos(until);
  if (!options.step.empty()) {
    absl::StatusOr<absl::Duration> step = ParseDurationFlag("--step", options.step);
    if (!step.ok()) return step.status();
    if (*step <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("--step '", options.step, "' must be > 0"));
    }
    request.set_step_nanos(absl::ToInt64Nanoseconds(*step));
  }
  return request;
}

std::string Subject(const std::string& asset_id) {
  return asset_id.empty() ? "the organisation" : absl::StrCat("asset ", asset_id);
}

// Adds ASSET and --org, one of them required, to `command`.
void AddSubjectOptions(CLI::App* command, std::string& asset_id, bool& organization,
                       const std::string& what) {
  CLI::Option* asset = command->add_option("asset", asset_id, "The asset's id");
  CLI::Option* org = command->add_flag("--org", organization, "The organisation's " + what);
  asset->excludes(org);
}

}  // namespace

std::string ScoreHistoryText(const std::string& subject, const v1::ScoreHistory& history) {
  if (history.points().empty())
    return absl::StrCat("No history of ", subject, " in that window.\n");
  const bool rollup = history.points(0).asset_count() > 0;
  TextTable table(
      {"time", "value", "adjusted", "coverage", rollup ? "meeting targets" : "targets"});
  for (int column : {1, 2, 3}) table.AlignRight(column);
  for (const v1::HistoryPoint& point : history.points()) {
    table.AddRow({TimestampText(point.time()), Number(point.value()),
                  Number(point.adjusted_value()), Number(point.coverage()),
                  rollup ? absl::StrFormat("%d of %d with targets (%d assets)",
                                           point.assets_meeting_targets(),
                                           point.assets_with_targets(), point.asset_count())
                         : (point.targets_met() ? "met" : "missed")});
  }
  std::string text = absl::StrCat("History of ", subject, ":\n", table.Render());
  if (history.truncated()) {
    absl::StrAppend(&text,
                    "(more changes than one answer holds: give --step or a shorter "
                    "window)\n");
  }
  return text;
}

std::string ScoreDiffText(const std::string& subject, const v1::ScoreDiff& diff) {
  const std::string window =
      absl::StrCat(" from ", TimestampText(diff.from()), " to ", TimestampText(diff.to()));
  if (diff.changes().empty()) return absl::StrCat("No changes of ", subject, window, ".\n");
  const bool outcomes = !diff.changes(0).outcome().empty();
  TextTable table(outcomes ? std::vector<std::string>{"outcome", "before", "after", "evidence"}
                           : std::vector<std::string>{"asset", "value", "adjusted", "targets"});
  for (const v1::ScoreChange& change : diff.changes()) {
    if (outcomes) {
      const v1::SourceEvidence& evidence = change.evidence();
      table.AddRow({change.outcome(),
                    absl::StrCat(LevelText(change.before().level()), " ",
                                 OutcomeStateText(change.before().state())),
                    absl::StrCat(LevelText(change.after().level()), " ",
                                 OutcomeStateText(change.after().state())),
                    evidence.agent_id().empty()
                        ? "-"
                        : absl::StrCat(evidence.agent_id(), " ", evidence.check_id(), " ",
                                       EvidenceKindText(evidence.kind()), " ",
                                       UnixNanosText(evidence.observed_at_unix_nanos()))});
    } else {
      table.AddRow(
          {change.asset(),
           absl::StrCat(Number(change.value_before()), " -> ", Number(change.value_after())),
           absl::StrCat(Number(change.adjusted_value_before()), " -> ",
                        Number(change.adjusted_value_after())),
           absl::StrCat(change.targets_met_before() ? "met" : "missed", " -> ",
                        change.targets_met_after() ? "met" : "missed")});
    }
  }
  return absl::StrCat("Changes of ", subject, window, ":\n", table.Render());
}

int RunHistory(CommandContext& c, const HistoryOptions& options, absl::Time now) {
  absl::StatusOr<v1::GetScoreHistoryRequest> request = HistoryRequest(options, now);
  if (!request.ok()) return c.BadInput(request.status());
  return PrintResponse(c, c.collector.Call(c.collector.query(), &Query::GetScoreHistory, *request),
                       [&](const v1::ScoreHistory& history) {
                         return ScoreHistoryText(Subject(options.asset_id), history);
                       });
}

int RunDiff(CommandContext& c, const DiffOptions& options, absl::Time now) {
  v1::GetScoreDiffRequest request;
  request.set_asset_id(options.asset_id);
  request.set_organization(options.organization);
  google::protobuf::int64 from = 0, to = 0;
  if (absl::Status s = SetInstant("--from", options.from, now, &from); !s.ok()) {
    return c.BadInput(s);
  }
  if (absl::Status s = SetInstant("--to", options.to, now, &to); !s.ok()) return c.BadInput(s);
  request.set_from_unix_nanos(from);
  request.set_to_unix_nanos(to);
  return PrintResponse(
      c, c.collector.Call(c.collector.query(), &Query::GetScoreDiff, request),
      [&](const v1::ScoreDiff& diff) { return ScoreDiffText(Subject(options.asset_id), diff); });
}

void AddHistoryCommands(CLI::App& app, CommandLine& line) {
  auto history = std::make_shared<HistoryOptions>();
  CLI::App* history_command = app.add_subcommand(
      "history",
      "How an asset's (or with --org the organisation's) value, adjusted value, coverage and "
      "targets moved: every recorded change, or one point per --step");
  AddSubjectOptions(history_command, history->asset_id, history->organization, "history");
  history_command->add_option("--since", history->since,
                              "From this instant: RFC 3339, or a duration back from now (7d)");
  history_command->add_option("--until", history->until,
                              "Until this instant (default: now); RFC 3339 or a duration ago");
  history_command->add_option("--step", history->step,
                              "One point per step (1h, 1d): the figures as they stood then");
  AddFormatOption(history_command, line);
  history_command->callback([history, &line] {
    if (!history->organization && history->asset_id.empty()) {
      throw CLI::RequiredError("ASSET (or --org for the organisation's history)");
    }
    line.run = [history](CommandContext& c) { return RunHistory(c, *history, absl::Now()); };
  });

  auto diff = std::make_shared<DiffOptions>();
  CLI::App* diff_command = app.add_subcommand(
      "diff",
      "What changed between two instants: an asset's outcomes whose level or state changed, "
      "with the evidence behind each, or with --org the assets whose value or targets changed");
  AddSubjectOptions(diff_command, diff->asset_id, diff->organization, "assets");
  diff_command
      ->add_option("--from", diff->from, "The earlier instant: RFC 3339, or a duration ago (1d)")
      ->required();
  diff_command->add_option("--to", diff->to, "The later instant (default: now)");
  AddFormatOption(diff_command, line);
  diff_command->callback([diff, &line] {
    if (!diff->organization && diff->asset_id.empty()) {
      throw CLI::RequiredError("ASSET (or --org for the organisation's assets)");
    }
    line.run = [diff](CommandContext& c) { return RunDiff(c, *diff, absl::Now()); };
  });
}

}  // namespace postura::cli
