// Evaluator of the accounts rule.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/host_root.h"
#include "agent/checks/rules/parsers.h"
#include "agent/checks/rules/rules.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

// Lists at most a few names, so a detail stays short.
std::string NameList(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::vector<std::string> shown(names.begin(), names.begin() + std::min(names.size(), kShown));
  std::string list = absl::StrJoin(shown, ", ");
  if (names.size() > kShown) absl::StrAppend(&list, " and ", names.size() - kShown, " more");
  return list;
}

absl::string_view FieldName(AccountsRule::Field field) {
  switch (field) {
    case AccountsRule::Field::kMaxDays:
      return "max_days";
    case AccountsRule::Field::kMinDays:
      return "min_days";
    case AccountsRule::Field::kWarnDays:
      return "warn_days";
    case AccountsRule::Field::kInactiveDays:
      return "inactive_days";
  }
  return "?";
}

std::optional<int64_t> FieldOf(const ShadowEntry& entry, AccountsRule::Field field) {
  switch (field) {
    case AccountsRule::Field::kMaxDays:
      return entry.max_days;
    case AccountsRule::Field::kMinDays:
      return entry.min_days;
    case AccountsRule::Field::kWarnDays:
      return entry.warn_days;
    case AccountsRule::Field::kInactiveDays:
      return entry.inactive_days;
  }
  return std::nullopt;
}

RuleResult Uid0OnlyRoot(const fs::path& root) {
  absl::StatusOr<std::string> text = HostRoot(root).ReadFile("/etc/passwd");
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::vector<std::string> others;
  for (const PasswdEntry& entry : ParsePasswd(*text)) {
    if (entry.uid == 0 && entry.name != "root") others.push_back(entry.name);
  }
  if (others.empty()) return PassResult("root is the only account with uid 0");
  return FailResult(absl::StrCat("other accounts with uid 0: ", NameList(others)));
}

RuleResult NoEmptyPasswords(const std::vector<ShadowEntry>& shadow) {
  std::vector<std::string> empty;
  for (const ShadowEntry& entry : shadow) {
    if (entry.password.empty()) empty.push_back(entry.name);
  }
  if (empty.empty()) return PassResult("no account has an empty password");
  return FailResult(absl::StrCat("accounts with an empty password: ", NameList(empty)));
}

RuleResult PasswordAgeing(const AccountsRule& rule, const std::vector<ShadowEntry>& shadow) {
  std::vector<std::string> offenders;
  int checked = 0;
  for (const ShadowEntry& entry : shadow) {
    if (!IsUsablePasswordHash(entry.password)) continue;
    ++checked;
    std::optional<int64_t> days = FieldOf(entry, rule.field);
    absl::StatusOr<bool> ok = days ? Satisfies(rule.expected, absl::StrCat(*days)) : false;
    if (!ok.ok() || !*ok) {
      offenders.push_back(
          absl::StrCat(entry.name, " (", days ? absl::StrCat(*days) : "unset", ")"));
    }
  }
  std::string expectation =
      absl::StrCat(FieldName(rule.field), " ", DescribeExpectation(rule.expected));
  if (checked == 0) return NotApplicableResult("no account has a usable password");
  if (offenders.empty()) {
    return PassResult(absl::StrCat(checked, " accounts with a password have ", expectation));
  }
  return FailResult(absl::StrCat("expected ", expectation, ": ", NameList(offenders)));
}

}  // namespace

RuleResult EvaluateAccounts(const AccountsRule& rule, const fs::path& root) {
  if (rule.kind == AccountsRule::Kind::kUid0OnlyRoot) return Uid0OnlyRoot(root);
  absl::StatusOr<std::string> text = HostRoot(root).ReadFile("/etc/shadow");
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::vector<ShadowEntry> shadow = ParseShadow(*text);
  if (rule.kind == AccountsRule::Kind::kNoEmptyPasswords) return NoEmptyPasswords(shadow);
  return PasswordAgeing(rule, shadow);
}

}  // namespace postura::agent
