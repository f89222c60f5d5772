// Evaluators of the mount and encrypted_device rules.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "agent/checks/rules/host_root.h"
#include "agent/checks/rules/parsers.h"
#include "agent/checks/rules/rules.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

// Device-mapper stacks are shallow (LUKS, LVM, maybe RAID); this bounds a cyclic fixture.
constexpr int kMaxDeviceDepth = 8;

// The last entry for `mount_point` (later mounts hide earlier ones).
std::optional<MountEntry> FindMount(absl::string_view text, absl::string_view mount_point) {
  std::optional<MountEntry> found;
  for (MountEntry& entry : ParseMounts(text)) {
    if (entry.mount_point == mount_point) found = std::move(entry);
  }
  return found;
}

std::string ReadTrimmed(const HostRoot& host, const std::string& path) {
  absl::StatusOr<std::string> text = host.ReadFile(path);
  return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "";
}

// The /sys/block name ("dm-0", "sda") of a mount source such as "/dev/mapper/root",
// "/dev/dm-1" or "/dev/sda2"; "" if it is not a block device we can place.
std::string BlockDeviceName(const HostRoot& host, absl::string_view source) {
  if (absl::ConsumePrefix(&source, "/dev/mapper/")) {
    absl::StatusOr<std::vector<std::string>> devices = host.ListDirectory("/sys/block");
    if (!devices.ok()) return "";
    std::sort(devices->begin(), devices->end());  // The same answer on every run.
    for (const std::string& device : *devices) {
      if (ReadTrimmed(host, absl::StrCat("/sys/block/", device, "/dm/name")) == source) {
        return device;
      }
    }
    return "";
  }
  if (absl::ConsumePrefix(&source, "/dev/")) return std::string(source);
  return "";
}

// True if `device` or a device beneath it (its slaves) is dm-crypt.
bool IsOnCrypt(const HostRoot& host, const std::string& device, int depth) {
  if (depth > kMaxDeviceDepth || device.empty()) return false;
  std::string dir = absl::StrCat("/sys/block/", device);
  if (absl::StartsWith(ReadTrimmed(host, absl::StrCat(dir, "/dm/uuid")), "CRYPT-")) return true;
  absl::StatusOr<std::vector<std::string>> slaves =
      host.ListDirectory(absl::StrCat(dir, "/slaves"));
  if (!slaves.ok()) return false;
  for (const std::string& slave : *slaves) {
    if (IsOnCrypt(host, slave, depth + 1)) return true;
  }
  return false;
}

}  // namespace

RuleResult EvaluateMount(const MountRule& rule, const fs::path& root) {
  absl::string_view table = rule.fstab ? "/etc/fstab" : "/proc/mounts";
  absl::StatusOr<std::string> text = HostRoot(root).ReadFile(table);
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::optional<MountEntry> mount = FindMount(*text, rule.mount_point);
  if (!mount) {
    return MissingResult(rule.if_missing,
                         absl::StrCat(rule.mount_point, " is not a mount point in ", table));
  }
  std::vector<std::string> lacking;
  for (const std::string& option : rule.options) {
    if (std::find(mount->options.begin(), mount->options.end(), option) == mount->options.end()) {
      lacking.push_back(option);
    }
  }
  if (!lacking.empty()) {
    return FailResult(absl::StrCat(rule.mount_point, " lacks ", absl::StrJoin(lacking, ", ")));
  }
  return PassResult(absl::StrCat(rule.mount_point, " is mounted with ",
                                 Excerpt(absl::StrJoin(mount->options, ","))));
}

RuleResult EvaluateEncryptedDevice(const EncryptedDeviceRule& rule, const fs::path& root) {
  HostRoot host(root);
  absl::StatusOr<std::string> text = host.ReadFile("/proc/mounts");
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::optional<MountEntry> mount = FindMount(*text, rule.mount_point);
  if (!mount) return ErrorResult(absl::StrCat(rule.mount_point, " is not mounted"));
  std::string device = BlockDeviceName(host, mount->source);
  if (device.empty() && absl::StartsWith(mount->source, "/dev/mapper/")) {
    return ErrorResult(
        absl::StrCat("no device-mapper device named ", mount->source, " in /sys/block"));
  }
  if (device.empty() || !host.Stat(absl::StrCat("/sys/block/", device)).ok()) {
    // A partition ("sda2") lives under its disk in /sys/block and is never dm-crypt itself.
    if (absl::StartsWith(mount->source, "/dev/")) {
      return FailResult(
          absl::StrCat(rule.mount_point, " is on ", mount->source, ", not an encrypted device"));
    }
    return NotApplicableResult(absl::StrCat(rule.mount_point, " is on ", mount->source, " (",
                                            mount->fs_type, "), not a block device"));
  }
  if (IsOnCrypt(host, device, 0)) {
    return PassResult(
        absl::StrCat(rule.mount_point, " is on ", mount->source, ", backed by dm-crypt"));
  }
  return FailResult(
      absl::StrCat(rule.mount_point, " is on ", mount->source, ", not an encrypted device"));
}

}  // namespace postura::agent
