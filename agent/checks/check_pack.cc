#include "agent/checks/check_pack.h"

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/effective_config.h"
#include "common/config/yaml_config.h"
#include "yaml-cpp/yaml.h"

namespace postura::agent {
namespace {

using Key = const std::string&;

absl::Status KeyError(Key key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

absl::Status Required(Key key, bool present) {
  return present ? absl::OkStatus() : KeyError(key, "required");
}

// A YAML scalar that reached the proto as a JSON value: strings stay, numbers print
// without a fraction when whole, booleans as true/false.
std::string ValueText(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kNumberValue: {
      const double number = value.number_value();
      // Only numbers within int64's range may be converted to it.
      if (!(std::fabs(number) < 9.0e18)) return absl::StrCat(number);
      const int64_t whole = static_cast<int64_t>(number);
      return static_cast<double>(whole) == number ? absl::StrCat(whole) : absl::StrCat(number);
    }
    case google::protobuf::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    default:
      return "";
  }
}

bool IsScalar(const google::protobuf::Value& value) {
  return value.has_string_value() || value.has_number_value() || value.has_bool_value();
}

absl::StatusOr<IfMissing> ParseIfMissing(Key key, absl::string_view text) {
  if (text.empty() || text == "fail") return IfMissing::kFail;
  if (text == "not_applicable") return IfMissing::kNotApplicable;
  return KeyError(key, absl::StrCat("'", text, "' is not fail or not_applicable"));
}

absl::StatusOr<std::regex> CompileRegex(Key key, const std::string& pattern) {
  if (pattern.empty()) return KeyError(key, "required");
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return KeyError(key, absl::StrCat("'", pattern, "' is not a regular expression: ", e.what()));
  }
}

absl::Status CheckPath(Key key, absl::string_view path) {
  if (path.empty()) return KeyError(key, "required");
  if (path[0] != '/') return KeyError(key, absl::StrCat("'", path, "' is not an absolute path"));
  return absl::OkStatus();
}

absl::StatusOr<Comparison> ComparisonFrom(Key prefix, absl::string_view op,
                                          const google::protobuf::Value& value) {
  if (!IsScalar(value)) return KeyError(prefix + "value", "required: a string or number");
  absl::StatusOr<Comparison> comparison = MakeComparison(op, ValueText(value));
  if (!comparison.ok()) return KeyError(prefix + "op", comparison.status().message());
  return comparison;
}

absl::StatusOr<Rule> FileFrom(Key p, const v1::FileRule& r) {
  FileRule rule;
  rule.path = r.path(), rule.absent = r.absent(), rule.owner = r.owner(), rule.group = r.group();
  if (absl::Status s = CheckPath(p + "path", r.path()); !s.ok()) return s;
  if (r.has_mode_max()) {
    // YAML reads an unquoted 0640 as the number 640: its digits are the octal mode.
    std::string digits = ValueText(r.mode_max());
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("01234567") != std::string::npos) {
      return KeyError(p + "mode_max", absl::StrCat("'", digits, "' is not an octal mode"));
    }
    unsigned octal = 0;
    for (char digit : digits) octal = octal * 8 + static_cast<unsigned>(digit - '0');
    rule.mode_max = octal & 07777;
  }
  absl::StatusOr<IfMissing> missing = ParseIfMissing(p + "if_missing", r.if_missing());
  if (!missing.ok()) return missing.status();
  rule.if_missing = *missing;
  return rule;
}

absl::StatusOr<ConfigSyntax> ParseSyntax(Key key, absl::string_view text,
                                         std::initializer_list<ConfigSyntax> allowed) {
  if (text.empty()) return ConfigSyntax::kPlain;
  std::vector<std::string> names;
  for (ConfigSyntax syntax : allowed) {
    if (text == ConfigSyntaxName(syntax)) return syntax;
    names.emplace_back(ConfigSyntaxName(syntax));
  }
  return KeyError(key, absl::StrCat("'", text, "' is not one of ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<Rule> FileContentFrom(Key p, const v1::FileContentRule& r) {
  if (absl::Status s = CheckPath(p + "path", r.path()); !s.ok()) return s;
  absl::StatusOr<std::regex> regex = CompileRegex(p + "match", r.match());
  if (!regex.ok()) return regex.status();
  absl::StatusOr<IfMissing> missing = ParseIfMissing(p + "if_missing", r.if_missing());
  if (!missing.ok()) return missing.status();
  absl::StatusOr<ConfigSyntax> syntax = ParseSyntax(
      p + "syntax", r.syntax(), {ConfigSyntax::kSshd, ConfigSyntax::kPam, ConfigSyntax::kSystemd});
  if (!syntax.ok()) return syntax.status();
  return FileContentRule{.path = r.path(),
                         .pattern = r.match(),
                         .regex = *std::move(regex),
                         .absent = r.absent(),
                         .if_missing = *missing,
                         .syntax = *syntax};
}

absl::StatusOr<Rule> KeyValueFrom(Key p, const v1::KeyValueRule& r) {
  if (absl::Status s = CheckPath(p + "path", r.path()); !s.ok()) return s;
  if (absl::Status s = Required(p + "key", !r.key().empty()); !s.ok()) return s;
  if (r.separator().size() > 1) return KeyError(p + "separator", "must be one character");
  if (!r.occurrence().empty() && r.occurrence() != "first" && r.occurrence() != "last") {
    return KeyError(p + "occurrence", absl::StrCat("'", r.occurrence(), "' is not first or last"));
  }
  absl::StatusOr<ConfigSyntax> syntax =
      ParseSyntax(p + "syntax", r.syntax(), {ConfigSyntax::kSshd, ConfigSyntax::kSystemd});
  if (!syntax.ok()) return syntax.status();
  if (*syntax == ConfigSyntax::kSshd && r.occurrence() == "last") {
    return KeyError(p + "occurrence", "sshd keeps the first value: 'last' contradicts syntax sshd");
  }
  if (*syntax == ConfigSyntax::kSystemd && !r.separator().empty() && r.separator() != "=") {
    return KeyError(p + "separator", "systemd files separate keys with '='");
  }
  absl::StatusOr<Comparison> expected = ComparisonFrom(p, r.op(), r.value());
  if (!expected.ok()) return expected.status();
  absl::StatusOr<IfMissing> missing = ParseIfMissing(p + "if_missing", r.if_missing());
  if (!missing.ok()) return missing.status();
  KeyValueRule rule;
  rule.syntax = *syntax;
  rule.path = r.path(), rule.key = r.key();
  rule.separator = r.separator().empty() ? '\0' : r.separator()[0];
  rule.first_wins = r.occurrence() == "first";
  rule.expected = *std::move(expected), rule.if_missing = *missing;
  if (r.has_default_()) rule.default_value = ValueText(r.default_());
  return rule;
}

absl::StatusOr<Rule> SysctlFrom(Key p, const v1::SysctlRule& r) {
  if (absl::Status s = Required(p + "name", !r.name().empty()); !s.ok()) return s;
  absl::StatusOr<Comparison> expected = ComparisonFrom(p, r.op(), r.value());
  if (!expected.ok()) return expected.status();
  SysctlSource source = SysctlSource::kLive;
  if (r.source() == "config") {
    source = SysctlSource::kConfig;
  } else if (r.source() == "both") {
    source = SysctlSource::kBoth;
  } else if (!r.source().empty() && r.source() != "live") {
    return KeyError(p + "source",
                    absl::StrCat("'", r.source(), "' is not one of live, config, both"));
  }
  return SysctlRule{.name = r.name(), .expected = *std::move(expected), .source = source};
}

absl::StatusOr<Rule> ListeningFrom(Key p, const v1::ListeningRule& r) {
  if (r.port() < 1 || r.port() > 65535) return KeyError(p + "port", "required, 1..65535");
  if (!r.protocol().empty() && r.protocol() != "tcp" && r.protocol() != "udp") {
    return KeyError(p + "protocol", absl::StrCat("'", r.protocol(), "' is not tcp or udp"));
  }
  if (r.absent() && r.loopback_only()) {
    return KeyError(p + "loopback_only", "contradicts absent: set one of them");
  }
  return ListeningRule{.port = static_cast<int>(r.port()),
                       .udp = r.protocol() == "udp",
                       .absent = r.absent(),
                       .loopback_only = r.loopback_only()};
}

absl::StatusOr<Rule> AccountsFrom(Key p, const v1::AccountsRule& r) {
  AccountsRule rule;
  if (r.check() == "uid0_only_root") {
    rule.kind = AccountsRule::Kind::kUid0OnlyRoot;
  } else if (r.check() == "no_empty_passwords") {
    rule.kind = AccountsRule::Kind::kNoEmptyPasswords;
  } else if (r.check() == "password_ageing") {
    rule.kind = AccountsRule::Kind::kPasswordAgeing;
  } else {
    return KeyError(p + "check",
                    absl::StrCat("'", r.check(),
                                 "' is not uid0_only_root, no_empty_passwords or password_ageing"));
  }
  if (rule.kind != AccountsRule::Kind::kPasswordAgeing) return rule;
  using F = AccountsRule::Field;
  const std::pair<const char*, F> fields[] = {{"max_days", F::kMaxDays},
                                              {"min_days", F::kMinDays},
                                              {"warn_days", F::kWarnDays},
                                              {"inactive_days", F::kInactiveDays}};
  auto field = std::find_if(std::begin(fields), std::end(fields),
                            [&](const auto& f) { return r.field() == f.first; });
  if (field == std::end(fields)) {
    return KeyError(p + "field", absl::StrCat("'", r.field(),
                                              "' is not max_days, min_days, warn_days or "
                                              "inactive_days"));
  }
  rule.field = field->second;
  if (r.op() == "match") return KeyError(p + "op", "password_ageing compares numbers");
  absl::StatusOr<Comparison> expected = MakeComparison(r.op(), absl::StrCat(r.value()));
  if (!expected.ok()) return KeyError(p + "op", expected.status().message());
  rule.expected = *std::move(expected);
  return rule;
}

absl::StatusOr<Rule> MountFrom(Key p, const v1::MountRule& r) {
  if (absl::Status s = CheckPath(p + "mount_point", r.mount_point()); !s.ok()) return s;
  if (!r.table().empty() && r.table() != "mounts" && r.table() != "fstab") {
    return KeyError(p + "table", absl::StrCat("'", r.table(), "' is not mounts or fstab"));
  }
  absl::StatusOr<IfMissing> missing = ParseIfMissing(p + "if_missing", r.if_missing());
  if (!missing.ok()) return missing.status();
  return MountRule{.mount_point = r.mount_point(),
                   .options = {r.options().begin(), r.options().end()},
                   .fstab = r.table() == "fstab",
                   .if_missing = *missing};
}

absl::StatusOr<Rule> CommandFrom(Key p, const v1::CommandRule& r) {
  if (r.argv().empty()) return KeyError(p + "argv", "required");
  if (r.argv(0).empty() || r.argv(0)[0] != '/') {
    return KeyError(p + "argv", absl::StrCat("'", r.argv(0), "' is not an absolute path"));
  }
  CommandRule rule;
  rule.argv.assign(r.argv().begin(), r.argv().end());
  rule.pattern = r.match(), rule.absent = r.absent();
  if (!r.match().empty()) {
    absl::StatusOr<std::regex> regex = CompileRegex(p + "match", r.match());
    if (!regex.ok()) return regex.status();
    rule.regex = *std::move(regex);
  }
  if (r.absent() && r.match().empty()) return KeyError(p + "absent", "needs match");
  if (r.has_exit_code()) rule.exit_code = r.exit_code();
  if (!r.timeout().empty()) {
    absl::StatusOr<absl::Duration> timeout = ParseConfigDuration(r.timeout());
    if (!timeout.ok()) return KeyError(p + "timeout", timeout.status().message());
    rule.timeout = *timeout;
  }
  return rule;
}

absl::StatusOr<Rule> RuleFrom(const std::string& key, const v1::Rule& r) {
  std::vector<absl::string_view> set;
  for (auto [present, name] : {std::pair<bool, absl::string_view>{r.has_file(), "file"},
                               {r.has_file_content(), "file_content"},
                               {r.has_key_value(), "key_value"},
                               {r.has_sysctl(), "sysctl"},
                               {r.has_process(), "process"},
                               {r.has_systemd_unit(), "systemd_unit"},
                               {r.has_package(), "package"},
                               {r.has_listening(), "listening"},
                               {r.has_accounts(), "accounts"},
                               {r.has_mount(), "mount"},
                               {r.has_encrypted_device(), "encrypted_device"},
                               {r.has_command(), "command"}}) {
    if (present) set.push_back(name);
  }
  if (set.size() != 1) {
    return KeyError(key, set.empty()
                             ? "no rule type (file, key_value, sysctl, ...)"
                             : absl::StrCat("several rule types (", absl::StrJoin(set, ", "),
                                            "); one rule sets exactly one"));
  }
  std::string p = absl::StrCat(key, ".", set[0], ".");
  if (r.has_file()) return FileFrom(p, r.file());
  if (r.has_file_content()) return FileContentFrom(p, r.file_content());
  if (r.has_key_value()) return KeyValueFrom(p, r.key_value());
  if (r.has_sysctl()) return SysctlFrom(p, r.sysctl());
  if (r.has_listening()) return ListeningFrom(p, r.listening());
  if (r.has_accounts()) return AccountsFrom(p, r.accounts());
  if (r.has_mount()) return MountFrom(p, r.mount());
  if (r.has_command()) return CommandFrom(p, r.command());
  if (r.has_process()) {
    const v1::ProcessRule& process = r.process();
    if (process.name().empty() && process.executable().empty()) {
      return KeyError(p + "name", "required (or executable)");
    }
    if (!process.executable().empty()) {
      if (absl::Status s = CheckPath(p + "executable", process.executable()); !s.ok()) return s;
    }
    return ProcessRule{.name = process.name(),
                       .executable = process.executable(),
                       .owner = process.owner(),
                       .absent = process.absent()};
  }
  if (r.has_systemd_unit()) {
    if (r.systemd_unit().unit().empty()) return KeyError(p + "unit", "required");
    return SystemdUnitRule{.unit = r.systemd_unit().unit(),
                           .disabled = r.systemd_unit().disabled()};
  }
  if (r.has_package()) {
    if (r.package().name().empty()) return KeyError(p + "name", "required");
    return PackageRule{.name = r.package().name(),
                       .absent = r.package().absent(),
                       .min_version = r.package().min_version()};
  }
  const v1::EncryptedDeviceRule& e = r.encrypted_device();
  if (absl::Status s = CheckPath(p + "mount_point", e.mount_point()); !s.ok()) return s;
  return EncryptedDeviceRule{.mount_point = e.mount_point()};
}

absl::Status LevelFrom(Key key, const std::string& text, Level& out) {
  if (text.empty()) return absl::OkStatus();
  std::optional<Level> level = ParseLevelName(text);
  if (!level) {
    return KeyError(key, absl::StrCat("'", text, "' is not DLI_0, DLI_33, DLI_67 or DLI_100"));
  }
  out = *level;
  return absl::OkStatus();
}

absl::Status DurationFrom(Key key, const std::string& text, absl::Duration fallback,
                          absl::Duration& out) {
  out = fallback;
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> duration = ParseConfigDuration(text);
  if (!duration.ok()) return KeyError(key, duration.status().message());
  if (*duration <= absl::ZeroDuration()) return KeyError(key, "must be positive");
  out = *duration;
  return absl::OkStatus();
}

bool IsValidId(absl::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

struct PackDefaults {
  absl::Duration interval, timeout;
};

// Everything about one check except its id's uniqueness.
absl::Status CheckFrom(const v1::Check& c, const PackDefaults& defaults, const Catalog& catalog,
                       Check& check) {
  check.id = c.id(), check.title = c.title(), check.rationale = c.rationale();
  check.remediation = c.remediation();
  if (c.title().empty()) return KeyError("title", "required");
  if (c.outcomes().empty()) return KeyError("outcomes", "required: at least one outcome id");
  for (int i = 0; i < c.outcomes_size(); ++i) {
    if (!catalog.FindOutcome(c.outcomes(i))) {
      return KeyError(absl::StrCat("outcomes[", i, "]"),
                      absl::StrCat("'", c.outcomes(i), "' is not an outcome of ", catalog.name()));
    }
    check.outcomes.push_back(c.outcomes(i));
  }
  if (absl::Status s = LevelFrom("levels.pass", c.levels().pass(), check.levels.pass); !s.ok()) {
    return s;
  }
  if (absl::Status s = LevelFrom("levels.fail", c.levels().fail(), check.levels.fail); !s.ok()) {
    return s;
  }
  check.levels.partial = check.levels.fail;
  if (absl::Status s = LevelFrom("levels.partial", c.levels().partial(), check.levels.partial);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = DurationFrom("interval", c.interval(), defaults.interval, check.interval);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = DurationFrom("timeout", c.timeout(), defaults.timeout, check.timeout);
      !s.ok()) {
    return s;
  }
  if (c.condition() == "any") {
    check.condition = Check::Condition::kAny;
  } else if (!c.condition().empty() && c.condition() != "all") {
    return KeyError("condition", absl::StrCat("'", c.condition(), "' is not all or any"));
  }
  if (c.rules().empty()) return KeyError("rules", "required: at least one rule");
  for (int i = 0; i < c.rules_size(); ++i) {
    absl::StatusOr<Rule> rule = RuleFrom(absl::StrCat("rules[", i, "]"), c.rules(i));
    if (!rule.ok()) return rule.status();
    check.rules.push_back(*std::move(rule));
  }
  for (int i = 0; i < c.preconditions_size(); ++i) {
    absl::StatusOr<Rule> rule =
        RuleFrom(absl::StrCat("preconditions[", i, "]"), c.preconditions(i));
    if (!rule.ok()) return rule.status();
    check.preconditions.push_back(*std::move(rule));
  }
  return absl::OkStatus();
}

// After the whole pack failed to parse, parses its checks one by one to name the check
// that holds the bad key. Returns `error` unchanged if no single check is to blame.
absl::Status BlameCheck(absl::string_view yaml, absl::string_view source, absl::Status error) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsMap() || !root["checks"] || !root["checks"].IsSequence()) return error;
    int index = 0;
    for (const YAML::Node& node : root["checks"]) {
      std::string where = absl::StrCat("checks[", index++, "]");
      if (node.IsMap() && node["id"] && node["id"].IsScalar()) {
        where = absl::StrCat("check '", node["id"].Scalar(), "'");
      }
      YAML::Emitter out;
      out << node;
      v1::Check check;
      absl::Status status = ParseYamlConfig(out.c_str(), "", check);
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": ", where, status.message()));
      }
    }
  } catch (const YAML::Exception&) {
    return error;
  }
  return error;
}

}  // namespace

absl::StatusOr<CheckPack> CheckPackFromProto(const v1::CheckPack& proto, const Catalog& catalog) {
  CheckPack pack;
  pack.name = proto.name(), pack.description = proto.description();
  if (proto.name().empty()) return KeyError("name", "required");
  PackDefaults defaults;
  if (absl::Status s = DurationFrom("default_interval", proto.default_interval(), absl::Hours(1),
                                    defaults.interval);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = DurationFrom("default_timeout", proto.default_timeout(), absl::Seconds(10),
                                    defaults.timeout);
      !s.ok()) {
    return s;
  }
  if (proto.checks().empty()) return KeyError("checks", "required: at least one check");
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < proto.checks_size(); ++i) {
    const v1::Check& c = proto.checks(i);
    if (!IsValidId(c.id())) {
      return KeyError(absl::StrCat("checks[", i, "].id"),
                      absl::StrCat("'", c.id(), "' is not an id (letters, digits, '-', '_', '.')"));
    }
    if (!ids.insert(c.id()).second) {
      return absl::InvalidArgumentError(absl::StrCat("check '", c.id(), "': id: duplicate"));
    }
    Check check;
    if (absl::Status s = CheckFrom(c, defaults, catalog, check); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("check '", c.id(), "': ", s.message()));
    }
    pack.checks.push_back(std::move(check));
  }
  return pack;
}

absl::StatusOr<CheckPack> ParseCheckPack(absl::string_view yaml, absl::string_view source,
                                         const Catalog& catalog) {
  v1::CheckPack proto;
  if (absl::Status s = ParseYamlConfig(yaml, source, proto); !s.ok()) {
    return BlameCheck(yaml, source, s);
  }
  absl::StatusOr<CheckPack> pack = CheckPackFromProto(proto, catalog);
  if (!pack.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", pack.status().message()));
  }
  return pack;
}

absl::StatusOr<CheckPack> LoadCheckPack(const std::string& path, const Catalog& catalog) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read check pack ", path));
  std::ostringstream text;
  text << file.rdbuf();
  return ParseCheckPack(text.str(), path, catalog);
}

}  // namespace postura::agent
