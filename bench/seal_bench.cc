// What signed evidence costs per batch (issue 22, item 2): the agent's seal and signature,
// and the collector's check at ingest, against the encoding of the same batch for the
// store (EncodeBatch), the in-run baseline that every batch pays anyway. Batches of 50
// items with 200-byte details, as the ingest benchmark sends.
//
//   build/bin/seal_bench

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "collector/store/evidence_records.h"
#include "collector/testing/signing_agent.h"
#include "collector/testing/test_evidence.h"
#include "common/transport/evidence_seal.h"

namespace postura {
namespace {

constexpr char kAgent[] = "web-01";

struct Fixture {
  collector::SigningAgent agent{kAgent};
  v1::Batch batch;

  Fixture() {
    batch.set_sequence(1);
    for (int i = 0; i < 50; ++i) {
      v1::Evidence item = collector::TestEvidence("web", "PR_AC_CSC_5_2", agent.now);
      item.set_check_id("check-" + std::to_string(i));
      item.set_detail(std::string(200, 'x'));
      *batch.add_items() = item;
    }
    agent.Sign(batch);
  }
};

const Fixture& Batch50() {
  static const Fixture* const fixture = new Fixture();
  return *fixture;
}

// The baseline: encoding the batch's 50 items for the store, as ingest does for every batch.
void BM_EncodeBatch(benchmark::State& state) {
  const Fixture& f = Batch50();
  const std::vector<bool> valid(50, true);
  for (auto _ : state) {
    v1::Batch copy = f.batch;
    benchmark::DoNotOptimize(collector::EncodeBatch(kAgent, copy, valid, f.agent.now));
  }
}
BENCHMARK(BM_EncodeBatch);

// The agent: the seal of 50 items and its ECDSA signature.
void BM_AgentSignsBatch(benchmark::State& state) {
  const Fixture& f = Batch50();
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.agent.signer.Sign(SealOfItems(kAgent, 1, f.batch.items())).value());
  }
}
BENCHMARK(BM_AgentSignsBatch);

// The collector: the seal recomputed and the signature verified, the record to store made.
void BM_CollectorChecksBatch(benchmark::State& state) {
  const Fixture& f = Batch50();
  for (auto _ : state)
    benchmark::DoNotOptimize(f.agent.checker.Check(kAgent, f.batch, f.agent.now).value());
}
BENCHMARK(BM_CollectorChecksBatch);

}  // namespace
}  // namespace postura

BENCHMARK_MAIN();
