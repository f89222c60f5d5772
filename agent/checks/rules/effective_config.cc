#include "agent/checks/rules/effective_config.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace postura::agent {
namespace {

// What one assembly has read so far; every read is charged against the limits.
struct ReadBudget {
  int files = 0;
  size_t bytes = 0;
  int globs = 0;  // Include patterns expanded (each lists a directory).
};

// How many Include patterns one configuration may expand.
constexpr int kMaxIncludePatterns = 4 * kMaxConfigFiles;

absl::StatusOr<std::string> ReadCharged(const HostRoot& host, absl::string_view path,
                                        ReadBudget& budget) {
  if (++budget.files > kMaxConfigFiles) {
    return absl::FailedPreconditionError(
        absl::StrCat("more than ", kMaxConfigFiles, " configuration files to read at ", path));
  }
  absl::StatusOr<std::string> text = host.ReadFile(path);
  if (!text.ok()) return text.status();
  budget.bytes += text->size();
  if (budget.bytes > kMaxHostFileBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "configuration larger than ", kMaxHostFileBytes >> 20, " MiB in total at ", path));
  }
  return text;
}

absl::Status TooDeep(absl::string_view path) {
  return absl::FailedPreconditionError(absl::StrCat("includes nest deeper than ", kMaxIncludeDepth,
                                                    " at ", path, " (an include loop?)"));
}

// Only the main file's absence means the subject is absent: an included file that is
// missing (a broken PAM stack, a file gone since the glob) is an error.
absl::Status IncludedFileError(const absl::Status& status, absl::string_view path) {
  if (!absl::IsNotFound(status)) return status;
  return absl::FailedPreconditionError(absl::StrCat("included file ", path, " does not exist"));
}

// A line without its comment and surrounding blanks. sshd and PAM comments start at a '#'
// (sshd: one that begins a word); systemd and sysctl.d comment whole lines ('#' or ';').
absl::string_view StripComment(absl::string_view line, ConfigSyntax syntax) {
  line = absl::StripAsciiWhitespace(line);
  if (syntax == ConfigSyntax::kSystemd || syntax == ConfigSyntax::kPlain) {
    if (absl::StartsWith(line, "#") || absl::StartsWith(line, ";")) return "";
    return line;
  }
  for (size_t i = 0; i < line.size(); ++i) {
    bool starts_word = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t';
    if (line[i] == '#' && (syntax == ConfigSyntax::kPam || starts_word)) {
      return absl::StripTrailingAsciiWhitespace(line.substr(0, i));
    }
  }
  return line;
}

std::vector<absl::string_view> Words(absl::string_view text) {
  return absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

absl::string_view Unquote(absl::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

}  // namespace

bool HasGlob(absl::string_view text) { return text.find_first_of("*?[") != text.npos; }

absl::StatusOr<std::vector<std::string>> GlobUnderRoot(const HostRoot& host,
                                                       absl::string_view pattern) {
  std::vector<std::string> found = {""};
  for (absl::string_view part : absl::StrSplit(pattern, '/', absl::SkipEmpty())) {
    std::vector<std::string> next;
    for (const std::string& dir : found) {
      if (!HasGlob(part)) {
        next.push_back(absl::StrCat(dir, "/", part));
        continue;
      }
      absl::StatusOr<std::vector<std::string>> names = host.ListDirectory(dir.empty() ? "/" : dir);
      if (absl::IsNotFound(names.status()) || absl::IsFailedPrecondition(names.status())) {
        continue;  // No such directory, or a file where a directory was expected.
      }
      if (!names.ok()) return names.status();
      std::string part_text(part);
      for (const std::string& name : *names) {
        if (fnmatch(part_text.c_str(), name.c_str(), FNM_PERIOD) == 0) {
          next.push_back(absl::StrCat(dir, "/", name));
        }
      }
    }
    if (next.size() > static_cast<size_t>(kMaxConfigFiles)) {
      return absl::FailedPreconditionError(
          absl::StrCat(pattern, " matches more than ", kMaxConfigFiles, " paths"));
    }
    found = std::move(next);
  }
  std::sort(found.begin(), found.end());
  // Like glob(3), a pattern names only what exists, wildcards or not (sshd ignores an
  // Include of a file that is not there).
  std::vector<std::string> existing;
  for (std::string& path : found) {
    if (host.LinkStat(path).ok()) existing.push_back(std::move(path));
  }
  return existing;
}

namespace {

// ---------------------------------------------------------------- sshd

absl::Status ReadSshd(const HostRoot& host, absl::string_view path, int depth, ReadBudget& budget,
                      std::vector<ConfigLine>& out) {
  if (depth > kMaxIncludeDepth) return TooDeep(path);
  absl::StatusOr<std::string> text = ReadCharged(host, path, budget);
  if (!text.ok()) return depth == 0 ? text.status() : IncludedFileError(text.status(), path);
  bool in_match = false;  // sshd ends a Match block at the end of the file that opened it.
  for (absl::string_view raw : absl::StrSplit(*text, '\n')) {
    absl::string_view line = StripComment(raw, ConfigSyntax::kSshd);
    if (line.empty()) continue;
    // "Keyword value", "Keyword=value" or "Keyword = value".
    size_t split = std::min(line.find_first_of(" \t="), line.size());
    absl::string_view keyword = line.substr(0, split);
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(line.substr(split));
    if (absl::ConsumePrefix(&rest, "=")) rest = absl::StripLeadingAsciiWhitespace(rest);
    std::vector<absl::string_view> arguments = Words(rest);
    if (absl::EqualsIgnoreCase(keyword, "Match")) {
      // Without a connection, only "Match all" applies: it returns to global settings.
      in_match = !(arguments.size() == 1 && absl::EqualsIgnoreCase(arguments[0], "all"));
      continue;
    }
    if (in_match) continue;
    if (!absl::EqualsIgnoreCase(keyword, "Include")) {
      out.push_back({std::string(path), std::string(line)});
      continue;
    }
    for (absl::string_view argument : arguments) {
      if (++budget.globs > kMaxIncludePatterns) {
        return absl::FailedPreconditionError(
            absl::StrCat("more than ", kMaxIncludePatterns, " Include patterns at ", path));
      }
      std::string pattern(Unquote(argument));
      if (!absl::StartsWith(pattern, "/")) pattern = absl::StrCat("/etc/ssh/", pattern);
      absl::StatusOr<std::vector<std::string>> files = GlobUnderRoot(host, pattern);
      if (!files.ok()) return files.status();
      for (const std::string& file : *files) {
        if (absl::Status s = ReadSshd(host, file, depth + 1, budget, out); !s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- PAM

// "[success=1 default=ignore]" is one control word.
std::vector<std::string> PamWords(absl::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t end = line[i] == '[' ? line.find(']', i) : line.find_first_of(" \t", i);
    end = end == line.npos ? line.size() : (line[i] == '[' ? end + 1 : end);
    words.emplace_back(line.substr(i, end - i));
    i = end;
  }
  return words;
}

std::string PamPath(absl::string_view name) {
  return absl::StartsWith(name, "/") ? std::string(name) : absl::StrCat("/etc/pam.d/", name);
}

// Lines of the PAM file `path`; with `only_type`, just the lines of that management group.
absl::Status ReadPam(const HostRoot& host, absl::string_view path, absl::string_view only_type,
                     int depth, ReadBudget& budget, std::vector<ConfigLine>& out) {
  if (depth > kMaxIncludeDepth) return TooDeep(path);
  absl::StatusOr<std::string> text = ReadCharged(host, path, budget);
  if (!text.ok()) return depth == 0 ? text.status() : IncludedFileError(text.status(), path);
  for (absl::string_view raw : absl::StrSplit(*text, '\n')) {
    absl::string_view line = StripComment(raw, ConfigSyntax::kPam);
    if (line.empty()) continue;
    std::vector<std::string> words = PamWords(line);
    if (words[0] == "@include") {
      if (words.size() < 2) continue;
      absl::Status s = ReadPam(host, PamPath(words[1]), only_type, depth + 1, budget, out);
      if (!s.ok()) return s;
      continue;
    }
    absl::string_view type = absl::StripPrefix(words[0], "-");
    if (!only_type.empty() && !absl::EqualsIgnoreCase(type, only_type)) continue;
    if (words.size() >= 3 && (absl::EqualsIgnoreCase(words[1], "include") ||
                              absl::EqualsIgnoreCase(words[1], "substack"))) {
      std::string group = absl::AsciiStrToLower(type);
      absl::Status s = ReadPam(host, PamPath(words[2]), group, depth + 1, budget, out);
      if (!s.ok()) return s;
      continue;
    }
    out.push_back({std::string(path), std::string(line)});
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- systemd and sysctl.d

// The configuration trees of systemd, most important first.
constexpr absl::string_view kSystemdTrees[] = {"/etc/systemd/", "/run/systemd/",
                                               "/usr/local/lib/systemd/", "/usr/lib/systemd/",
                                               "/lib/systemd/"};

// The *.conf files of `dirs` by file name, a name in an earlier directory hiding the same
// name in later ones, in lexical order. Entries that are not regular files (a link to
// /dev/null that masks a vendor file, a dangling link) count as present but empty.
absl::StatusOr<std::vector<std::string>> ConfFiles(const HostRoot& host,
                                                   const std::vector<std::string>& dirs) {
  std::map<std::string, std::string> by_name;
  for (const std::string& dir : dirs) {
    absl::StatusOr<std::vector<std::string>> names = host.ListDirectory(dir);
    if (absl::IsNotFound(names.status()) || absl::IsFailedPrecondition(names.status())) continue;
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      if (absl::EndsWith(name, ".conf")) by_name.emplace(name, absl::StrCat(dir, "/", name));
    }
  }
  if (by_name.size() > static_cast<size_t>(kMaxConfigFiles)) {
    return absl::FailedPreconditionError(
        absl::StrCat("more than ", kMaxConfigFiles, " drop-in files in ", dirs.front()));
  }
  std::vector<std::string> files;
  for (auto& [name, path] : by_name) {
    absl::StatusOr<struct stat> info = host.Stat(path);
    if (info.ok() && S_ISREG(info->st_mode)) files.push_back(std::move(path));
  }
  return files;
}

// Appends the non-comment lines of `path` (section headers dropped).
absl::Status AppendLines(const HostRoot& host, const std::string& path, ReadBudget& budget,
                         std::vector<ConfigLine>& out) {
  absl::StatusOr<std::string> text = ReadCharged(host, path, budget);
  if (!text.ok()) return text.status();
  for (absl::string_view raw : absl::StrSplit(*text, '\n')) {
    absl::string_view line = StripComment(raw, ConfigSyntax::kSystemd);
    if (line.empty() || absl::StartsWith(line, "[")) continue;
    out.push_back({path, std::string(line)});
  }
  return absl::OkStatus();
}

absl::Status ReadSystemd(const HostRoot& host, absl::string_view path, ReadBudget& budget,
                         std::vector<ConfigLine>& out) {
  std::string relative;
  for (absl::string_view tree : kSystemdTrees) {
    if (absl::StartsWith(path, tree)) relative = std::string(path.substr(tree.size()));
  }
  std::vector<std::string> mains, dropin_dirs;
  if (relative.empty()) {
    mains = {std::string(path)};
    dropin_dirs = {absl::StrCat(path, ".d")};
  } else {
    for (absl::string_view tree : kSystemdTrees) {
      mains.push_back(absl::StrCat(tree, relative));
      dropin_dirs.push_back(absl::StrCat(tree, relative, ".d"));
    }
  }
  bool found = false;
  for (const std::string& main : mains) {  // The first tree that has the file overrides.
    absl::Status s = AppendLines(host, main, budget, out);
    if (absl::IsNotFound(s)) continue;
    if (!s.ok()) return s;
    found = true;
    break;
  }
  absl::StatusOr<std::vector<std::string>> dropins = ConfFiles(host, dropin_dirs);
  if (!dropins.ok()) return dropins.status();
  for (const std::string& dropin : *dropins) {
    if (absl::Status s = AppendLines(host, dropin, budget, out); !s.ok()) return s;
    found = true;
  }
  if (!found) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
  return absl::OkStatus();
}

// sysctl.d keys may use '/' between components; "-" before a key only silences errors.
std::string SysctlKey(absl::string_view key) {
  key = absl::StripAsciiWhitespace(key);
  absl::ConsumePrefix(&key, "-");
  return absl::StrReplaceAll(key, {{"/", "."}});
}

}  // namespace

absl::string_view ConfigSyntaxName(ConfigSyntax syntax) {
  switch (syntax) {
    case ConfigSyntax::kPlain:
      return "plain";
    case ConfigSyntax::kSshd:
      return "sshd";
    case ConfigSyntax::kPam:
      return "pam";
    case ConfigSyntax::kSystemd:
      return "systemd";
  }
  return "?";
}

absl::StatusOr<std::vector<ConfigLine>> ReadEffectiveConfig(const HostRoot& host,
                                                            absl::string_view path,
                                                            ConfigSyntax syntax) {
  ReadBudget budget;
  std::vector<ConfigLine> lines;
  absl::Status status;
  switch (syntax) {
    case ConfigSyntax::kPlain: {
      absl::StatusOr<std::string> text = ReadCharged(host, path, budget);
      if (!text.ok()) return text.status();
      for (absl::string_view raw : absl::StrSplit(*text, '\n')) {
        absl::string_view line = absl::StripAsciiWhitespace(raw);
        if (!line.empty()) lines.push_back({std::string(path), std::string(line)});
      }
      break;
    }
    case ConfigSyntax::kSshd:
      status = ReadSshd(host, path, 0, budget, lines);
      break;
    case ConfigSyntax::kPam:
      status = ReadPam(host, path, "", 0, budget, lines);
      break;
    case ConfigSyntax::kSystemd:
      status = ReadSystemd(host, path, budget, lines);
      break;
  }
  if (!status.ok()) return status;
  return lines;
}

std::optional<ConfigValue> FindConfigValue(const std::vector<ConfigLine>& lines,
                                           absl::string_view key, char separator,
                                           ConfigSyntax syntax, bool first_wins) {
  if (syntax == ConfigSyntax::kSshd) first_wins = true;
  if (syntax == ConfigSyntax::kSystemd) first_wins = false, separator = '=';
  std::optional<ConfigValue> found;
  for (const ConfigLine& line : lines) {
    absl::string_view text = line.text;
    if (syntax != ConfigSyntax::kSystemd) text = text.substr(0, text.find('#'));
    // sshd also accepts "Keyword=value".
    const char* separators = separator != 0                  ? nullptr
                             : syntax == ConfigSyntax::kSshd ? " \t="
                                                             : " \t";
    size_t split = separators ? text.find_first_of(separators) : text.find(separator);
    if (split == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(text.substr(0, split)), key)) continue;
    absl::string_view value = absl::StripAsciiWhitespace(text.substr(split + 1));
    if (syntax == ConfigSyntax::kSshd && absl::ConsumePrefix(&value, "=")) {
      value = absl::StripLeadingAsciiWhitespace(value);
    }
    value = Unquote(value);
    if (syntax == ConfigSyntax::kSystemd && value.empty()) {
      found.reset();  // An empty assignment resets the setting to its default.
      continue;
    }
    found = ConfigValue{std::string(value), line.file};
    if (first_wins) break;
  }
  return found;
}

absl::StatusOr<std::optional<ConfigValue>> ConfiguredSysctl(const HostRoot& host,
                                                            absl::string_view name) {
  absl::StatusOr<std::vector<std::string>> files =
      ConfFiles(host, {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
                       "/usr/lib/sysctl.d", "/lib/sysctl.d"});
  if (!files.ok()) return files.status();
  files->push_back("/etc/sysctl.conf");
  std::string wanted = SysctlKey(name);
  ReadBudget budget;
  std::optional<ConfigValue> found;
  for (const std::string& file : *files) {
    absl::StatusOr<std::string> text = ReadCharged(host, file, budget);
    if (absl::IsNotFound(text.status())) continue;  // No /etc/sysctl.conf.
    if (!text.ok()) return text.status();
    for (absl::string_view raw : absl::StrSplit(*text, '\n')) {
      absl::string_view line = StripComment(raw, ConfigSyntax::kSystemd);
      size_t equals = line.find('=');
      if (equals == line.npos || SysctlKey(line.substr(0, equals)) != wanted) continue;
      found = ConfigValue{std::string(absl::StripAsciiWhitespace(line.substr(equals + 1))), file};
    }
  }
  return found;
}

}  // namespace postura::agent
