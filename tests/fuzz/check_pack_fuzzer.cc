// Fuzzes check-pack parsing against the built-in catalog: an input is pack YAML
// (docs/agent-checks.md). A pack that parses must hold what agent/check_pack.h promises:
// unique check ids, known outcomes, at least one rule, positive durations.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/checks/check_pack.h"
#include "common/model/catalog.h"

namespace postura::agent {
namespace {

void CheckCheck(const Catalog& catalog, const Check& check) {
  if (check.id.empty() || check.title.empty()) __builtin_trap();
  if (check.outcomes.empty() || check.rules.empty()) __builtin_trap();
  for (const std::string& outcome : check.outcomes) {
    if (!catalog.FindOutcome(outcome)) __builtin_trap();
  }
  if (check.interval <= absl::ZeroDuration() || check.timeout <= absl::ZeroDuration()) {
    __builtin_trap();
  }
}

void FuzzCheckPack(absl::string_view text) {
  const Catalog& catalog = Catalog::Builtin();
  absl::StatusOr<CheckPack> pack = ParseCheckPack(text, "fuzz", catalog);
  if (!pack.ok()) return;
  if (pack->name.empty() || pack->checks.empty()) __builtin_trap();
  absl::flat_hash_set<std::string> ids;
  for (const Check& check : pack->checks) {
    if (!ids.insert(check.id).second) __builtin_trap();
    CheckCheck(catalog, check);
  }
}

}  // namespace
}  // namespace postura::agent

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::agent::FuzzCheckPack(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
