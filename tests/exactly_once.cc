#include "tests/exactly_once.h"

#include <deque>
#include <fstream>
#include <map>
#include <set>

#include "collector/store/evidence_store.h"
#include "gtest/gtest.h"

namespace postura::test {

// The last 40 lines of a log, to show why a run went wrong.
std::string LogTail(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
    if (lines.size() > 40) lines.pop_front();
  }
  std::string tail;
  for (const std::string& line : lines) tail += line + "\n";
  return tail;
}

// How each agent's last broken stream ended, to show why a load did not complete.
std::string AgentErrors(const bench::LoadResult& load) {
  std::string errors;
  for (const bench::AgentResult& agent : load.agents) {
    errors += agent.agent_id + " (" + std::to_string(agent.acknowledged.size()) +
              " acknowledged, " + std::to_string(agent.reconnects) +
              " reconnects): " + agent.last_error + "\n";
  }
  return errors;
}

void ExpectExactlyOnce(const std::string& data_dir, const bench::LoadResult& load,
                       const LoadShape& shape) {
  auto store = collector::EvidenceStore::Open({.path = data_dir + "/store"}).value();
  std::map<std::pair<std::string, uint64_t>, int> items_per_batch;
  uint64_t evidence = 0;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    ++items_per_batch[{e.agent_id(), e.sequence()}];
                    ++evidence;
                  })
                  .ok());
  uint64_t counted = 0;
  const auto all_progress = store->LoadProgress().value();
  for (const auto& [agent, progress] : all_progress) {
    EXPECT_EQ(progress.last_sequence, static_cast<uint64_t>(shape.batches)) << agent;
    counted += progress.items_stored;
  }
  // A batch applied twice would count its items twice here but not in the log.
  EXPECT_EQ(counted, evidence);
  for (const auto& [batch, items] : items_per_batch) {
    EXPECT_EQ(items, shape.items) << batch.first << " #" << batch.second;
  }
  ASSERT_EQ(load.agents.size(), static_cast<std::size_t>(shape.agents));
  for (const bench::AgentResult& agent : load.agents) {
    std::set<uint64_t> acknowledged(agent.acknowledged.begin(), agent.acknowledged.end());
    EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(shape.batches)) << agent.agent_id;
    for (uint64_t sequence : acknowledged) {
      EXPECT_TRUE(items_per_batch.contains({agent.agent_id, sequence}))
          << agent.agent_id << " #" << sequence << " acknowledged but not stored";
    }
  }
  EXPECT_EQ(evidence, uint64_t(shape.agents) * shape.batches * shape.items);
}

}  // namespace postura::test
