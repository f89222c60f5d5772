// Fuzzes FLECO case parsing against the built-in catalog: an input is case JSON text. A
// case that parses must have its targets valid for its group (WriteFlecoCase requires
// it), and writing it and reading the result back must give an equal case and the same
// text again.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/fleco/fleco_case.h"
#include "common/model/catalog.h"
#include "common/model/target.h"

namespace postura {
namespace {

void FuzzFlecoCase(absl::string_view text) {
  const Catalog& catalog = Catalog::Builtin();
  absl::StatusOr<FlecoCase> parsed = ParseFlecoCase(catalog, text);
  if (!parsed.ok()) return;
  const std::size_t outcomes = catalog.outcomes().size();
  if (parsed->initial_status.size() != outcomes) __builtin_trap();
  if (parsed->target_status && parsed->target_status->size() != outcomes) __builtin_trap();
  if (!ValidateTargets(catalog, parsed->group, parsed->targets).ok()) __builtin_trap();

  const std::string written = WriteFlecoCase(catalog, *parsed);
  absl::StatusOr<FlecoCase> reread = ParseFlecoCase(catalog, written);
  if (!reread.ok() || *reread != *parsed) __builtin_trap();
  if (WriteFlecoCase(catalog, *reread) != written) __builtin_trap();
}

}  // namespace
}  // namespace postura

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::FuzzFlecoCase(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
