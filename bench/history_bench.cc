// Score history and past scores at 10,000 assets (issue 18, item 7).
//
//   build/bin/history_bench [--assets 10000] [--days 365] [--changes-per-day 4]
//                           [--log-assets 20] [--queries 200] [--store-dir DIR]
//
// 1. A simulated year of history: every asset changes --changes-per-day times a day, at
//    random seconds, and each change moves its department, supplier, tier and the
//    organisation, as live scoring records them (one point per subject per second: the
//    recorder's write interval). The points go into a real store with the recorder's key
//    and value format, and the store is downsampled at the end of every simulated day
//    with the default retention. Printed: points written and kept, bytes on disk.
// 2. `history --org` over the last 90 days on that store: every change (the API's first
//    10,000) and one point per hour and per day; p50 and p99 of the read.
// 3. `score --as-of` for one asset: --log-assets assets have 90 days of evidence (65
//    checks over 22 outcomes, every hour); every other asset has its current reports.
//    p50 and p99 of PastScorer::Asset at random instants of the 90 days, against reading
//    the asset's whole log (what as-of did before) in the same run.
// 4. `score --org --as-of` on the same store: every asset recomputed at one instant.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/history/history_downsampler.h"
#include "collector/history/history_keys.h"
#include "collector/history/history_reader.h"
#include "collector/scoring/past_scorer.h"
#include "collector/store/evidence_records.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "tests/testing/temp_dir.h"

namespace postura::bench {
namespace {

using collector::EvidenceStore;

struct Options {
  int assets = 10000;
  int days = 365;
  int changes_per_day = 4;
  int departments = 20;
  int suppliers = 10;
  int log_assets = 20;
  int queries = 200;
  // Where the store lives (kept); empty: a temporary directory. A store whose simulated
  // year is complete is reused, so the reads can be measured again on a quiet machine.
  std::string store_dir;
};

std::string AssetId(int asset) { return absl::StrFormat("asset-%05d", asset); }
std::string DepartmentOf(int asset, const Options& o) {
  return absl::StrCat("dept-", asset % o.departments);
}
std::string SupplierOf(int asset, const Options& o) {
  return absl::StrCat("supplier-", asset % o.suppliers);
}
const char* GroupOf(int asset) { return asset % 3 == 0 ? "IG1" : asset % 3 == 1 ? "IG2" : "IG3"; }

void Check(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "history_bench: %s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

struct Percentiles {
  double p50_ms = 0, p99_ms = 0;
};

// Runs `query` `count` times; its latencies' p50 and p99.
Percentiles Time(int count, const std::function<void()>& query) {
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    const absl::Time start = absl::Now();
    query();
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  return {at(0.5), at(0.99)};
}

uint64_t DirectoryBytes(const std::filesystem::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

// Phase 1: writes a simulated year of history and downsamples it as of its end; returns
// the points written. Every change is drawn first (a random second of each day for each
// asset, --changes-per-day times), then each subject's points are written in key order:
// the asset's own changes, and for each rollup (organisation, tier, department,
// supplier) one point per second in which any of its assets changed, as the recorder
// coalesces them. Written day by day, as the collector does, the history family's
// levelled compaction rewrites all of level 1 at every compaction (each day touches every
// subject's keys), which takes hours for a year here; the kept points are the same, as
// downsampling once at the end keeps what daily runs would (the last point of each hour
// or day of each age).
int64_t SimulateYear(EvidenceStore& store, const Options& o, absl::Time start,
                     std::mt19937& random) {
  const int64_t start_second = absl::ToUnixSeconds(start);
  // Each asset's change times, seconds since `start`, sorted.
  std::vector<std::vector<int32_t>> changes(o.assets);
  for (int day = 0; day < o.days; ++day) {
    for (int asset = 0; asset < o.assets; ++asset) {
      for (int c = 0; c < o.changes_per_day; ++c) {
        changes[asset].push_back(day * 86400 + static_cast<int32_t>(random() % 86400));
      }
    }
  }
  for (std::vector<int32_t>& times : changes) std::sort(times.begin(), times.end());
  // Each rollup subject's assets.
  std::map<std::string, std::vector<int>> rollups;
  for (int asset = 0; asset < o.assets; ++asset) {
    rollups[collector::OrganizationSubject()].push_back(asset);
    rollups[collector::GroupSubject(GroupOf(asset))].push_back(asset);
    rollups[collector::DepartmentSubject(DepartmentOf(asset, o))].push_back(asset);
    rollups[collector::SupplierSubject(SupplierOf(asset, o))].push_back(asset);
  }
  std::map<std::string, std::vector<int32_t>> subjects;  // Subject -> its seconds, sorted.
  for (int asset = 0; asset < o.assets; ++asset) {
    subjects[collector::AssetSubject(AssetId(asset))] = changes[asset];
  }
  for (const auto& [subject, assets] : rollups) {
    std::vector<int32_t>& seconds = subjects[subject];
    for (int asset : assets)
      seconds.insert(seconds.end(), changes[asset].begin(), changes[asset].end());
    std::sort(seconds.begin(), seconds.end());
    seconds.erase(std::unique(seconds.begin(), seconds.end()), seconds.end());
  }
  changes.clear();
  std::uniform_real_distribution<double> figure(0, 1);
  int64_t written = 0;
  std::vector<EvidenceStore::HistoryWrite> writes;
  for (const auto& [subject, seconds] : subjects) {  // In key order: subjects sort first.
    for (int32_t second : seconds) {
      v1::HistoryPoint point;
      point.set_value(figure(random));
      point.set_adjusted_value(point.value() * 0.9);
      point.set_coverage(figure(random));
      point.set_targets_met(random() % 2 == 0);
      writes.push_back({collector::HistoryKey(subject, (start_second + second) * 1'000'000'000LL),
                        collector::EncodeHistoryPoint(point), false});
      if (writes.size() >= 100000) {
        written += static_cast<int64_t>(writes.size());
        Check(store.WriteHistory(writes), "writing history");
        writes.clear();
      }
    }
  }
  written += static_cast<int64_t>(writes.size());
  Check(store.WriteHistory(writes), "writing history");
  Check(collector::DownsampleHistory(store, collector::HistoryRetention(),
                                     start + absl::Hours(24) * o.days)
            .status(),
        "downsampling");
  return written;
}

int64_t CountHistoryPoints(const EvidenceStore& store) {
  int64_t points = 0;
  Check(store.ScanHistory("", "\xff", false,
                          [&](absl::string_view key, absl::string_view) {
                            if (collector::ParseHistoryKey(key)) ++points;
                            return true;
                          }),
        "counting history");
  return points;
}

// Phase 3's evidence: the first log_assets assets report 65 checks every hour for 90
// days; the others once, at `end` - 1h. Committed as ingest does, 100 batches a commit.
void WriteEvidence(EvidenceStore& store, const Options& o, absl::Time end) {
  const std::vector<std::string>& outcomes = [] {
    static std::vector<std::string> ids;
    for (const auto& outcome : Catalog::Builtin().outcomes()) {
      if (ids.size() < 22) ids.push_back(outcome.id);
    }
    return ids;
  }();
  std::vector<std::string> agents;
  std::vector<collector::EncodedBatch> encoded;
  std::vector<uint64_t> sequences(o.assets, 0);
  auto flush = [&] {
    std::vector<collector::BatchToApply> batches;
    for (size_t i = 0; i < encoded.size(); ++i) {
      batches.push_back({&agents[i], &encoded[i], {0, 0, 0}});
    }
    Check(store.Commit(batches), "committing evidence");
    agents.clear();
    encoded.clear();
  };
  auto report = [&](int asset, absl::Time observed) {
    v1::Batch batch;
    batch.set_sequence(++sequences[asset]);
    for (int check = 0; check < 65; ++check) {
      v1::Evidence& item = *batch.add_items();
      item.set_asset_id(AssetId(asset));
      item.set_outcome_id(outcomes[check % outcomes.size()]);
      item.set_check_id(absl::StrCat("debian.check-", check));
      item.set_level(static_cast<v1::Level>(1 + (check + sequences[asset]) % 4));
      item.set_kind(v1::OBSERVED);
      item.set_observed_at_unix_nanos(absl::ToUnixNanos(observed));
      item.set_expires_at_unix_nanos(absl::ToUnixNanos(observed + absl::Hours(3)));
      item.set_detail("checked as configured");
    }
    agents.push_back(absl::StrCat("agent-", asset));
    encoded.push_back(collector::EncodeBatch(agents.back(), batch,
                                             std::vector<bool>(batch.items_size(), true),
                                             observed + absl::Seconds(2)));
    if (encoded.size() == 100) flush();
  };
  // Reserve so that the borrowed pointers in flush stay valid.
  agents.reserve(100);
  encoded.reserve(100);
  for (int hour = 90 * 24; hour > 0; --hour) {
    for (int asset = 0; asset < o.log_assets; ++asset) report(asset, end - absl::Hours(hour));
  }
  for (int asset = o.log_assets; asset < o.assets; ++asset) report(asset, end - absl::Hours(1));
  if (!encoded.empty()) flush();
}

// Phase 1 into `path`; its report, which is also kept beside the store.
std::string WriteYear(const Options& o, const std::filesystem::path& path, absl::Time start,
                      FakeClock& clock) {
  // The year is written with 1 GiB of memtables: the history family's default share
  // (1.5 MiB) would flush and recompact a day's writes against the whole year many times,
  // which takes hours here and changes nothing of the final size. Reads use the defaults.
  auto opened =
      EvidenceStore::Open({.path = path, .clock = &clock, .memtable_bytes = uint64_t{1} << 30});
  Check(opened.status(), "opening the store");
  std::unique_ptr<EvidenceStore> store = *std::move(opened);
  std::mt19937 random(18007);
  const absl::Time began = absl::Now();
  const int64_t written = SimulateYear(*store, o, start, random);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - began);
  Check(store->CompactHistory(), "compacting");
  store.reset();
  const uint64_t bytes = DirectoryBytes(path);
  opened = EvidenceStore::Open({.path = path, .clock = &clock});
  Check(opened.status(), "reopening the store");
  const int64_t kept = CountHistoryPoints(**opened);
  const std::string report = absl::StrFormat(
      "   points written %d (%.0f/s, writing and downsampling), kept %d\n"
      "   store on disk: %.1f MiB, %.1f bytes per kept point\n",
      written, written / seconds, kept, bytes / 1048576.0,
      kept > 0 ? static_cast<double>(bytes) / kept : 0.0);
  std::ofstream(path.parent_path() / "year.txt") << report;
  return report;
}

int Run(const Options& o) {
  test::TempDir temporary;
  const std::filesystem::path dir =
      o.store_dir.empty() ? temporary.path() : std::filesystem::path(o.store_dir);
  // The simulated year ends at `end`; retention is applied as of then.
  const absl::Time start = absl::FromUnixSeconds(1'767'225'600);  // 2026-01-01T00:00:00Z.
  const absl::Time end = start + absl::Hours(24) * o.days;
  FakeClock clock(end);
  std::printf("1. History: %d assets, %d changes a day each, %d days, default retention\n",
              o.assets, o.changes_per_day, o.days);
  if (std::ifstream kept(dir / "year.txt"); kept) {
    std::printf("   (the year written before into %s)\n%s", dir.c_str(),
                std::string(std::istreambuf_iterator<char>(kept), {}).c_str());
  } else {
    std::printf("%s", WriteYear(o, dir / "store", start, clock).c_str());
  }
  auto opened = EvidenceStore::Open({.path = dir / "store", .clock = &clock});
  Check(opened.status(), "opening the store");
  std::unique_ptr<EvidenceStore> store = *std::move(opened);
  std::mt19937 random(18008);
  std::printf("\n2. history --org over the last 90 days (%d reads each)\n", o.queries);
  const collector::HistoryReader reader(*store);
  const absl::Time since = end - absl::Hours(24 * 90);
  size_t points = 0;
  const Percentiles every = Time(o.queries, [&] {
    auto history = reader.Points(collector::OrganizationSubject(), since, end, 10000);
    Check(history.status(), "reading history");
    points = history->points_size();
  });
  std::printf("   every change (first %zu): p50 %.2f ms, p99 %.2f ms\n", points, every.p50_ms,
              every.p99_ms);
  for (absl::Duration step : {absl::Hours(1), absl::Hours(24)}) {
    const Percentiles sampled = Time(o.queries, [&] {
      auto history = reader.Sampled(collector::OrganizationSubject(), since, end, step);
      Check(history.status(), "sampling history");
      points = history->points_size();
    });
    std::printf("   step %s (%zu points): p50 %.2f ms, p99 %.2f ms\n",
                absl::FormatDuration(step).c_str(), points, sampled.p50_ms, sampled.p99_ms);
  }

  std::printf(
      "\n3. score --as-of for one asset: %d assets with 90 days of hourly evidence "
      "(65 checks), %d with their current reports\n",
      o.log_assets, o.assets - o.log_assets);
  WriteEvidence(*store, o, end);
  const collector::PastScorer past(*store, Catalog::Builtin());
  std::uniform_int_distribution<int64_t> instant(absl::ToUnixNanos(since), absl::ToUnixNanos(end));
  auto definition = [&](int asset) {
    collector::AssetDefinition d;
    d.id = AssetId(asset);
    d.group = ImplementationGroup::kIG2;
    d.department_id = DepartmentOf(asset, o);
    return std::vector<collector::AssetDefinition>{d};
  };
  const Percentiles as_of = Time(o.queries, [&] {
    auto scored =
        past.Asset(definition(random() % o.log_assets), absl::FromUnixNanos(instant(random)));
    Check(scored.status(), "scoring as of");
  });
  int64_t records = 0;
  const Percentiles whole_log = Time(std::max(1, o.queries / 10), [&] {
    records = 0;
    Check(store->ForEachAssetEvidence(AssetId(random() % o.log_assets),
                                      [&](const v1::StoredEvidence&) { ++records; }),
          "reading a log");
  });
  std::printf("   as-of, one asset: p50 %.2f ms, p99 %.2f ms\n", as_of.p50_ms, as_of.p99_ms);
  std::printf("   baseline, reading the asset's whole log (%lld records): p50 %.2f ms\n",
              static_cast<long long>(records), whole_log.p50_ms);
  std::printf("   as-of p99 / whole-log p50: %.3f\n",
              whole_log.p50_ms > 0 ? as_of.p99_ms / whole_log.p50_ms : 0.0);

  std::printf("\n4. score --org --as-of (and each of diff --org's two instants), %d assets\n",
              o.assets);
  std::vector<collector::AssetDefinition> everyone;
  for (int asset = 0; asset < o.assets; ++asset) everyone.push_back(definition(asset).front());
  const Percentiles organization = Time(5, [&] {
    auto scored = past.Organization(everyone, absl::FromUnixNanos(instant(random)));
    Check(scored.status(), "scoring the organisation as of");
  });
  std::printf("   p50 %.0f ms, max of 5 %.0f ms\n", organization.p50_ms, organization.p99_ms);
  return 0;
}

}  // namespace
}  // namespace postura::bench

int main(int argc, char** argv) {
  postura::bench::Options o;
  CLI::App app{"Score history and as-of reads at 10,000 assets (bench/README.md)."};
  app.add_option("--assets", o.assets, "Assets")->check(CLI::Range(100, 1000000));
  app.add_option("--days", o.days, "Simulated days of history")->check(CLI::Range(90, 3650));
  app.add_option("--changes-per-day", o.changes_per_day, "Changes of each asset a day")
      ->check(CLI::Range(1, 1000));
  app.add_option("--log-assets", o.log_assets, "Assets with 90 days of evidence")
      ->check(CLI::Range(1, 1000));
  app.add_option("--queries", o.queries, "Reads per measurement")->check(CLI::Range(10, 100000));
  app.add_option("--store-dir", o.store_dir,
                 "Keep the store here; reuse the year written there before (same options)");
  CLI11_PARSE(app, argc, argv);
  if (o.log_assets > o.assets) {
    std::fprintf(stderr, "history_bench: --log-assets must not exceed --assets\n");
    return 1;
  }
  return postura::bench::Run(o);
}
