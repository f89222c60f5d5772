#include "cli/evidence_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/terminal_text.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

constexpr int kDetailWidth = 60;

}  // namespace

std::string EvidenceHistoryText(absl::string_view asset_id, absl::string_view outcome_id,
                                const v1::EvidenceHistory& history) {
  std::string text =
      absl::StrFormat("Evidence of outcome %s on asset %s: %d records, oldest first\n",
                      TerminalSafe(outcome_id), TerminalSafe(asset_id), history.records_size());
  if (history.records().empty()) return text + "  No evidence was recorded in this window.\n";
  TextTable table({"OBSERVED", "LEVEL", "KIND", "AGENT", "CHECK", "EXPIRES", "DETAIL"});
  table.AlignRight(1);
  for (const v1::StoredEvidence& record : history.records()) {
    const v1::Evidence& e = record.evidence();
    table.AddRow({UnixNanosText(e.observed_at_unix_nanos()), LevelText(e.level()),
                  std::string(EvidenceKindText(e.kind())), record.agent_id(), e.check_id(),
                  UnixNanosText(e.expires_at_unix_nanos()), Ellipsize(e.detail(), kDetailWidth)});
  }
  text += table.Render();
  if (history.truncated()) {
    text += "More records match: raise --limit, or narrow the window with --since or --from.\n";
  }
  return text;
}

}  // namespace postura::cli
