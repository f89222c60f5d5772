#ifndef POSTURA_AGENT_CHECKS_CHECK_PACK_H_
#define POSTURA_AGENT_CHECKS_CHECK_PACK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/checks/rules/rule.h"
#include "common/model/catalog.h"
#include "common/model/level.h"
#include "postura/v1/check_pack.pb.h"

namespace postura::agent {

// A validated check pack (format: docs/agent-checks.md, schema:
// proto/postura/v1/check_pack.proto). Plain values; immutable once built, so safe to share
// between threads.

// Which level each check result maps to.
struct LevelMapping {
  Level pass = Level::kDli100;
  Level partial = Level::kDli0;  // Under condition "all": some, not all, rules pass.
  Level fail = Level::kDli0;
};

struct Check {
  enum class Condition { kAll, kAny };
  std::string id;
  std::string title;
  std::string rationale;
  std::string remediation;
  std::vector<std::string> outcomes;  // ULEO outcome ids, known to the catalog.
  LevelMapping levels;
  absl::Duration interval;
  absl::Duration timeout;
  Condition condition = Condition::kAll;
  std::vector<Rule> rules;  // At least one.
  // Whether the check applies: a precondition that does not pass makes it not_applicable.
  std::vector<Rule> preconditions;
};

struct CheckPack {
  std::string name;
  std::string description;
  std::vector<Check> checks;  // Unique ids, pack order.
};

// Validates a parsed pack against `catalog`. InvalidArgument naming the check id and the
// key ("check 'ssh-root-login': rules[0].key_value.op: 'is' is not one of ...") for any
// defect: missing required key, duplicate id, unknown outcome, bad level, duration,
// regular expression, comparison or rule type.
absl::StatusOr<CheckPack> CheckPackFromProto(const v1::CheckPack& proto, const Catalog& catalog);

// Parses pack YAML (unknown keys rejected) and validates it. `source` names the file in
// errors; an unknown or mistyped key is reported with the check that holds it.
absl::StatusOr<CheckPack> ParseCheckPack(absl::string_view yaml, absl::string_view source,
                                         const Catalog& catalog);

// Reads and parses a pack file. NotFound if it cannot be read.
absl::StatusOr<CheckPack> LoadCheckPack(const std::string& path, const Catalog& catalog);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_CHECK_PACK_H_
