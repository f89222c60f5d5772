#ifndef POSTURA_CLI_WATCH_VIEW_H_
#define POSTURA_CLI_WATCH_VIEW_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// The latest summary of each watched asset, as `postura watch` shows it on a terminal.
// Not thread-safe.
class WatchView {
 public:
  // Records an update: the asset's new summary and when it was computed, or its removal.
  void Apply(const v1::ScoreUpdate& update);

  int size() const { return static_cast<int>(rows_.size()); }

  // A table sorted by asset id: asset, IG, value, adjusted value, coverage, targets met,
  // and the time of the last change in `zone`.
  std::string Table(absl::TimeZone zone) const;

 private:
  struct Row {
    v1::AssetSummary summary;
    int64_t changed_at_unix_nanos = 0;
  };
  std::map<std::string, Row> rows_;
};

// A full screen for a terminal: cursor home, the header line, the table, each line
// cleared to its end, then the rest of the screen cleared (ANSI escapes), so that redrawing
// updates in place without flicker. The screen is written to the terminal unfiltered, so
// every line of `header` and `table` is shown through TerminalSafe: its only control
// sequences are those of the screen itself.
std::string WatchScreen(absl::string_view header, absl::string_view table);

// One update as a line of a log (stdout is not a terminal), without a newline:
// "2024-05-01T12:00:03Z web IG2 value 0.71 adjusted 0.62 coverage 0.50 targets met".
std::string WatchUpdateLine(const v1::ScoreUpdate& update);

}  // namespace postura::cli

#endif  // POSTURA_CLI_WATCH_VIEW_H_
