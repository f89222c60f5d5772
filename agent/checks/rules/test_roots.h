#ifndef POSTURA_AGENT_CHECKS_RULES_TEST_ROOTS_H_
#define POSTURA_AGENT_CHECKS_RULES_TEST_ROOTS_H_

#include <filesystem>

namespace postura::agent {

// Fixture host trees (tests/testdata/agent): a hardened host and a weak one.
inline std::filesystem::path HardenedRoot() {
  return std::filesystem::path(POSTURA_SOURCE_DIR) / "tests/testdata/agent/hardened";
}
inline std::filesystem::path WeakRoot() {
  return std::filesystem::path(POSTURA_SOURCE_DIR) / "tests/testdata/agent/weak";
}

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_TEST_ROOTS_H_
