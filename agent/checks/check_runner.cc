#include "agent/checks/check_runner.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/checks/rules/rules.h"

namespace postura::agent {
namespace {

CheckEvaluation Combine(Check::Condition condition, const std::vector<RuleResult>& results) {
  int passed = 0, failed = 0, errors = 0;
  std::vector<absl::string_view> details;
  for (const RuleResult& result : results) {
    passed += result.verdict == Verdict::kPass;
    failed += result.verdict == Verdict::kFail;
    errors += result.verdict == Verdict::kError;
    details.push_back(result.detail);
  }
  CheckEvaluation evaluation{.detail = absl::StrJoin(details, "; ")};
  if (condition == Check::Condition::kAny && passed > 0) {
    evaluation.verdict = Verdict::kPass;
  } else if (errors > 0) {
    evaluation.verdict = Verdict::kError;
  } else if (passed + failed == 0) {
    evaluation.verdict = Verdict::kNotApplicable;
  } else if (failed == 0) {
    evaluation.verdict = Verdict::kPass;
  } else {
    evaluation.verdict = Verdict::kFail;
    evaluation.partial = condition == Check::Condition::kAll && passed > 0;
  }
  return evaluation;
}

}  // namespace

CheckEvaluation EvaluateCheck(const Check& check, const std::filesystem::path& root) {
  absl::Time deadline = absl::Now() + check.timeout;
  for (const Rule& precondition : check.preconditions) {
    absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    RuleResult result = EvaluateRule(precondition, root, left);
    if (result.verdict == Verdict::kPass) continue;
    if (result.verdict == Verdict::kError) {
      return {.verdict = Verdict::kError, .detail = absl::StrCat("precondition: ", result.detail)};
    }
    return {.verdict = Verdict::kNotApplicable,
            .detail = absl::StrCat("does not apply: ", result.detail)};
  }
  std::vector<RuleResult> results;
  for (const Rule& rule : check.rules) {
    absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    results.push_back(EvaluateRule(rule, root, left));
  }
  return Combine(check.condition, results);
}

std::optional<Level> LevelFor(const Check& check, const CheckEvaluation& evaluation) {
  switch (evaluation.verdict) {
    case Verdict::kPass:
      return check.levels.pass;
    case Verdict::kFail:
      return evaluation.partial ? check.levels.partial : check.levels.fail;
    case Verdict::kError:
    case Verdict::kNotApplicable:
      return std::nullopt;
  }
  return std::nullopt;
}

// The state of one Run, shared with its jobs, which may outlive Run when a check overruns.
struct CheckRunner::Batch {
  struct Slot {
    Check check;
    std::optional<CheckEvaluation> evaluation;
    std::optional<absl::Time> started;  // Real time.
    bool abandoned = false;             // Overran or never started; late results dropped.
  };
  absl::Mutex mu;
  std::vector<Slot> slots ABSL_GUARDED_BY(mu);
  int64_t events ABSL_GUARDED_BY(mu) = 0;  // Starts and finishes, to wake Run.

  struct Waiting {
    Batch* batch;
    int64_t seen;
  };
  // Called by absl::Condition with `mu` held.
  static bool Changed(Waiting* waiting) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return waiting->batch->events != waiting->seen;
  }
};

CheckRunner::CheckRunner(CheckRunnerOptions options, Clock& clock, Evaluator evaluator)
    : options_(std::move(options)), clock_(clock), evaluator_(std::move(evaluator)) {
  AddWorkers(std::max(1, options_.workers));
}

CheckRunner::~CheckRunner() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

void CheckRunner::AddWorkers(int count) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < count && static_cast<int>(threads_.size()) < options_.max_workers; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
}

void CheckRunner::Enqueue(std::function<void()> job) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(job));
}

bool CheckRunner::HasWork(CheckRunner* runner) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return runner->stopping_ || !runner->queue_.empty();
}

void CheckRunner::WorkerLoop() {
  while (true) {
    std::function<void()> job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&CheckRunner::HasWork, this));
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

CheckResult CheckRunner::ResultOf(const Check& check, const CheckEvaluation& evaluation) {
  return {.check_id = check.id,
          .outcomes = check.outcomes,
          .verdict = evaluation.verdict,
          .partial = evaluation.partial,
          .level = LevelFor(check, evaluation),
          .detail = evaluation.detail,
          .observed_at = clock_.TimeNow()};
}

std::vector<CheckResult> CheckRunner::Run(const std::vector<Check>& checks) {
  auto batch = std::make_shared<Batch>();
  {
    absl::MutexLock lock(&batch->mu);
    batch->slots.resize(checks.size());
    for (size_t i = 0; i < checks.size(); ++i) batch->slots[i].check = checks[i];
  }
  std::vector<std::optional<CheckResult>> results(checks.size());
  for (size_t i = 0; i < checks.size(); ++i) {
    Enqueue([this, batch, i] {
      Check check;
      {
        absl::MutexLock lock(&batch->mu);
        if (batch->slots[i].abandoned) return;
        batch->slots[i].started = absl::Now();
        ++batch->events;
        check = batch->slots[i].check;
      }
      CheckEvaluation evaluation = evaluator_(check, options_.root);
      absl::MutexLock lock(&batch->mu);
      batch->slots[i].evaluation = std::move(evaluation);
      ++batch->events;
    });
  }
  absl::Time queued_since = absl::Now();
  absl::MutexLock lock(&batch->mu);
  while (true) {
    absl::Time now = absl::Now(), wake = absl::InfiniteFuture();
    int newly_stuck = 0;
    bool pending = false;
    for (size_t i = 0; i < checks.size(); ++i) {
      Batch::Slot& slot = batch->slots[i];
      if (results[i]) continue;
      if (slot.evaluation) {
        results[i] = ResultOf(slot.check, *slot.evaluation);
        continue;
      }
      absl::Time deadline =
          slot.started ? *slot.started + slot.check.timeout : queued_since + options_.queue_timeout;
      if (now < deadline) {
        pending = true;
        wake = std::min(wake, deadline);
        continue;
      }
      slot.abandoned = true;
      newly_stuck += slot.started.has_value();
      std::string why =
          slot.started
              ? absl::StrCat("timed out after ", absl::FormatDuration(slot.check.timeout))
              : absl::StrCat("not started within ", absl::FormatDuration(options_.queue_timeout),
                             ": all workers busy");
      results[i] = ResultOf(slot.check, {.verdict = Verdict::kError, .detail = why});
    }
    // Each overrunning check holds a thread; replace it so the others keep moving.
    if (newly_stuck > 0) AddWorkers(newly_stuck);
    if (!pending) break;
    Batch::Waiting waiting{batch.get(), batch->events};
    batch->mu.AwaitWithDeadline(absl::Condition(&Batch::Changed, &waiting), wake);
  }
  std::vector<CheckResult> out;
  for (std::optional<CheckResult>& result : results) out.push_back(*std::move(result));
  return out;
}

}  // namespace postura::agent
