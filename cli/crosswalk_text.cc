#include "cli/crosswalk_text.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/markdown_table.h"
#include "cli/terminal_text.h"
#include "common/model/catalog_corrections.h"

namespace postura::cli {
namespace {

using crosswalk::Alignment;
using crosswalk::Control;
using crosswalk::ControlStanding;
using crosswalk::ControlStatus;
using crosswalk::FrameworkStanding;
using crosswalk::OutcomeStanding;
using crosswalk::SharedControl;
using crosswalk::Standing;

using crosswalk::kStatusRule;

std::string LevelText(const std::optional<Level>& level) {
  return level ? absl::StrFormat("%.2f", LevelValue(*level)) : "-";
}

std::string CoverageText(const Standing& standing) {
  if (standing.applicable == 0) return "n/a";
  return absl::StrFormat("%.0f%% (%d of %d)", 100 * standing.coverage(), standing.evaluated,
                         standing.applicable);
}

std::string StatusText(const Standing& standing) {
  std::string text(crosswalk::ControlStatusName(standing.status));
  if (standing.level && !standing.complete()) text += " (incomplete)";
  return text;
}

// Live, stale or missing evidence of one outcome: of one asset, or counted over many.
std::string EvidenceText(const OutcomeStanding& outcome, bool one_asset) {
  if (outcome.applicable == 0) return "not applicable";
  if (one_asset) {
    if (outcome.evaluated > 0) return outcome.attested > 0 ? "live, attested" : "live, observed";
    return outcome.stale > 0 ? "stale (expired)" : "no evidence";
  }
  std::string text =
      absl::StrFormat("live on %d of %d assets", outcome.evaluated, outcome.applicable);
  if (outcome.attested > 0) absl::StrAppend(&text, ", ", outcome.attested, " attested");
  if (outcome.stale > 0) absl::StrAppend(&text, ", ", outcome.stale, " stale");
  return text;
}

std::string ScopeText(const CrosswalkHeader& header) {
  if (!header.asset_id.empty()) return absl::StrCat("asset ", header.asset_id);
  return absl::StrCat("the organisation (", header.asset_count, " assets)");
}

std::string Preamble(const CrosswalkHeader& header) {
  std::string text = absl::StrCat(
      "Generated ",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", header.generated_at, absl::UTCTimeZone()),
      " from the collector at ", header.collector,
      ". Mapping files: ", absl::StrJoin(header.framework_sources, ", "));
  if (!header.against_sources.empty()) {
    absl::StrAppend(&text, "; ", absl::StrJoin(header.against_sources, ", "));
  }
  return absl::StrCat(TerminalSafe(text), ".\n\n", kStatusRule, "\n\n");
}

// "Subcategories" from "subcategories", for headings.
std::string Capitalized(absl::string_view text) {
  std::string capitalized(text);
  if (!capitalized.empty()) capitalized[0] = absl::ascii_toupper(capitalized[0]);
  return capitalized;
}

std::string ControlTitle(const Control& control) {
  return control.title.empty() ? "(title not shipped)" : control.title;
}

std::string OutcomeIds(const Catalog& catalog, const std::vector<int>& outcomes) {
  std::vector<std::string> ids;
  for (int outcome : outcomes) ids.push_back(catalog.outcomes()[outcome].id);
  return absl::StrJoin(ids, ", ");
}

std::string ControlIds(const std::vector<const Control*>& controls) {
  std::vector<std::string> ids;
  for (const Control* control : controls) ids.push_back(control->id);
  return absl::StrJoin(ids, ", ");
}

// The notes of corrected catalog rows among `outcomes` (docs/catalog.md).
std::string CorrectionNotes(const Catalog& catalog, const std::vector<int>& outcomes) {
  std::string text;
  for (int outcome : outcomes) {
    const CatalogCorrection* correction = FindCatalogCorrection(catalog.outcomes()[outcome].id);
    if (correction == nullptr) continue;
    absl::StrAppend(&text, "- ", correction->outcome_id, ": ", correction->note, "\n");
  }
  return text.empty() ? "" : absl::StrCat("Catalog notes (docs/catalog.md):\n\n", text, "\n");
}

std::string SummarySection(const FrameworkStanding& standing) {
  std::map<ControlStatus, int> by_status;
  for (const ControlStanding& control : standing.mapped) ++by_status[control.standing.status];
  const absl::string_view nouns = crosswalk::ControlsNoun(standing.framework);
  std::string text =
      absl::StrCat("## Summary\n\n",
                   absl::StrFormat("%d %s known, %d with mapped outcomes (%.0f%%), %d that "
                                   "nothing maps to.\n\n",
                                   standing.known_controls(), nouns, standing.mapped.size(),
                                   standing.known_controls() == 0
                                       ? 0.0
                                       : 100.0 * standing.mapped.size() / standing.known_controls(),
                                   standing.unmapped.size()));
  std::vector<std::string> names, counts;
  for (ControlStatus status : {ControlStatus::kImplemented, ControlStatus::kLargely,
                               ControlStatus::kPartially, ControlStatus::kNotImplemented,
                               ControlStatus::kNoEvidence, ControlStatus::kNotApplicable}) {
    names.emplace_back(crosswalk::ControlStatusName(status));
    counts.push_back(absl::StrCat(by_status[status]));
  }
  return text + MarkdownHeader(names) + MarkdownRow(counts) + "\n";
}

std::string ControlsSection(const Catalog& catalog, const FrameworkStanding& standing,
                            bool one_asset) {
  const std::string noun(crosswalk::ControlNoun(standing.framework));
  std::string text = absl::StrCat("## ", Capitalized(crosswalk::ControlsNoun(standing.framework)),
                                  " with mapped outcomes\n\n",
                                  MarkdownHeader({noun, "title", "status", "level", "coverage",
                                                  one_asset ? "outcomes" : "weakest asset"}));
  for (const ControlStanding& control : standing.mapped) {
    const Standing& s = control.standing;
    text +=
        MarkdownRow({control.control->id, ControlTitle(*control.control), StatusText(s),
                     LevelText(s.level), CoverageText(s),
                     one_asset ? OutcomeIds(catalog, control.control->outcomes) : s.weakest_asset});
  }
  absl::StrAppend(
      &text, "\n### Mapped outcomes\n\n",
      MarkdownHeader({noun, "outcome", "title", one_asset ? "level" : "lowest level", "evidence"}));
  std::vector<int> all_outcomes;
  for (const ControlStanding& control : standing.mapped) {
    for (const OutcomeStanding& outcome : control.standing.outcomes) {
      const CatalogOutcome& o = catalog.outcomes()[outcome.outcome];
      std::string level = LevelText(outcome.lowest);
      if (!one_asset && outcome.lowest) absl::StrAppend(&level, " (", outcome.lowest_asset, ")");
      text += MarkdownRow({control.control->id, o.id, std::string(ReportTitle(o)), level,
                           EvidenceText(outcome, one_asset)});
      all_outcomes.push_back(outcome.outcome);
    }
  }
  std::sort(all_outcomes.begin(), all_outcomes.end());
  all_outcomes.erase(std::unique(all_outcomes.begin(), all_outcomes.end()), all_outcomes.end());
  return text + "\n" + CorrectionNotes(catalog, all_outcomes);
}

std::string UnmappedSection(const Catalog& catalog, const FrameworkStanding& standing) {
  const std::string noun(crosswalk::ControlNoun(standing.framework));
  const std::string nouns(crosswalk::ControlsNoun(standing.framework));
  std::string text = absl::StrCat("## ", Capitalized(nouns), " nothing maps to\n\n");
  if (standing.unmapped.empty()) {
    absl::StrAppend(&text, "None among the ", nouns,
                    " the mapping files list. Postura knows a framework's ", nouns,
                    " only from its mapping files, and the shipped files list only those "
                    "that some outcome maps to: a ",
                    noun,
                    " absent from every file is unknown here, not met. An operator's file can "
                    "list the rest with an empty uleo_id (docs/metrics.md).\n\n");
  } else {
    text += MarkdownHeader({noun, "title"});
    for (const Control* control : standing.unmapped) {
      text += MarkdownRow({control->id, ControlTitle(*control)});
    }
    text += "\n";
  }
  absl::StrAppend(&text, "## Outcomes that reach no ", noun, "\n\n",
                  standing.outcomes_not_mapped.size(), " of ", catalog.outcomes().size(),
                  " catalog outcomes map to no ", noun,
                  " of this framework (under the shipped files: the CIS-safeguard and 9D "
                  "outcomes): their evidence counts in scores but not here.\n");
  return text;
}

}  // namespace

std::string CrosswalkMarkdown(const CrosswalkHeader& header, const Catalog& catalog,
                              const FrameworkStanding& standing) {
  const bool one_asset = !header.asset_id.empty();
  return absl::StrCat("# ", crosswalk::FrameworkTitle(standing.framework), ": ",
                      TerminalSafe(ScopeText(header)), "\n\n", Preamble(header),
                      SummarySection(standing), ControlsSection(catalog, standing, one_asset),
                      UnmappedSection(catalog, standing));
}

std::string CrosswalkJson(const CrosswalkHeader& header, const Catalog& catalog,
                          const FrameworkStanding& standing) {
  return TerminalSafeLines(crosswalk::FrameworkStandingDocument(header, catalog, standing).dump(2));
}

std::string AlignmentMarkdown(const CrosswalkHeader& header, const Catalog& catalog,
                              const Alignment& alignment) {
  const absl::string_view a = crosswalk::FrameworkTitle(alignment.a);
  const absl::string_view b = crosswalk::FrameworkTitle(alignment.b);
  std::string text = absl::StrCat("# ", a, " against ", b, ": ", TerminalSafe(ScopeText(header)),
                                  "\n\n", Preamble(header));
  absl::StrAppend(
      &text, "## Shared through the same outcomes\n\n", "Each ",
      crosswalk::ControlNoun(alignment.a), " of ", a, " with the ",
      crosswalk::ControlsNoun(alignment.b), " of ", b,
      " that the same outcomes reach; the status is that of the shared outcomes. "
      "\"Only in ",
      a, "\" lists its outcomes that reach nothing in ", b, ".\n\n",
      MarkdownHeader({std::string(crosswalk::FrameworkName(alignment.a)),
                      std::string(crosswalk::FrameworkName(alignment.b)), "shared outcomes",
                      "status", "level", "coverage",
                      "only in " + std::string(crosswalk::FrameworkName(alignment.a))}));
  for (const SharedControl& shared : alignment.shared) {
    text += MarkdownRow({shared.control->id, ControlIds(shared.counterparts),
                         OutcomeIds(catalog, shared.shared_outcomes), StatusText(shared.shared),
                         LevelText(shared.shared.level), CoverageText(shared.shared),
                         OutcomeIds(catalog, shared.own_outcomes)});
  }
  if (alignment.shared.empty()) text += "\nNo control of either reaches the other.\n";
  for (const auto& [title, controls] :
       {std::pair{a, &alignment.only_a}, std::pair{b, &alignment.only_b}}) {
    absl::StrAppend(&text, "\n## Only in ", title, "\n\n");
    if (controls->empty()) {
      absl::StrAppend(&text, "Every mapped control of ", title,
                      " shares an outcome with the other framework.\n");
      continue;
    }
    text += MarkdownHeader({"control", "title", "status", "level", "coverage", "outcomes"});
    for (const ControlStanding& control : *controls) {
      text += MarkdownRow({control.control->id, ControlTitle(*control.control),
                           StatusText(control.standing), LevelText(control.standing.level),
                           CoverageText(control.standing),
                           OutcomeIds(catalog, control.control->outcomes)});
    }
  }
  return text;
}

std::string AlignmentJson(const CrosswalkHeader& header, const Catalog& catalog,
                          const Alignment& alignment) {
  return TerminalSafeLines(crosswalk::AlignmentDocument(header, catalog, alignment).dump(2));
}

}  // namespace postura::cli
