#include "collector/history/history_downsampler.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/history/gap_log.h"
#include "collector/history/history_keys.h"

namespace postura::collector {
namespace {

using HistoryWrite = EvidenceStore::HistoryWrite;

int64_t Nanos(absl::Duration duration) { return absl::ToInt64Nanoseconds(duration); }

// The first subject whose key is at or after `from`, and that key; nullopt at the end.
absl::StatusOr<std::optional<std::string>> NextSubject(const EvidenceStore& store,
                                                       std::string& from) {
  while (true) {
    std::optional<std::string> key;
    absl::Status s = store.ScanHistory(from, "\xff\xff", /*backward=*/false,
                                       [&](absl::string_view k, absl::string_view) {
                                         key = std::string(k);
                                         return false;
                                       });
    if (!s.ok()) return s;
    if (!key) return std::nullopt;
    if (absl::StartsWith(*key, kGapPrefix)) {  // Gap episodes (gap_log.h) are no points.
      from = std::string(kGapPrefixEnd);
      continue;
    }
    std::optional<HistoryKeyParts> parts = ParseHistoryKey(*key);
    if (!parts) {  // A meta record: skip just it.
      from = *key + std::string(1, '\0');
      continue;
    }
    // Every key of this subject sorts before subject \1 (ids hold no '\0' or '\1').
    std::string subject(parts->subject);
    from = subject + "\x01";
    return subject;
  }
}

// Deletes, among the subject's points in [begin, end), all but the last of each
// `bucket`-long interval (aligned on the Unix epoch); every point when bucket is zero.
absl::Status Thin(EvidenceStore& store, const std::string& subject, int64_t begin, int64_t end,
                  int64_t bucket, int64_t& deleted) {
  if (end <= begin) return absl::OkStatus();
  if (bucket > 0) begin -= begin % bucket;  // Whole buckets: the last point may be earlier.
  std::vector<HistoryWrite> writes;
  std::optional<std::string> previous_key;
  int64_t previous_bucket = -1;
  absl::Status scanned =
      store.ScanHistory(HistoryKey(subject, std::max<int64_t>(begin, 0)), HistoryKey(subject, end),
                        /*backward=*/false, [&](absl::string_view key, absl::string_view) {
                          std::optional<HistoryKeyParts> parts = ParseHistoryKey(key);
                          if (!parts) return true;
                          const int64_t this_bucket = bucket > 0 ? parts->unix_nanos / bucket : -2;
                          // A point followed by another of its bucket is not the bucket's last.
                          if (previous_key && (bucket == 0 || this_bucket == previous_bucket)) {
                            writes.push_back({.key = *previous_key, .value = {}, .erase = true});
                          }
                          previous_key = std::string(key);
                          previous_bucket = this_bucket;
                          return true;
                        });
  if (!scanned.ok()) return scanned;
  if (bucket == 0 && previous_key)
    writes.push_back({.key = *previous_key, .value = {}, .erase = true});
  deleted += static_cast<int64_t>(writes.size());
  if (writes.empty()) return absl::OkStatus();
  return store.WriteHistory(writes);
}

}  // namespace

absl::Status ValidateHistoryRetention(const HistoryRetention& retention) {
  if (retention.every_change < absl::Hours(1)) {
    return absl::InvalidArgumentError("history.every_change: must be at least 1h");
  }
  if (retention.hourly < retention.every_change) {
    return absl::InvalidArgumentError(
        "history.hourly: must be at least history.every_change (it keeps older points)");
  }
  if (retention.daily < retention.hourly) {
    return absl::InvalidArgumentError(
        "history.daily: must be at least history.hourly (it keeps older points)");
  }
  return absl::OkStatus();
}

absl::StatusOr<DownsampleStats> DownsampleHistory(EvidenceStore& store,
                                                  const HistoryRetention& retention,
                                                  absl::Time now) {
  const int64_t now_nanos = absl::ToUnixNanos(now);
  // What aged into each resolution since the previous run; everything on the first run.
  // The record holds the run's time and the retention it applied; after a change of
  // retention, everything is read again.
  const std::string settings = absl::StrCat(EncodeUnixNanos(Nanos(retention.every_change)),
                                            EncodeUnixNanos(Nanos(retention.hourly)),
                                            EncodeUnixNanos(Nanos(retention.daily)));
  int64_t last_run = 0;
  absl::Status read = store.ScanHistory(
      kHistoryDownsampledKey, absl::StrCat(kHistoryDownsampledKey, std::string(1, '\0')),
      /*backward=*/false, [&](absl::string_view, absl::string_view value) {
        if (value.size() == 32 && value.substr(8) == settings) {
          last_run = DecodeUnixNanos(value.substr(0, 8)).value_or(0);
        }
        return false;
      });
  if (!read.ok()) return read;
  last_run = std::min(last_run, now_nanos);
  const int64_t hour = Nanos(absl::Hours(1)), day = Nanos(absl::Hours(24));
  const int64_t hourly_end = now_nanos - Nanos(retention.every_change);
  const int64_t daily_end = now_nanos - Nanos(retention.hourly);
  const int64_t delete_end = now_nanos - Nanos(retention.daily);
  const int64_t hourly_begin = last_run == 0 ? 0 : last_run - Nanos(retention.every_change) - hour;
  const int64_t daily_begin = last_run == 0 ? 0 : last_run - Nanos(retention.hourly) - day;
  const int64_t delete_begin = last_run == 0 ? 0 : last_run - Nanos(retention.daily) - day;

  DownsampleStats stats;
  std::string from;
  while (true) {
    absl::StatusOr<std::optional<std::string>> subject = NextSubject(store, from);
    if (!subject.ok()) return subject.status();
    if (!subject->has_value()) break;
    ++stats.subjects;
    const std::string& s = **subject;
    // Oldest resolution first, so that each pass reads what the previous one left.
    if (absl::Status step = Thin(store, s, delete_begin, delete_end, 0, stats.points_deleted);
        !step.ok()) {
      return step;
    }
    if (absl::Status step =
            Thin(store, s, std::max(daily_begin, delete_end), daily_end, day, stats.points_deleted);
        !step.ok()) {
      return step;
    }
    if (absl::Status step = Thin(store, s, std::max(hourly_begin, daily_end), hourly_end, hour,
                                 stats.points_deleted);
        !step.ok()) {
      return step;
    }
  }
  // Closed gap episodes live as long as hourly points.
  absl::StatusOr<int64_t> pruned = PruneClosedGaps(store, daily_end);
  if (!pruned.ok()) return pruned.status();
  stats.gap_episodes_deleted = *pruned;
  absl::Status noted = store.WriteHistory({{.key = std::string(kHistoryDownsampledKey),
                                            .value = EncodeUnixNanos(now_nanos) + settings}});
  if (!noted.ok()) return noted;
  return stats;
}

}  // namespace postura::collector
