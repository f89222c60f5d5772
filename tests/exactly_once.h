#ifndef POSTURA_TESTS_EXACTLY_ONCE_H_
#define POSTURA_TESTS_EXACTLY_ONCE_H_

// Checks shared by the tests that kill collectors under load (ingest_chaos_test,
// cluster_chaos_test): what agents were told against what a stopped collector's store
// holds, and what to print when a run went wrong.

#include <filesystem>
#include <string>

#include "bench/load_generator.h"

namespace postura::test {

// The shape of a load: each of `agents` sends `batches` batches of `items` items.
struct LoadShape {
  int agents = 0;
  int batches = 0;
  int items = 0;
};

// Reads the store of the stopped collector whose data directory is `data_dir`: every
// batch acknowledged to an agent is stored, every stored batch is stored once with all
// its items, and the per-agent counters agree with the evidence log. Fails the test (with
// gtest EXPECTs) otherwise.
void ExpectExactlyOnce(const std::string& data_dir, const bench::LoadResult& load,
                       const LoadShape& shape);

// The last 40 lines of a log, to show why a run went wrong.
std::string LogTail(const std::filesystem::path& path);

// How each agent's last broken stream ended, to show why a load did not complete.
std::string AgentErrors(const bench::LoadResult& load);

}  // namespace postura::test

#endif  // POSTURA_TESTS_EXACTLY_ONCE_H_
