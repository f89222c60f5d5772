#include "cli/score_commands.h"

#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/evidence_text.h"
#include "cli/gaps_text.h"
#include "cli/plan_command.h"
#include "cli/plan_text.h"
#include "cli/score_text.h"
#include "cli/time_text.h"

namespace postura::cli {
namespace {

using Query = v1::QueryService::Stub;

// Planning is an integer program; the planner gives up after 30 s of its own.
constexpr absl::Duration kPlanTimeout = absl::Seconds(60);

// "As of <time> (recomputed from the evidence log):" before a past score; nothing for now.
std::string AsOfLine(const std::string& as_of, absl::Time at) {
  if (as_of.empty()) return "";
  return absl::StrCat("As of ", UnixNanosText(absl::ToUnixNanos(at)),
                      " (recomputed from the evidence log):\n");
}

// The instant a score is asked for: `now`, or --as-of when given.
absl::StatusOr<absl::Time> ScoreInstant(const std::string& as_of, absl::Time now) {
  if (as_of.empty()) return now;
  return ParseInstant("--as-of", as_of, now);
}

// Fills the request's window from --since, --from and --to.
absl::Status SetWindow(const EvidenceOptions& options, absl::Time now,
                       v1::GetEvidenceHistoryRequest& request) {
  if (!options.since.empty()) {
    absl::StatusOr<absl::Duration> since = ParseSince(options.since);
    if (!since.ok()) return since.status();
    request.set_from_unix_nanos(absl::ToUnixNanos(now - *since));
  }
  if (!options.from.empty()) {
    absl::StatusOr<absl::Time> from = ParseRfc3339(options.from);
    if (!from.ok())
      return absl::InvalidArgumentError(absl::StrCat("--from: ", from.status().message()));
    request.set_from_unix_nanos(absl::ToUnixNanos(*from));
  }
  if (!options.to.empty()) {
    absl::StatusOr<absl::Time> to = ParseRfc3339(options.to);
    if (!to.ok()) return absl::InvalidArgumentError(absl::StrCat("--to: ", to.status().message()));
    request.set_to_unix_nanos(absl::ToUnixNanos(*to));
  }
  return absl::OkStatus();
}

void AddScoreCommand(CLI::App& app, CommandLine& line) {
  struct Flags {
    std::string asset_id;
    bool organization = false;
    bool outcomes = false;
    std::string as_of;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* score = app.add_subcommand(
      "score",
      "An asset's live score (value, adjusted value, coverage, targets, functions and "
      "categories), or with --org the organisation's");
  CLI::Option* asset = score->add_option("asset", flags->asset_id, "The asset's id");
  CLI::Option* org =
      score->add_flag("--org", flags->organization, "The organisation's score instead");
  asset->excludes(org);
  score->add_flag("--outcomes", flags->outcomes,
                  "Also every outcome: level, state (live, stale, no evidence), the deciding "
                  "agent and check, and the age of its evidence");
  score->add_option("--as-of", flags->as_of,
                    "The score as it was at this instant, recomputed from the evidence log: "
                    "RFC 3339 (2026-12-01T09:00:00Z) or a duration back from now (7d)");
  AddFormatOption(score, line);
  score->callback([flags, &line] {
    if (!flags->organization && flags->asset_id.empty()) {
      throw CLI::RequiredError("ASSET (or --org for the organisation's score)");
    }
    line.run = [flags](CommandContext& c) {
      return flags->organization ? RunOrganizationScore(c, flags->as_of)
                                 : RunAssetScore(c, flags->asset_id, flags->outcomes, flags->as_of);
    };
  });

  CLI::App* org_command = app.add_subcommand(
      "org",
      "The organisation's score: index, groups, departments, suppliers, functions, "
      "functional areas (same as `score --org`)");
  AddFormatOption(org_command, line);
  OnSelected(org_command, line, [](CommandContext& c) { return RunOrganizationScore(c); });
}

void AddGapsAndEvidenceCommands(CLI::App& app, CommandLine& line) {
  auto gaps_asset = std::make_shared<std::string>();
  CLI::App* gaps = app.add_subcommand(
      "gaps",
      "What to fix first: an asset's outcomes below level 1 or below their target, by "
      "leading functional area, largest share of the asset value first");
  gaps->add_option("asset", *gaps_asset, "The asset's id")->required();
  AddFormatOption(gaps, line);
  OnSelected(gaps, line, [gaps_asset](CommandContext& c) { return RunGaps(c, *gaps_asset); });

  auto options = std::make_shared<EvidenceOptions>();
  CLI::App* evidence = app.add_subcommand(
      "evidence",
      "The evidence stored for one outcome of an asset, oldest first (`evidence ASSET "
      "OUTCOME`); `evidence submit|review` answer evidence requests (evidence_commands.h)");
  // Not required(): `evidence submit ...` gives neither; the callback checks them.
  evidence->add_option("asset", options->asset_id, "The asset's id");
  evidence->add_option("outcome", options->outcome_id, "Outcome id, such as PR_AC_CSC_5_2");
  CLI::Option* since = evidence->add_option(
      "--since", options->since, "Only evidence observed in this last duration: 45s, 90m, 24h, 7d");
  CLI::Option* from = evidence->add_option("--from", options->from,
                                           "Only evidence observed at or after this RFC 3339 time");
  since->excludes(from);
  evidence->add_option("--to", options->to, "Only evidence observed before this RFC 3339 time");
  evidence->add_option("--limit", options->limit,
                       "At most this many records, the oldest first (default 1000)");
  AddFormatOption(evidence, line);
  // Runs after a subcommand's callback: `evidence submit|review` select their own command.
  evidence->callback([&line, evidence, options] {
    if (!evidence->get_subcommands().empty()) return;
    if (options->asset_id.empty() || options->outcome_id.empty()) {
      throw CLI::RequiredError("evidence ASSET OUTCOME (or evidence submit|review)");
    }
    line.run = [options](CommandContext& c) { return RunEvidence(c, *options, absl::Now()); };
  });
}

void AddPlanCommand(CLI::App& app, CommandLine& line) {
  auto asset = std::make_shared<std::string>();
  auto locked = std::make_shared<std::vector<std::string>>();
  CLI::App* plan = app.add_subcommand(
      "plan",
      "The least work that meets an asset's targets from its current levels, by leading "
      "functional area (exit 3 when the targets cannot all be met)");
  plan->add_option("asset", *asset, "The asset's id")->required();
  plan->add_option("--lock", *locked, "Outcome whose level must not change (repeatable)");
  AddFormatOption(plan, line);
  OnSelected(plan, line,
             [asset, locked](CommandContext& c) { return RunPlan(c, *asset, *locked); });
}

}  // namespace

int RunAssetScore(CommandContext& c, const std::string& asset_id, bool with_outcomes,
                  const std::string& as_of, absl::Time now) {
  absl::StatusOr<absl::Time> instant = ScoreInstant(as_of, now);
  if (!instant.ok()) return c.BadInput(instant.status());
  const absl::Time at = *instant;
  v1::GetAssetScoreRequest request;
  request.set_asset_id(asset_id);
  if (!as_of.empty()) request.set_as_of_unix_nanos(absl::ToUnixNanos(at));
  return PrintResponse(c, c.collector.Call(c.collector.query(), &Query::GetAssetScore, request),
                       [&](const v1::AssetScore& score) {
                         return absl::StrCat(AsOfLine(as_of, at),
                                             AssetScoreText(score, with_outcomes, at));
                       });
}

int RunOrganizationScore(CommandContext& c, const std::string& as_of, absl::Time now) {
  absl::StatusOr<absl::Time> instant = ScoreInstant(as_of, now);
  if (!instant.ok()) return c.BadInput(instant.status());
  const absl::Time at = *instant;
  v1::GetOrganizationScoreRequest request;
  if (!as_of.empty()) request.set_as_of_unix_nanos(absl::ToUnixNanos(at));
  return PrintResponse(c,
                       c.collector.Call(c.collector.query(), &Query::GetOrganizationScore, request),
                       [&](const v1::OrganizationScore& score) {
                         return absl::StrCat(AsOfLine(as_of, at), OrganizationScoreText(score));
                       });
}

int RunGaps(CommandContext& c, const std::string& asset_id) {
  v1::GetGapsRequest request;
  request.set_asset_id(asset_id);
  return PrintResponse(c, c.collector.Call(c.collector.query(), &Query::GetGaps, request),
                       GapsText);
}

int RunEvidence(CommandContext& c, const EvidenceOptions& options, absl::Time now) {
  v1::GetEvidenceHistoryRequest request;
  request.set_asset_id(options.asset_id);
  request.set_outcome_id(options.outcome_id);
  request.set_limit(options.limit);
  if (absl::Status s = SetWindow(options, now, request); !s.ok()) return c.BadInput(s);
  return PrintResponse(c,
                       c.collector.Call(c.collector.query(), &Query::GetEvidenceHistory, request),
                       [&](const v1::EvidenceHistory& history) {
                         return EvidenceHistoryText(options.asset_id, options.outcome_id, history);
                       });
}

int RunPlan(CommandContext& c, const std::string& asset_id,
            const std::vector<std::string>& locked_outcome_ids) {
  v1::PlanAssetRequest request;
  request.set_asset_id(asset_id);
  for (const std::string& id : locked_outcome_ids) request.add_locked_outcome_ids(id);
  absl::StatusOr<v1::AssetPlan> plan =
      c.collector.Call(c.collector.query(), &Query::PlanAsset, request, kPlanTimeout);
  if (absl::IsUnimplemented(plan.status())) {
    c.err << "postura: the collector at " << c.collector.address()
          << " cannot plan yet (upgrade postura-collector); meanwhile run `postura fleco export "
          << asset_id << " -o case.json` and `postura fleco plan case.json`\n";
    return kExitBadInput;
  }
  const int printed =
      PrintResponse(c, plan, [&](const v1::AssetPlan& p) { return AssetPlanText(c.catalog, p); });
  if (printed != kExitOk) return printed;
  return plan->feasible() ? kExitOk : kExitTargetsConflict;
}

void AddScoreCommands(CLI::App& app, CommandLine& line) {
  AddScoreCommand(app, line);
  AddGapsAndEvidenceCommands(app, line);
  AddPlanCommand(app, line);
}

}  // namespace postura::cli
