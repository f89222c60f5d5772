#include "collector/history/history_keys.h"

#include "absl/strings/str_cat.h"

namespace postura::collector {
namespace {

constexpr absl::string_view kSeparator("\0", 1);

}  // namespace

std::string AssetSubject(absl::string_view asset_id) { return absl::StrCat("asset/", asset_id); }
std::string OrganizationSubject() { return "org"; }
std::string GroupSubject(absl::string_view group_name) { return absl::StrCat("ig/", group_name); }
std::string DepartmentSubject(absl::string_view department_id) {
  return absl::StrCat("department/", department_id);
}
std::string SupplierSubject(absl::string_view supplier_id) {
  return absl::StrCat("supplier/", supplier_id);
}

std::string EncodeUnixNanos(int64_t unix_nanos) {
  std::string out;
  const uint64_t value = static_cast<uint64_t>(unix_nanos);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

std::optional<int64_t> DecodeUnixNanos(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
  return static_cast<int64_t>(value);
}

std::string HistoryKey(absl::string_view subject, int64_t unix_nanos) {
  return absl::StrCat(subject, kSeparator, EncodeUnixNanos(unix_nanos));
}

std::optional<HistoryKeyParts> ParseHistoryKey(absl::string_view key) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return std::nullopt;
  std::optional<int64_t> time = DecodeUnixNanos(key.substr(key.size() - 8));
  if (!time) return std::nullopt;
  return HistoryKeyParts{key.substr(0, key.size() - 9), *time};
}

std::string EncodeHistoryPoint(const v1::HistoryPoint& point) {
  v1::HistoryPoint figures = point;
  figures.clear_time();
  return figures.SerializeAsString();
}

std::optional<v1::HistoryPoint> DecodeHistoryPoint(int64_t unix_nanos, absl::string_view value) {
  v1::HistoryPoint point;
  if (!point.ParseFromArray(value.data(), static_cast<int>(value.size()))) return std::nullopt;
  point.mutable_time()->set_seconds(unix_nanos / 1'000'000'000);
  point.mutable_time()->set_nanos(static_cast<int32_t>(unix_nanos % 1'000'000'000));
  return point;
}

bool SameFigures(const v1::HistoryPoint& a, const v1::HistoryPoint& b) {
  return a.value() == b.value() && a.adjusted_value() == b.adjusted_value() &&
         a.coverage() == b.coverage() && a.targets_met() == b.targets_met() &&
         a.target_coverage() == b.target_coverage() &&
         a.share_meeting_targets() == b.share_meeting_targets() &&
         a.asset_count() == b.asset_count() && a.assets_with_targets() == b.assets_with_targets() &&
         a.assets_meeting_targets() == b.assets_meeting_targets();
}

}  // namespace postura::collector
