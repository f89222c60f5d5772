#ifndef POSTURA_AGENT_CHECKS_CHECK_RUNNER_H_
#define POSTURA_AGENT_CHECKS_CHECK_RUNNER_H_

#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/rules/rule.h"
#include "common/base/clock.h"
#include "common/model/level.h"

namespace postura::agent {

// A check's rules, combined.
struct CheckEvaluation {
  Verdict verdict = Verdict::kError;
  bool partial = false;  // A fail in which some, not all, applicable rules passed ("all").
  std::string detail;
};

// Evaluates `check` under `root`. First its preconditions, in order: one that does not pass
// makes the check not_applicable (error, if it errs) without evaluating the rules. Then
// every rule, and combines the results:
//  - "all": error if any rule errs (never a fail); not_applicable if every rule is; pass if
//    every applicable rule passes; otherwise fail (partial if at least one passed).
//  - "any": pass if any rule passes; else error if any errs; else not_applicable if every
//    rule is; else fail.
// Thread-safe. Command rules are bounded by the check's timeout.
CheckEvaluation EvaluateCheck(const Check& check, const std::filesystem::path& root);

// The level a result maps to: pass, partial or fail per the check's mapping; nullopt for
// error and not_applicable, which say nothing about the outcome.
std::optional<Level> LevelFor(const Check& check, const CheckEvaluation& evaluation);

// One check's result, ready to become evidence.
struct CheckResult {
  std::string check_id;
  std::vector<std::string> outcomes;  // ULEO outcome ids.
  Verdict verdict = Verdict::kError;
  bool partial = false;
  std::optional<Level> level;  // Unset for error and not_applicable.
  std::string detail;
  absl::Time observed_at;  // From the runner's Clock, when the result was known.
};

struct CheckRunnerOptions {
  std::filesystem::path root = "/";  // Every check reads under it.
  int workers = 4;                   // Threads that run checks.
  // A check stuck past its budget keeps its thread; up to this many threads are started
  // in total so that stuck checks do not starve the others.
  int max_workers = 16;
  // A check that found no free worker for this long is reported as an error.
  absl::Duration queue_timeout = absl::Minutes(1);
};

// Runs checks on a small pool of worker threads, each check within its own time budget
// (Check::timeout, counted from when it starts, in real time). A check that overruns is
// reported as error "timed out after X" and does not delay the others; its thread finishes
// it in the background and the late result is dropped. Observed times come from `clock`.
// Thread-safe: Run may be called from several threads. `clock` must outlive the runner.
class CheckRunner {
 public:
  using Evaluator = std::function<CheckEvaluation(const Check&, const std::filesystem::path&)>;

  // `evaluator` is EvaluateCheck except in tests.
  CheckRunner(CheckRunnerOptions options, Clock& clock, Evaluator evaluator = EvaluateCheck);
  // Drops checks not yet started and joins the workers, which waits for checks still
  // running past their budget (command checks kill their program at the timeout).
  ~CheckRunner();
  CheckRunner(const CheckRunner&) = delete;
  CheckRunner& operator=(const CheckRunner&) = delete;

  // Runs `checks` (copied) and returns one result per check, in the same order, once each
  // has finished or overrun its budget.
  std::vector<CheckResult> Run(const std::vector<Check>& checks);

 private:
  struct Batch;
  void Enqueue(std::function<void()> job);
  void AddWorkers(int count);
  void WorkerLoop();
  static bool HasWork(CheckRunner* runner);  // For absl::Condition, with mu_ held.
  CheckResult ResultOf(const Check& check, const CheckEvaluation& evaluation);

  const CheckRunnerOptions options_;
  Clock& clock_;
  const Evaluator evaluator_;

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_CHECK_RUNNER_H_
