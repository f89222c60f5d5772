#include "cli/report_command.h"

#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/accepted_risk.h"
#include "cli/crosswalk_command.h"
#include "cli/markdown_table.h"
#include "cli/output_file.h"
#include "cli/remediation_command.h"
#include "cli/terminal_text.h"
#include "common/model/catalog_corrections.h"
#include "nlohmann/json.hpp"

namespace postura::cli {
namespace {

using Query = v1::QueryService::Stub;

struct ReportOptions {
  std::string format = "markdown";
  std::string output;
  int top = 5;
  // The crosswalk report (cli/crosswalk_command.h) when --framework is given.
  std::string framework, against, asset;
  bool organization = false;
  std::vector<std::string> mappings;
};

std::string Value(double v) { return absl::StrFormat("%.2f", v); }
std::string Percent(double v) { return absl::StrFormat("%.0f%%", 100 * v); }

// Markdown tables (cli/markdown_table.h): control characters would act on the terminal
// the report is shown on, and pipes would break the table.
std::string Row(const std::vector<std::string>& cells) { return MarkdownRow(cells); }
std::string Header(const std::vector<std::string>& cells) { return MarkdownHeader(cells); }

std::string RollupTable(const std::string& title, const std::string& kind,
                        const google::protobuf::RepeatedPtrField<v1::Rollup>& rollups) {
  if (rollups.empty()) return "";
  std::string text =
      absl::StrCat("### ", title, "\n\n", Header({kind, "name", "assets", "index", "adjusted"}));
  for (const v1::Rollup& r : rollups) {
    text += Row({r.key(), r.name(), absl::StrCat(r.asset_count()), Value(r.index()),
                 Value(r.adjusted_index())});
  }
  return text + "\n";
}

// "50% (1 of 2 assets with targets)": assets without targets count in neither figure.
std::string MeetingTargets(const v1::OrganizationScore& org) {
  if (org.assets_with_targets() == 0) return "no asset has targets";
  return absl::StrCat(Percent(org.share_meeting_targets()), " (", org.assets_meeting_targets(),
                      " of ", org.assets_with_targets(), " assets with targets)");
}

std::string OrganizationSection(const v1::OrganizationScore& org) {
  std::string text = "## Organisation\n\n";
  text += Header({"assets", "index", "adjusted index", "coverage", "meeting targets"});
  text += Row({absl::StrCat(org.asset_count()), Value(org.index()), Value(org.adjusted_index()),
               Percent(org.coverage()), MeetingTargets(org)});
  text += "\n";
  text += RollupTable("Functions", "function", org.functions());
  text += RollupTable("Implementation groups", "group", org.implementation_groups());
  text += RollupTable("Departments", "department", org.departments());
  text += RollupTable("Suppliers", "supplier", org.suppliers());
  return text;
}

std::string AssetsSection(const v1::ListAssetScoresResponse& assets) {
  std::string text = absl::StrCat(
      "## Assets\n\n",
      Header({"asset", "name", "group", "department", "supplier", "value", "adjusted", "limited by",
              "coverage", "live / stale / none", "attested", "targets"}));
  for (const v1::AssetSummary& a : assets.assets()) {
    const std::string targets =
        a.target_count() == 0
            ? "none"
            : absl::StrCat(a.targets_met() ? "met" : "NOT met", " (", a.target_count(), ")");
    text += Row({a.asset_id(), a.name(), v1::ImplementationGroup_Name(a.implementation_group()),
                 a.department_id(), a.supplier_id(), Value(a.value()), Value(a.adjusted_value()),
                 a.limiting_asset_id() == a.asset_id() ? "" : a.limiting_asset_id(),
                 Percent(a.coverage()),
                 absl::StrCat(a.outcomes_live(), " / ", a.outcomes_stale(), " / ",
                              a.outcomes_no_evidence()),
                 absl::StrCat(a.outcomes_attested()), targets});
  }
  return text + "\n";
}

std::string GapsSection(const PostureReport& report, int top) {
  std::string text = absl::StrFormat(
      "## What to fix first\n\nPer asset, its %d largest gaps: the share of the asset value each "
      "would add at level 1.\n\n",
      top);
  for (size_t i = 0; i < report.gaps.size(); ++i) {
    std::vector<const v1::Gap*> gaps;
    std::vector<std::string> areas;
    for (const v1::FunctionalAreaGaps& area : report.gaps[i].areas()) {
      for (const v1::Gap& gap : area.gaps()) {
        gaps.push_back(&gap);
        areas.push_back(area.functional_area_id());
      }
    }
    std::vector<size_t> order(gaps.size());
    for (size_t g = 0; g < order.size(); ++g) order[g] = g;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      return gaps[x]->share_of_asset_value() > gaps[y]->share_of_asset_value();
    });
    text += absl::StrCat("### ", TerminalSafe(report.assets.assets(static_cast<int>(i)).asset_id()),
                         "\n\n");
    if (order.empty()) {
      text += "No gaps.\n\n";
      continue;
    }
    text += Header({"outcome", "title", "area", "level", "share of value"});
    for (size_t g = 0; g < order.size() && g < static_cast<size_t>(top); ++g) {
      const v1::Gap& gap = *gaps[order[g]];
      // RS.AN-5's own title, not the one the catalog carries (docs/catalog.md).
      const std::string title(ReportTitle(gap.outcome_id(), gap.title()));
      text += Row({gap.outcome_id(), title, areas[order[g]], v1::Level_Name(gap.level()),
                   Percent(gap.share_of_asset_value())});
    }
    text += "\n";
  }
  return text;
}

std::string RemediationRow(const std::string& key, const v1::RemediationGroup& group) {
  return Row({key, group.name(), absl::StrCat(group.closed()),
              RemediationDurationText(group.median_seconds(), group.closed() > 0),
              RemediationDurationText(group.p90_seconds(), group.closed() > 0),
              absl::StrCat(group.open()),
              RemediationDurationText(group.oldest_open_seconds(), group.open() > 0)});
}

std::string RemediationSection(const v1::Remediation& remediation) {
  std::string text = absl::StrCat(
      "## Remediation time\n\nHow long gaps stayed open, by the functional area that leads "
      "the outcome: of the gaps that closed from ",
      absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(remediation.since().seconds()),
                       absl::UTCTimeZone()),
      " to ",
      absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(remediation.until().seconds()),
                       absl::UTCTimeZone()),
      ", how many, and the median and 90th percentile time from an outcome falling below its "
      "target (or level 1) to its recovery; then the gaps still open and the oldest one's "
      "age.\n\n");
  if (remediation.groups().empty()) return text + "No gaps closed in that time, and none open.\n\n";
  text += Header({"area", "name", "closed", "median", "p90", "open now", "oldest open"});
  for (const v1::RemediationGroup& group : remediation.groups()) {
    text += RemediationRow(group.key(), group);
  }
  text += RemediationRow("all", remediation.total());
  return text + "\n";
}

// Reads everything the report holds; the first failed call's status.
absl::StatusOr<PostureReport> ReadReport(CommandContext& c) {
  PostureReport report;
  report.generated_at = absl::Now();
  report.collector = c.collector.address();
  absl::StatusOr<v1::OrganizationScore> org = c.collector.Call(
      c.collector.query(), &Query::GetOrganizationScore, v1::GetOrganizationScoreRequest());
  if (org.ok()) {
    report.organization = *std::move(org);
  } else if (!absl::IsPermissionDenied(org.status())) {
    return org.status();  // A supplier's or officer's credential is refused: no section.
  }
  absl::StatusOr<v1::ListAssetScoresResponse> assets =
      c.collector.Call(c.collector.query(), &Query::ListAssetScores, v1::ListAssetScoresRequest());
  if (!assets.ok()) return assets.status();
  report.assets = *std::move(assets);
  absl::StatusOr<v1::TiersAnswer> tiers = ReadTiers(c);
  if (!tiers.ok()) return tiers.status();
  report.tiers = *std::move(tiers);
  for (const v1::AssetSummary& asset : report.assets.assets()) {
    v1::GetGapsRequest request;
    request.set_asset_id(asset.asset_id());
    absl::StatusOr<v1::Gaps> gaps = c.collector.Call(c.collector.query(), &Query::GetGaps, request);
    if (!gaps.ok()) return gaps.status();
    report.gaps.push_back(*std::move(gaps));
  }
  absl::StatusOr<std::vector<v1::RiskException>> exceptions = ReadActiveExceptions(c);
  if (!exceptions.ok()) return exceptions.status();
  report.exceptions = *std::move(exceptions);
  v1::GetRemediationRequest remediation;
  remediation.set_by("function");
  absl::StatusOr<v1::Remediation> figures =
      c.collector.Call(c.collector.query(), &Query::GetRemediation, remediation);
  if (!figures.ok()) return figures.status();
  report.remediation = *std::move(figures);
  return report;
}

int RunReport(CommandContext& c, const ReportOptions& options) {
  if (!options.framework.empty()) {
    return RunCrosswalkReport(c, CrosswalkOptions{.framework = options.framework,
                                                  .against = options.against,
                                                  .asset = options.asset,
                                                  .mappings = options.mappings,
                                                  .json = options.format == "json",
                                                  .output = options.output});
  }
  if (!options.against.empty() || !options.asset.empty() || options.organization ||
      !options.mappings.empty()) {
    return c.BadInput(absl::InvalidArgumentError(
        "--against, --asset, --org and --mapping belong to a crosswalk report: give "
        "--framework csf2.0|sp800-53r5|iso27001-2013|iso27001-2022"));
  }
  absl::StatusOr<PostureReport> report = ReadReport(c);
  if (!report.ok()) return c.Fail(report.status());
  const std::string text =
      options.format == "json" ? ReportJson(*report) + "\n" : ReportMarkdown(*report, options.top);
  if (options.output.empty()) {
    c.out << text;
    return kExitOk;
  }
  if (absl::Status written = WriteOutputFile(options.output, text); !written.ok()) {
    return c.BadInput(written);
  }
  c.out << "Report of " << report->assets.assets_size() << " assets written to " << options.output
        << ".\n";
  return kExitOk;
}

}  // namespace

std::string ReportMarkdown(const PostureReport& report, int top) {
  return absl::StrCat(
      "# Posture report\n\nGenerated ",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", report.generated_at, absl::UTCTimeZone()),
      " from the collector at ", TerminalSafe(report.collector),
      ". Values are CyberTOMP values from 0 to 1; adjusted values are limited by "
      "the assets each depends on.\n\n",
      report.organization ? OrganizationSection(*report.organization)
                          : "This credential sees its own assets: organisation-wide figures are "
                            "not shown.\n\n",
      report.tiers.tiers().empty() ? "" : TiersMarkdown(report.tiers), AssetsSection(report.assets),
      GapsSection(report, top), AcceptedRiskMarkdown(report.gaps, report.exceptions),
      RemediationSection(report.remediation));
}

std::string ReportJson(const PostureReport& report) {
  nlohmann::ordered_json json;
  json["generatedAt"] =
      absl::FormatTime(absl::RFC3339_sec, report.generated_at, absl::UTCTimeZone());
  json["collector"] = report.collector;
  if (report.organization) {
    json["organization"] = nlohmann::ordered_json::parse(ProtoJson(*report.organization, false));
  }
  json["assets"] = nlohmann::ordered_json::parse(ProtoJson(report.assets, false))["assets"];
  json["gaps"] = nlohmann::ordered_json::array();
  for (v1::Gaps gaps : report.gaps) {
    // RS.AN-5's own title, not the one the catalog carries (docs/catalog.md).
    for (v1::FunctionalAreaGaps& area : *gaps.mutable_areas()) {
      for (v1::Gap& gap : *area.mutable_gaps()) {
        gap.set_title(std::string(ReportTitle(gap.outcome_id(), gap.title())));
      }
    }
    json["gaps"].push_back(nlohmann::ordered_json::parse(ProtoJson(gaps, false)));
  }
  json["acceptedRisk"] = AcceptedRiskJson(report.gaps, report.exceptions);
  json["remediation"] = nlohmann::ordered_json::parse(ProtoJson(report.remediation, false));
  json["tiers"] = TiersJson(report.tiers);
  return TerminalSafeLines(json.dump(2));
}

void AddReportCommand(CLI::App& app, CommandLine& line) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* report = app.add_subcommand(
      "report",
      "A posture report to file or hand over: organisation rollups, every asset's scores, "
      "coverage and targets, what to fix first on each, and how long gaps stay open (Markdown "
      "or JSON)");
  report->add_option("--format", options->format, "markdown (default; also md) or json")
      ->check(CLI::IsMember({"markdown", "md", "json"}));
  report->add_option("-o,--output", options->output, "Write the report to this file");
  report->add_option("--top", options->top, "Gaps listed per asset (default 5)")
      ->check(CLI::Range(1, 1000));
  report->add_option("--framework", options->framework,
                     "Instead, a crosswalk report: the controls of csf2.0, sp800-53r5, "
                     "iso27001-2013 or iso27001-2022 with the outcomes mapped to them and their "
                     "derived status (docs/metrics.md)");
  report->add_option("--against", options->against,
                     "With --framework: align it with this second framework (controls reached "
                     "through the same outcomes, and what each lacks)");
  CLI::Option* asset =
      report->add_option("--asset", options->asset, "With --framework: one asset's standing");
  report
      ->add_flag("--org", options->organization,
                 "With --framework: the organisation's standing over every asset (default)")
      ->excludes(asset);
  report->add_option("--mapping", options->mappings,
                     "With --framework: an operator's mapping file in the layout of the shipped "
                     "uleo-to-*.tsv, for the framework, or NAME=FILE for framework NAME "
                     "(repeatable)");
  OnSelected(report, line, [options](CommandContext& c) { return RunReport(c, *options); });
}

}  // namespace postura::cli
