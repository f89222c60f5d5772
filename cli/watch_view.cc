#include "cli/watch_view.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/terminal_text.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

constexpr char kClearToLineEnd[] = "\x1b[K";
constexpr char kClearToScreenEnd[] = "\x1b[J";
constexpr char kCursorHome[] = "\x1b[H";

std::string TargetsCell(const v1::AssetSummary& summary) {
  if (summary.target_count() == 0) return "no targets";
  return absl::StrFormat("%s (%d)", summary.targets_met() ? "met" : "NOT MET",
                         summary.target_count());
}

}  // namespace

void WatchView::Apply(const v1::ScoreUpdate& update) {
  const std::string& id = update.summary().asset_id();
  if (update.removed()) {
    rows_.erase(id);
    return;
  }
  Row& row = rows_[id];
  row.summary = update.summary();
  row.changed_at_unix_nanos = update.computed_at_unix_nanos();
}

std::string WatchView::Table(absl::TimeZone zone) const {
  TextTable table({"ASSET", "IG", "VALUE", "ADJUSTED", "COVERAGE", "TARGETS", "LAST CHANGE"});
  for (const auto& [id, row] : rows_) {
    const v1::AssetSummary& s = row.summary;
    table.AddRow(
        {id, std::string(GroupText(s.implementation_group())), ValueBar(s.value()),
         ValueBar(s.adjusted_value()), ValueBar(s.coverage()), TargetsCell(s),
         absl::FormatTime("%H:%M:%S", absl::FromUnixNanos(row.changed_at_unix_nanos), zone)});
  }
  return table.Render();
}

std::string WatchScreen(absl::string_view header, absl::string_view table) {
  std::string screen = kCursorHome;
  absl::StrAppend(&screen, TerminalSafe(header), kClearToLineEnd, "\n", kClearToLineEnd, "\n");
  for (absl::string_view line : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&screen, TerminalSafe(line), kClearToLineEnd, "\n");
  }
  return screen + kClearToScreenEnd;
}

std::string WatchUpdateLine(const v1::ScoreUpdate& update) {
  const v1::AssetSummary& s = update.summary();
  const std::string when = UnixNanosText(update.computed_at_unix_nanos());
  const std::string asset_id = TerminalSafe(s.asset_id());
  if (update.removed()) return absl::StrCat(when, " ", asset_id, " removed");
  std::string line = absl::StrFormat(
      "%s %s %s value %.4f adjusted %.4f coverage %.2f %s", when, asset_id,
      GroupText(s.implementation_group()), s.value(), s.adjusted_value(), s.coverage(),
      s.target_count() == 0 ? "no targets" : (s.targets_met() ? "targets met" : "targets NOT met"));
  if (update.targets_met_changed()) line += " (targets changed)";
  return line;
}

}  // namespace postura::cli
