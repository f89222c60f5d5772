// Evaluators of the file, file_content and key_value rules.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/rules/comparison.h"
#include "agent/rules/parsers.h"
#include "agent/rules/rules.h"

namespace postura::agent {
namespace {

// The uid of a user name, or of a number, through <root>/etc/passwd.
absl::StatusOr<int64_t> ResolveUid(absl::string_view name, const std::filesystem::path& root) {
  int64_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return id;
  absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, "/etc/passwd"));
  if (!text.ok()) return text.status();
  for (const PasswdEntry& entry : ParsePasswd(*text)) {
    if (entry.name == name) return entry.uid;
  }
  return absl::NotFoundError(absl::StrCat("user '", name, "' is not in /etc/passwd"));
}

// The gid of a group name, or of a number, through <root>/etc/group.
absl::StatusOr<int64_t> ResolveGid(absl::string_view name, const std::filesystem::path& root) {
  int64_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return id;
  absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, "/etc/group"));
  if (!text.ok()) return text.status();
  for (const GroupEntry& entry : ParseGroup(*text)) {
    if (entry.name == name) return entry.gid;
  }
  return absl::NotFoundError(absl::StrCat("group '", name, "' is not in /etc/group"));
}

// An ownership mismatch as a detail; "" if there is none or nothing is expected.
absl::StatusOr<std::string> OwnershipProblem(const FileRule& rule, const struct stat& info,
                                             const std::filesystem::path& root) {
  std::vector<std::string> problems;
  if (!rule.owner.empty()) {
    absl::StatusOr<int64_t> uid = ResolveUid(rule.owner, root);
    if (!uid.ok()) return uid.status();
    if (*uid != info.st_uid) {
      problems.push_back(absl::StrCat("owner is uid ", info.st_uid, ", expected ", rule.owner));
    }
  }
  if (!rule.group.empty()) {
    absl::StatusOr<int64_t> gid = ResolveGid(rule.group, root);
    if (!gid.ok()) return gid.status();
    if (*gid != info.st_gid) {
      problems.push_back(absl::StrCat("group is gid ", info.st_gid, ", expected ", rule.group));
    }
  }
  return absl::StrJoin(problems, "; ");
}

}  // namespace

RuleResult EvaluateFile(const FileRule& rule, const std::filesystem::path& root) {
  struct stat info;
  if (stat(UnderRoot(root, rule.path).c_str(), &info) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      return ErrorResult(absl::StrCat("cannot stat ", rule.path, ": ", std::strerror(errno)));
    }
    if (rule.absent) return PassResult(absl::StrCat(rule.path, " does not exist"));
    return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
  }
  if (rule.absent) return FailResult(absl::StrCat(rule.path, " exists"));
  std::vector<std::string> problems;
  unsigned mode = info.st_mode & 07777;
  if (rule.mode_max && (mode & ~*rule.mode_max) != 0) {
    problems.push_back(
        absl::StrFormat("mode is %04o, expected at most %04o", mode, *rule.mode_max));
  }
  absl::StatusOr<std::string> ownership = OwnershipProblem(rule, info, root);
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
  absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, rule.path));
  if (absl::IsNotFound(text.status())) {
    return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
  }
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    absl::StatusOr<bool> found = RegexSearch(rule.regex, line);
    if (!found.ok()) return ErrorResult(std::string(found.status().message()));
    if (!*found) continue;
    std::string detail = absl::StrCat(rule.path, " has '", line.substr(0, 120), "'");
    return rule.absent ? FailResult(std::move(detail)) : PassResult(std::move(detail));
  }
  std::string detail = absl::StrCat(rule.path, " has no line matching /", rule.pattern, "/");
  return rule.absent ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

RuleResult EvaluateKeyValue(const KeyValueRule& rule, const std::filesystem::path& root) {
  absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, rule.path));
  if (absl::IsNotFound(text.status())) {
    return MissingResult(rule.if_missing, absl::StrCat(rule.path, " does not exist"));
  }
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::optional<std::string> value = FindKeyValue(*text, rule.key, rule.separator, rule.first_wins);
  std::string source = value ? "" : " (default)";
  if (!value) value = rule.default_value;
  if (!value) {
    return FailResult(absl::StrCat(rule.key, " is not set in ", rule.path, ", expected ",
                                   DescribeExpectation(rule.expected)));
  }
  absl::StatusOr<bool> ok = Satisfies(rule.expected, *value);
  if (!ok.ok()) return ErrorResult(std::string(ok.status().message()));
  std::string detail = absl::StrCat(rule.key, " is '", *value, "'", source);
  if (*ok) return PassResult(std::move(detail));
  return FailResult(absl::StrCat(detail, ", expected ", DescribeExpectation(rule.expected)));
}

}  // namespace postura::agent
