#ifndef POSTURA_COLLECTOR_HISTORY_HISTORY_READER_H_
#define POSTURA_COLLECTOR_HISTORY_HISTORY_READER_H_

// Reads score history back: one subject's recorded changes in a window, the figures at
// evenly spaced instants, or at one instant. Used by the API's history and diff answers.
//
// Threading: const and thread-safe (the store is).

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collector/store/evidence_store.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// `store` is borrowed and must outlive the reader.
class HistoryReader {
 public:
  explicit HistoryReader(const EvidenceStore& store) : store_(store) {}

  // The subject's recorded points with since <= time <= until, oldest first, at most
  // `limit` of them (`truncated` set when more matched). DataLoss for a corrupt record.
  absl::StatusOr<v1::ScoreHistory> Points(absl::string_view subject, absl::Time since,
                                          absl::Time until, size_t limit) const;

  // The figures at since, since + step, ... up to until: each point is the last recorded
  // at or before its instant, with the instant as its time. Instants before the first
  // recorded point are left out. REQUIRES: step > 0; the caller bounds the count.
  absl::StatusOr<v1::ScoreHistory> Sampled(absl::string_view subject, absl::Time since,
                                           absl::Time until, absl::Duration step) const;

  // The last point recorded at or before `at`; nullopt if none.
  absl::StatusOr<std::optional<v1::HistoryPoint>> At(absl::string_view subject,
                                                     absl::Time at) const;

 private:
  const EvidenceStore& store_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_HISTORY_HISTORY_READER_H_
