// tiers_bench: how long the collector takes to answer Tiers.GetTiers (collector/api/
// tier_queries.h) over N assets on a real store, registry and live scorer: the facts of
// every asset's cells, the remediation scan and the history lookup, for the staff's
// whole organisation and for one supplier's share. Prints the median and the slowest of
// --runs answers. bench/README.md has the report.
//
//   build/bin/tiers_bench --assets 10000 --runs 20

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/api/remediation_queries.h"
#include "collector/api/score_queries.h"
#include "collector/api/tier_queries.h"
#include "collector/history/history_recorder.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "collector/store/evidence_records.h"
#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

constexpr int kSuppliers = 10;

// Every asset with live evidence on about 60% of its applicable outcomes, at mixed levels,
// sent as one batch per asset through the store and the scorer as ingest would.
absl::Status Load(EvidenceStore& store, LiveScorer& scorer, Registry& registry, Clock& clock,
                  int assets) {
  const Catalog& catalog = Catalog::Builtin();
  for (int s = 0; s < kSuppliers; ++s) {
    v1::Tenant tenant;
    tenant.set_id(absl::StrCat("supplier-", s));
    tenant.set_name(tenant.id());
    tenant.set_kind(v1::SUPPLIER);
    if (absl::Status put = registry.PutTenant(tenant); !put.ok()) return put;
  }
  std::mt19937 random(7);
  const std::string agent = "bench-agent";
  const v1::Level levels[] = {v1::DLI_0, v1::DLI_33, v1::DLI_67, v1::DLI_100};
  for (int a = 0; a < assets; ++a) {
    v1::Asset asset =
        TestAsset(absl::StrCat("asset-", a), static_cast<v1::ImplementationGroup>(v1::IG1 + a % 3));
    asset.set_supplier_id(absl::StrCat("supplier-", a % kSuppliers));
    if (absl::Status put = registry.PutAsset(asset); !put.ok()) return put;
    v1::Batch batch;
    batch.set_sequence(static_cast<uint64_t>(a) + 1);
    const ImplementationGroup group = static_cast<ImplementationGroup>(a % 3);
    for (int o : catalog.model(group).applicable_outcomes()) {
      if (random() % 10 >= 6) continue;
      *batch.add_items() =
          TestEvidence(asset.id(), catalog.outcomes()[o].id, clock.TimeNow(), levels[random() % 4]);
    }
    EncodedBatch encoded =
        EncodeBatch(agent, batch, std::vector<bool>(batch.items_size(), true), clock.TimeNow());
    const uint64_t sequence = batch.sequence();
    if (absl::Status s = store.Commit({{&agent, &encoded, {sequence, 0, sequence}}}); !s.ok()) {
      return s;
    }
    std::vector<SourceUpdate> updates;
    for (EncodedBatch::Entry& entry : encoded.entries) {
      updates.push_back({std::move(entry.state_key), entry.level, entry.attested,
                         entry.observed_at_unix_nanos, entry.expires_at_unix_nanos});
    }
    scorer.OnCommitted(std::move(updates));
  }
  scorer.Flush();
  return absl::OkStatus();
}

// Answers `runs` times; prints the median and the slowest.
void Time(const TierQueries& tiers, const Principal& principal, const char* who, int runs) {
  std::vector<double> millis;
  int scopes = 0;
  uint32_t applicable = 0;
  for (int r = 0; r < runs; ++r) {
    const absl::Time start = absl::Now();
    absl::StatusOr<v1::TiersAnswer> answer = tiers.GetTiers(principal, v1::GetTiersRequest());
    millis.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (!answer.ok()) {
      std::fprintf(stderr, "GetTiers failed: %s\n", answer.status().ToString().c_str());
      return;
    }
    scopes = answer->tiers_size();
    applicable = answer->tiers(0).figures().applicable();
  }
  std::sort(millis.begin(), millis.end());
  std::printf("%-12s %d scopes, %u applicable pairs: median %.1f ms, slowest %.1f ms (%d runs)\n",
              who, scopes, applicable, millis[millis.size() / 2], millis.back(), runs);
}

int Run(int assets, int runs) {
  test::TempDir dir;
  Clock& clock = Clock::GetRealClock();
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open({.path = (dir.path() / "store").string()});
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;
  absl::StatusOr<std::unique_ptr<Registry>> registry = Registry::Load(**store, Catalog::Builtin());
  if (!registry.ok()) return std::fprintf(stderr, "%s\n", registry.status().ToString().c_str()), 1;
  std::unique_ptr<HistoryRecorder> recorder = HistoryRecorder::Start(**store, clock, {}).value();
  auto scorer = std::make_unique<LiveScorer>(**store, Catalog::Builtin(), clock, recorder.get());
  (*registry)->SetObserver(scorer.get());
  if (absl::Status s = scorer->Start().status(); !s.ok()) return 1;
  const absl::Time loading = absl::Now();
  if (absl::Status s = Load(**store, *scorer, **registry, clock, assets); !s.ok()) {
    std::fprintf(stderr, "loading: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%d assets loaded in %.1f s\n", assets, absl::ToDoubleSeconds(absl::Now() - loading));
  ScoreQueries queries(*scorer, **registry, **store, Catalog::Builtin());
  RemediationQueries remediation(RemediationSources{.registry = registry->get(),
                                                    .store = store->get(),
                                                    .catalog = &Catalog::Builtin(),
                                                    .clock = &clock});
  TierQueries tiers(TierQueriesSources{.queries = &queries,
                                       .scorer = scorer.get(),
                                       .registry = registry->get(),
                                       .store = store->get(),
                                       .remediation = &remediation,
                                       .catalog = &Catalog::Builtin(),
                                       .clock = &clock});
  Principal staff;
  staff.role = v1::ROLE_AUDITOR;
  staff.tenant_id = "org";
  Principal supplier;
  supplier.role = v1::ROLE_SUPPLIER;
  supplier.tenant_id = "supplier-0";
  Time(tiers, staff, "organisation", runs);
  Time(tiers, supplier, "supplier", runs);
  (*registry)->SetObserver(nullptr);
  scorer.reset();
  return 0;
}

}  // namespace
}  // namespace postura::collector

int main(int argc, char** argv) {
  CLI::App app("How long Tiers.GetTiers takes over N assets");
  int assets = 10000, runs = 20;
  app.add_option("--assets", assets, "Assets to register and report on")
      ->check(CLI::Range(1, 100000));
  app.add_option("--runs", runs, "Answers to time")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  return postura::collector::Run(assets, runs);
}
