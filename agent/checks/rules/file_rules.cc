// Evaluators of the file, file_content and key_value rules.
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/effective_config.h"
#include "agent/checks/rules/host_root.h"
#include "agent/checks/rules/parsers.h"
#include "agent/checks/rules/rules.h"

namespace postura::agent {
namespace {

// An ownership mismatch as a detail; "" if there is none or nothing is expected.
absl::StatusOr<std::string> OwnershipProblem(const FileRule& rule, const struct stat& info,
                                             const HostRoot& host) {
  std::vector<std::string> problems;
  if (!rule.owner.empty()) {
    absl::StatusOr<int64_t> uid = LookUpUid(host, rule.owner);
    if (!uid.ok()) return uid.status();
    if (*uid != info.st_uid) {
      problems.push_back(absl::StrCat("owner is uid ", info.st_uid, ", expected ", rule.owner));
    }
  }
  if (!rule.group.empty()) {
    absl::StatusOr<int64_t> gid = LookUpGid(host, rule.group);
    if (!gid.ok()) return gid.status();
    if (*gid != info.st_gid) {
      problems.push_back(absl::StrCat("group is gid ", info.st_gid, ", expected ", rule.group));
    }
  }
  return absl::StrJoin(problems, "; ");
}

// Every line of the file `path`, or of the files a glob names (NotFound if none exists).
absl::StatusOr<std::vector<ConfigLine>> ReadPlainLines(const HostRoot& host,
                                                       const std::string& path) {
  std::vector<std::string> files = {path};
  if (HasGlob(path)) {
    absl::StatusOr<std::vector<std::string>> matched = GlobUnderRoot(host, path);
    if (!matched.ok()) return matched.status();
    if (matched->empty()) return absl::NotFoundError(absl::StrCat(path, " matches no file"));
    files = *std::move(matched);
  }
  std::vector<ConfigLine> lines;
  size_t total = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> text = host.ReadFile(file);
    if (!text.ok()) return text.status();
    total += text->size();
    if (total > kMaxHostFileBytes) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is larger than ", kMaxHostFileBytes >> 20, " MiB in total"));
    }
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      lines.push_back({file, std::string(line)});
    }
  }
  return lines;
}

}  // namespace

RuleResult EvaluateFile(const FileRule& rule, const std::filesystem::path& root) {
  HostRoot host(root);
  absl::StatusOr<struct stat> found = host.Stat(rule.path);
  if (!found.ok()) {
    if (!absl::IsNotFound(found.status())) {
      return ErrorResult(std::string(found.status().message()));
    }
    if (rule.absent) return PassResult(absl::StrCat(rule.path, " does not exist"));
    return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
  }
  const struct stat& info = *found;
  if (rule.absent) return FailResult(absl::StrCat(rule.path, " exists"));
  std::vector<std::string> problems;
  unsigned mode = info.st_mode & 07777;
  if (rule.mode_max && (mode & ~*rule.mode_max) != 0) {
    problems.push_back(
        absl::StrFormat("mode is %04o, expected at most %04o", mode, *rule.mode_max));
  }
  absl::StatusOr<std::string> ownership = OwnershipProblem(rule, info, host);
  if (!ownership.ok()) {
    return ErrorResult(absl::StrCat(rule.path, ": ", ownership.status().message()));
  }
  if (!ownership->empty()) problems.push_back(*std::move(ownership));
  if (!problems.empty()) {
    return FailResult(absl::StrCat(rule.path, ": ", absl::StrJoin(problems, "; ")));
  }
  return PassResult(absl::StrFormat("%s exists, mode %04o", rule.path, mode));
}

RuleResult EvaluateFileContent(const FileContentRule& rule, const std::filesystem::path& root) {
  std::vector<ConfigLine> lines;
  if (rule.syntax == ConfigSyntax::kPlain) {
    absl::StatusOr<std::vector<ConfigLine>> read = ReadPlainLines(HostRoot(root), rule.path);
    if (absl::IsNotFound(read.status())) {
      return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
    }
    if (!read.ok()) return ErrorResult(std::string(read.status().message()));
    lines = *std::move(read);
  } else {
    absl::StatusOr<std::vector<ConfigLine>> effective =
        ReadEffectiveConfig(HostRoot(root), rule.path, rule.syntax);
    if (absl::IsNotFound(effective.status())) {
      return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
    }
    if (!effective.ok()) return ErrorResult(std::string(effective.status().message()));
    lines = *std::move(effective);
  }
  for (const ConfigLine& line : lines) {
    absl::StatusOr<bool> found = RegexSearch(rule.regex, line.text);
    if (!found.ok()) return ErrorResult(std::string(found.status().message()));
    if (!*found) continue;
    std::string detail = absl::StrCat(line.file, " has '", Excerpt(line.text), "'");
    return rule.absent ? FailResult(std::move(detail)) : PassResult(std::move(detail));
  }
  std::string detail = rule.syntax == ConfigSyntax::kPlain
                           ? absl::StrCat(rule.path, " has no line matching /", rule.pattern, "/")
                           : absl::StrCat("no line of ", rule.path,
                                          " or the files it includes matches /", rule.pattern, "/");
  return rule.absent ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

namespace {

// The key's value in the effective configuration, with the file that set it when that is
// not the rule's own file; nullopt if unset; NotFound if the configuration does not exist.
absl::StatusOr<std::optional<ConfigValue>> LookUpKey(const KeyValueRule& rule,
                                                     const std::filesystem::path& root) {
  if (rule.syntax == ConfigSyntax::kPlain) {
    absl::StatusOr<std::string> text = HostRoot(root).ReadFile(rule.path);
    if (!text.ok()) return text.status();
    std::optional<std::string> value =
        FindKeyValue(*text, rule.key, rule.separator, rule.first_wins);
    if (!value) return std::nullopt;
    return ConfigValue{*std::move(value), rule.path};
  }
  absl::StatusOr<std::vector<ConfigLine>> lines =
      ReadEffectiveConfig(HostRoot(root), rule.path, rule.syntax);
  if (!lines.ok()) return lines.status();
  return FindConfigValue(*lines, rule.key, rule.separator, rule.syntax, rule.first_wins);
}

}  // namespace

RuleResult EvaluateKeyValue(const KeyValueRule& rule, const std::filesystem::path& root) {
  absl::StatusOr<std::optional<ConfigValue>> found = LookUpKey(rule, root);
  if (absl::IsNotFound(found.status())) {
    return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
  }
  if (!found.ok()) return ErrorResult(std::string(found.status().message()));
  std::optional<std::string> value;
  std::string source = " (default)";
  if (*found) {
    value = (*found)->value;
    source = (*found)->file == rule.path ? "" : absl::StrCat(" (", (*found)->file, ")");
  } else {
    value = rule.default_value;
  }
  if (!value) {
    return FailResult(absl::StrCat(rule.key, " is not set in ", rule.path, ", expected ",
                                   DescribeExpectation(rule.expected)));
  }
  absl::StatusOr<bool> ok = Satisfies(rule.expected, *value);
  if (!ok.ok()) return ErrorResult(std::string(ok.status().message()));
  std::string detail = absl::StrCat(rule.key, " is '", Excerpt(*value), "'", source);
  if (*ok) return PassResult(std::move(detail));
  return FailResult(absl::StrCat(detail, ", expected ", DescribeExpectation(rule.expected)));
}

}  // namespace postura::agent
