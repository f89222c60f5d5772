#include "collector/history/history_reader.h"

#include "absl/strings/str_cat.h"
#include "collector/history/history_keys.h"

namespace postura::collector {
namespace {

int64_t ClampedNanos(absl::Time time) {
  const int64_t nanos = absl::ToUnixNanos(time);
  return nanos < 0 ? 0 : nanos;
}

absl::Status Corrupt(absl::string_view subject) {
  return absl::DataLossError(absl::StrCat("corrupt history record of ", subject));
}

void SetTime(v1::HistoryPoint& point, int64_t unix_nanos) {
  point.mutable_time()->set_seconds(unix_nanos / 1'000'000'000);
  point.mutable_time()->set_nanos(static_cast<int32_t>(unix_nanos % 1'000'000'000));
}

}  // namespace

absl::StatusOr<v1::ScoreHistory> HistoryReader::Points(absl::string_view subject, absl::Time since,
                                                       absl::Time until, size_t limit) const {
  v1::ScoreHistory history;
  bool corrupt = false;
  const int64_t end = ClampedNanos(until);
  absl::Status scanned = store_.ScanHistory(
      HistoryKey(subject, ClampedNanos(since)),
      end == INT64_MAX ? absl::StrCat(subject, "\x01") : HistoryKey(subject, end + 1),
      /*backward=*/false, [&](absl::string_view key, absl::string_view value) {
        std::optional<HistoryKeyParts> parts = ParseHistoryKey(key);
        std::optional<v1::HistoryPoint> point =
            parts ? DecodeHistoryPoint(parts->unix_nanos, value) : std::nullopt;
        if (!point) {
          corrupt = true;
          return false;
        }
        if (static_cast<size_t>(history.points_size()) == limit) {
          history.set_truncated(true);
          return false;
        }
        *history.add_points() = *std::move(point);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (corrupt) return Corrupt(subject);
  return history;
}

absl::StatusOr<std::optional<v1::HistoryPoint>> HistoryReader::At(absl::string_view subject,
                                                                  absl::Time at) const {
  std::optional<v1::HistoryPoint> found;
  bool corrupt = false;
  const int64_t end = ClampedNanos(at);
  absl::Status scanned = store_.ScanHistory(
      HistoryKey(subject, 0),
      end == INT64_MAX ? absl::StrCat(subject, "\x01") : HistoryKey(subject, end + 1),
      /*backward=*/true, [&](absl::string_view key, absl::string_view value) {
        std::optional<HistoryKeyParts> parts = ParseHistoryKey(key);
        found = parts ? DecodeHistoryPoint(parts->unix_nanos, value) : std::nullopt;
        corrupt = !found.has_value();
        return false;
      });
  if (!scanned.ok()) return scanned;
  if (corrupt) return Corrupt(subject);
  return found;
}

absl::StatusOr<v1::ScoreHistory> HistoryReader::Sampled(absl::string_view subject, absl::Time since,
                                                        absl::Time until,
                                                        absl::Duration step) const {
  // One seek per instant, all with one iterator: a window holds far fewer instants than
  // recorded changes.
  std::vector<int64_t> instants;
  std::vector<std::string> ends;  // Just after each instant.
  for (absl::Time instant = since; instant <= until; instant += step) {
    const int64_t nanos = ClampedNanos(instant);
    instants.push_back(nanos);
    ends.push_back(nanos == INT64_MAX ? absl::StrCat(subject, "\x01")
                                      : HistoryKey(subject, nanos + 1));
  }
  v1::ScoreHistory sampled;
  bool corrupt = false;
  absl::Status scanned = store_.LastHistoryBefore(
      HistoryKey(subject, 0), ends,
      [&](size_t i, const absl::string_view* key, const absl::string_view* value) {
        if (key == nullptr || corrupt) return;
        std::optional<HistoryKeyParts> parts = ParseHistoryKey(*key);
        std::optional<v1::HistoryPoint> point =
            parts ? DecodeHistoryPoint(parts->unix_nanos, *value) : std::nullopt;
        if (!point) {
          corrupt = true;
          return;
        }
        SetTime(*point, instants[i]);
        *sampled.add_points() = *std::move(point);
      });
  if (!scanned.ok()) return scanned;
  if (corrupt) return Corrupt(subject);
  return sampled;
}

}  // namespace postura::collector
