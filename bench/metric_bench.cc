// The metric engine's costs: one incremental outcome update, and a full recomputation of
// an IG3 asset (167 outcomes), both exact and with the reference double formula. The
// formula recompute is the in-run baseline the other figures are compared with.
//
//   build/bin/metric_bench

#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/model/asset_score.h"
#include "common/model/asset_values.h"
#include "common/model/catalog.h"

namespace postura {
namespace {

const ScoringModel& Ig3() { return Catalog::Builtin().model(ImplementationGroup::kIG3); }

std::vector<Level> RandomLevels(const ScoringModel& model, std::mt19937& random) {
  std::vector<Level> levels(model.outcome_count(), Level::kDli0);
  for (int o : model.applicable_outcomes()) levels[o] = kAllLevels[random() % 4];
  return levels;
}

// One SetLevel: the outcome's category, function and asset sums move, nothing else.
void BM_IncrementalUpdate(benchmark::State& state) {
  const ScoringModel& model = Ig3();
  std::mt19937 random(1);
  AssetScore score(model, RandomLevels(model, random));
  // Precomputed so that the loop measures the update, not the random generator.
  constexpr int kUpdates = 4096;
  std::vector<std::pair<int, Level>> updates;
  for (int i = 0; i < kUpdates; ++i) {
    const std::vector<int>& outcomes = model.applicable_outcomes();
    updates.emplace_back(outcomes[random() % outcomes.size()], kAllLevels[random() % 4]);
  }
  int i = 0;
  for (auto _ : state) {
    const auto& [outcome, level] = updates[i++ & (kUpdates - 1)];
    score.SetLevel(outcome, level);
    benchmark::DoNotOptimize(score);
  }
}
BENCHMARK(BM_IncrementalUpdate);

// SetLevel followed by reading the new asset value (what the collector publishes).
void BM_IncrementalUpdateAndReadAsset(benchmark::State& state) {
  const ScoringModel& model = Ig3();
  std::mt19937 random(2);
  AssetScore score(model, RandomLevels(model, random));
  const std::vector<int>& outcomes = model.applicable_outcomes();
  std::size_t i = 0;
  for (auto _ : state) {
    score.SetLevel(outcomes[i % outcomes.size()], kAllLevels[i & 3]);
    ++i;
    benchmark::DoNotOptimize(score.asset_value());
  }
}
BENCHMARK(BM_IncrementalUpdateAndReadAsset);

// A full exact recompute: build an AssetScore from 167 levels and read every value.
void BM_FullRecomputeExactIG3(benchmark::State& state) {
  const ScoringModel& model = Ig3();
  std::mt19937 random(3);
  const std::vector<Level> levels = RandomLevels(model, random);
  for (auto _ : state) {
    AssetValues values = AssetScore(model, levels).Values();
    benchmark::DoNotOptimize(values);
  }
}
BENCHMARK(BM_FullRecomputeExactIG3);

// The reference formula of METRICS.md section 3 over 167 levels: the baseline.
void BM_FullRecomputeFormulaIG3(benchmark::State& state) {
  const ScoringModel& model = Ig3();
  std::mt19937 random(4);
  const std::vector<Level> levels = RandomLevels(model, random);
  for (auto _ : state) {
    AssetValues values = ComputeAssetValues(model, levels);
    benchmark::DoNotOptimize(values);
  }
}
BENCHMARK(BM_FullRecomputeFormulaIG3);

// Prints, after the usual table, each benchmark's time as a fraction of the formula
// recompute measured in the same run, so figures compare across noisy machines.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration)
        times_.emplace_back(run.benchmark_name(), run.GetAdjustedCPUTime());
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    double baseline = 0;
    for (const auto& [name, time] : times_) {
      if (name == "BM_FullRecomputeFormulaIG3") baseline = time;
    }
    if (baseline <= 0) return;
    GetOutputStream() << "\nCPU time as a fraction of BM_FullRecomputeFormulaIG3 (same run):\n";
    for (const auto& [name, time] : times_) {
      GetOutputStream() << "  " << name << ": " << time / baseline << "\n";
    }
  }

 private:
  std::vector<std::pair<std::string, double>> times_;
};

}  // namespace
}  // namespace postura

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  postura::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
