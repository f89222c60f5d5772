#include "collector/history/gap_log.h"

#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "collector/history/history_keys.h"

namespace postura::collector {
namespace {

constexpr absl::string_view kOpenPrefix = "gap/open/";
constexpr absl::string_view kClosedPrefix = "gap/closed/";
constexpr absl::string_view kSeparator("\0", 1);
// Closed records deleted per store write while pruning.
constexpr size_t kPruneBatch = 4096;

// "<asset> \0 <outcome>" into its two ids; false if there is no separator.
bool SplitPair(absl::string_view pair, GapEpisode& episode) {
  const size_t separator = pair.find('\0');
  if (separator == absl::string_view::npos) return false;
  episode.asset_id = std::string(pair.substr(0, separator));
  episode.outcome_id = std::string(pair.substr(separator + 1));
  return true;
}

std::optional<GapEpisode> ParseOpen(absl::string_view key, absl::string_view value) {
  GapEpisode episode;
  std::optional<int64_t> opened = DecodeUnixNanos(value);
  if (!opened || !SplitPair(key.substr(kOpenPrefix.size()), episode)) return std::nullopt;
  episode.opened_unix_nanos = *opened;
  return episode;
}

std::optional<GapEpisode> ParseClosed(absl::string_view key, absl::string_view value) {
  GapEpisode episode;
  absl::string_view rest = key.substr(kClosedPrefix.size());
  std::optional<int64_t> opened = DecodeUnixNanos(value);
  std::optional<int64_t> closed =
      rest.size() < 8 ? std::nullopt : DecodeUnixNanos(rest.substr(0, 8));
  if (!opened || !closed || !SplitPair(rest.substr(8), episode)) return std::nullopt;
  episode.opened_unix_nanos = *opened;
  episode.closed_unix_nanos = *closed;
  return episode;
}

// The open records of the (asset, outcome) pairs a run of events names, read in one batched
// lookup, and then as the run leaves them: nullopt where it deleted one.
class OpenRecords {
 public:
  static absl::StatusOr<OpenRecords> Read(const EvidenceStore& store,
                                          absl::Span<const GapEvent> events) {
    OpenRecords records;
    std::vector<std::string> keys;
    for (const GapEvent& event : events) {
      std::string key = GapOpenKey(event.asset_id, event.outcome_id);
      if (records.open_.try_emplace(key, std::nullopt).second) keys.push_back(std::move(key));
    }
    absl::StatusOr<std::vector<std::optional<std::string>>> values = store.ReadHistory(keys);
    if (!values.ok()) return values.status();
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!(*values)[i].has_value()) continue;
      std::optional<int64_t> opened = DecodeUnixNanos(*(*values)[i]);
      if (!opened) return absl::DataLossError(absl::StrCat("corrupt open gap record ", keys[i]));
      records.open_[keys[i]] = opened;
    }
    return records;
  }

  // REQUIRES: `key` is the open key of one of the events read.
  std::optional<int64_t> Get(const std::string& key) const { return open_.at(key); }
  void Set(const std::string& key, std::optional<int64_t> opened) { open_[key] = opened; }

 private:
  absl::flat_hash_map<std::string, std::optional<int64_t>> open_;
};

}  // namespace

std::string GapOpenKey(absl::string_view asset_id, absl::string_view outcome_id) {
  return absl::StrCat(kOpenPrefix, asset_id, kSeparator, outcome_id);
}

std::string GapClosedKey(int64_t closed_unix_nanos, absl::string_view asset_id,
                         absl::string_view outcome_id) {
  return absl::StrCat(kClosedPrefix, EncodeUnixNanos(closed_unix_nanos), asset_id, kSeparator,
                      outcome_id);
}

absl::StatusOr<GapWriteStats> WriteGapEvents(EvidenceStore& store,
                                             absl::Span<const GapEvent> events) {
  GapWriteStats stats;
  std::vector<EvidenceStore::HistoryWrite> writes;
  absl::StatusOr<OpenRecords> open = OpenRecords::Read(store, events);
  if (!open.ok()) return open.status();
  for (const GapEvent& event : events) {
    const std::string key = GapOpenKey(event.asset_id, event.outcome_id);
    const std::optional<int64_t> opened = open->Get(key);
    const bool is_open = opened.has_value();
    if (event.transition == GapTransition::kOpened) {
      if (is_open) {
        ++stats.ignored;  // Already open: it keeps the time it first opened.
        continue;
      }
      writes.push_back({.key = key, .value = EncodeUnixNanos(event.unix_nanos), .erase = false});
      open->Set(key, event.unix_nanos);
      ++stats.opened;
      continue;
    }
    if (!is_open) {
      ++stats.ignored;
      continue;
    }
    if (event.transition == GapTransition::kClosed) {
      writes.push_back({.key = GapClosedKey(event.unix_nanos, event.asset_id, event.outcome_id),
                        .value = EncodeUnixNanos(*opened),
                        .erase = false});
      ++stats.closed;
    } else {
      ++stats.dropped;
    }
    writes.push_back({.key = key, .value = {}, .erase = true});
    open->Set(key, std::nullopt);
  }
  if (writes.empty()) return stats;
  if (absl::Status written = store.WriteHistory(writes); !written.ok()) return written;
  return stats;
}

absl::Status WriteNewOpenGaps(EvidenceStore& store, const std::vector<GapEvent>& events) {
  std::vector<EvidenceStore::HistoryWrite> writes;
  writes.reserve(events.size());
  for (const GapEvent& event : events) {
    writes.push_back({.key = GapOpenKey(event.asset_id, event.outcome_id),
                      .value = EncodeUnixNanos(event.unix_nanos),
                      .erase = false});
  }
  if (writes.empty()) return absl::OkStatus();
  return store.WriteHistory(writes);
}

absl::Status ForEachOpenGap(const EvidenceStore& store,
                            const std::function<bool(const GapEpisode&)>& visit) {
  bool corrupt = false;
  absl::Status scanned = store.ScanHistory(
      kOpenPrefix, absl::StrCat(kOpenPrefix.substr(0, kOpenPrefix.size() - 1), "0"),
      /*backward=*/false, [&](absl::string_view key, absl::string_view value) {
        std::optional<GapEpisode> episode = ParseOpen(key, value);
        if (!episode) {
          corrupt = true;
          return false;
        }
        return visit(*episode);
      });
  if (!scanned.ok()) return scanned;
  if (corrupt) return absl::DataLossError("corrupt open gap record in the history");
  return absl::OkStatus();
}

absl::Status ForEachClosedGap(const EvidenceStore& store, int64_t since_unix_nanos,
                              int64_t until_unix_nanos,
                              const std::function<void(const GapEpisode&)>& visit) {
  if (until_unix_nanos < since_unix_nanos) return absl::OkStatus();
  const std::string begin = absl::StrCat(kClosedPrefix, EncodeUnixNanos(since_unix_nanos));
  const std::string end = until_unix_nanos == INT64_MAX
                              ? absl::StrCat(kClosedPrefix.substr(0, kClosedPrefix.size() - 1), "0")
                              : absl::StrCat(kClosedPrefix, EncodeUnixNanos(until_unix_nanos + 1));
  bool corrupt = false;
  absl::Status scanned = store.ScanHistory(
      begin, end, /*backward=*/false, [&](absl::string_view key, absl::string_view value) {
        std::optional<GapEpisode> episode = ParseClosed(key, value);
        if (!episode) {
          corrupt = true;
          return false;
        }
        visit(*episode);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (corrupt) return absl::DataLossError("corrupt closed gap record in the history");
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PruneClosedGaps(EvidenceStore& store, int64_t closed_before) {
  if (closed_before <= 0) return 0;
  const std::string begin(kClosedPrefix);
  const std::string end = absl::StrCat(kClosedPrefix, EncodeUnixNanos(closed_before));
  int64_t deleted = 0;
  while (true) {
    std::vector<EvidenceStore::HistoryWrite> writes;
    absl::Status scanned = store.ScanHistory(
        begin, end, /*backward=*/false, [&](absl::string_view key, absl::string_view) {
          writes.push_back({.key = std::string(key), .value = {}, .erase = true});
          return writes.size() < kPruneBatch;
        });
    if (!scanned.ok()) return scanned;
    if (writes.empty()) return deleted;
    if (absl::Status written = store.WriteHistory(writes); !written.ok()) return written;
    deleted += static_cast<int64_t>(writes.size());
  }
}

}  // namespace postura::collector
