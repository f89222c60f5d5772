// Fuzzes the collector's configuration: an input is a YAML config file, read into
// v1::CollectorConfig (common/yaml_config.h) and validated (OptionsFromConfig). Options
// that validate must hold the documented bounds.

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collector/collector_config.h"
#include "common/config/yaml_config.h"
#include "postura/v1/collector_config.pb.h"

namespace postura::collector {
namespace {

void FuzzCollectorConfig(absl::string_view text) {
  v1::CollectorConfig config;
  if (!ParseYamlConfig(text, "fuzz", config).ok()) return;
  absl::StatusOr<CollectorOptions> options = OptionsFromConfig(config);
  if (!options.ok()) return;
  if (options->data_dir.empty()) __builtin_trap();
  if (options->evidence_retention < absl::Hours(1)) __builtin_trap();
  if (options->max_batch_items < 1 || options->max_batch_items > 100'000) __builtin_trap();
  if (options->max_detail_bytes < 16 || options->max_detail_bytes > 65536) __builtin_trap();
  if (options->max_unacknowledged_batches < 1) __builtin_trap();
}

}  // namespace
}  // namespace postura::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::collector::FuzzCollectorConfig(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
