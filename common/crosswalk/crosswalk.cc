#include "common/crosswalk/crosswalk.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/base/utf8.h"

namespace postura::crosswalk {

extern const char kBuiltinCsf20[];
extern const char kBuiltinSp80053r5[];
extern const char kBuiltinIso27001v2013[];
extern const char kBuiltinIso27001v2022[];

namespace {

constexpr size_t kFieldCount = 7;
constexpr size_t kMaxControlIdBytes = 64;
constexpr size_t kMaxTitleBytes = 1000;

const char* BuiltinText(Framework framework) {
  switch (framework) {
    case Framework::kCsf20:
      return kBuiltinCsf20;
    case Framework::kSp80053r5:
      return kBuiltinSp80053r5;
    case Framework::kIso27001v2013:
      return kBuiltinIso27001v2013;
    case Framework::kIso27001v2022:
      return kBuiltinIso27001v2022;
  }
  return "";
}

bool IsControlIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '(' ||
         c == ')' || c == '_' || c == '/';
}

// Why `id` is not a control id, or empty when it is one.
std::string ControlIdDefect(absl::string_view id) {
  if (id.empty()) return "the control id (target_id) is empty";
  if (id.size() > kMaxControlIdBytes) {
    return absl::StrCat("the control id is longer than ", kMaxControlIdBytes, " bytes");
  }
  // Inner single spaces are allowed: ISO/IEC 27001's clauses are "Clause 6.1.2".
  const bool spaced_well =
      id.front() != ' ' && id.back() != ' ' && id.find("  ") == absl::string_view::npos;
  const bool chars_ok =
      std::all_of(id.begin(), id.end(), [](char c) { return c == ' ' || IsControlIdChar(c); });
  if (!spaced_well || !chars_ok) {
    return absl::StrCat("control id '", id,
                        "' may hold only letters, digits, single inner spaces and the "
                        "characters . - ( ) _ /");
  }
  return "";
}

absl::Status LineError(absl::string_view source_name, int line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(source_name, ":", line, ": ", message));
}

}  // namespace

struct Crosswalk::Row {
  int line = 0;
  int outcome = -1;  // -1: the row only declares the control.
  std::string control_id;
  std::string title;
  std::string relationship;
};

Crosswalk::Crosswalk(Framework framework, const Catalog& catalog)
    : framework_(framework), catalog_(&catalog), by_outcome_(catalog.outcomes().size()) {}

absl::StatusOr<Crosswalk> Crosswalk::Builtin(Framework framework, const Catalog& catalog) {
  Crosswalk crosswalk(framework, catalog);
  const std::string name = absl::StrCat("builtin uleo-to-", FrameworkName(framework), ".tsv");
  if (absl::Status added = crosswalk.AddTsv(BuiltinText(framework), name); !added.ok()) {
    return absl::InternalError(absl::StrCat("the shipped crosswalk does not fit the catalog ",
                                            catalog.name(), ": ", added.message()));
  }
  return crosswalk;
}

absl::StatusOr<std::vector<Crosswalk::Row>> Crosswalk::ParseRows(
    absl::string_view text, absl::string_view source_name) const {
  if (!IsValidUtf8(text)) return LineError(source_name, 1, "the file is not valid UTF-8");
  std::vector<Row> rows;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1) {
      if (line != kMappingHeader) {
        return LineError(source_name, 1,
                         absl::StrCat("the first line must be the header '",
                                      absl::StrReplaceAll(kMappingHeader, {{"\t", "<TAB>"}}),
                                      "' (the layout of the shipped uleo-to-*.tsv files)"));
      }
      continue;
    }
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() != kFieldCount) {
      return LineError(source_name, line_number,
                       absl::StrCat("expected ", kFieldCount,
                                    " tab-separated fields (uleo_id, source_id, target_id, "
                                    "target_title, source_ref, relationship, authority), found ",
                                    fields.size()));
    }
    Row row;
    row.line = line_number;
    if (!fields[0].empty()) {
      std::optional<int> outcome = catalog_->FindOutcome(fields[0]);
      if (!outcome) {
        return LineError(source_name, line_number,
                         absl::StrCat("unknown ULEO outcome '", fields[0], "' (not in catalog ",
                                      catalog_->name(), ")"));
      }
      row.outcome = *outcome;
    }
    if (std::string defect = ControlIdDefect(fields[2]); !defect.empty()) {
      return LineError(source_name, line_number, defect);
    }
    if (fields[3].size() > kMaxTitleBytes) {
      return LineError(
          source_name, line_number,
          absl::StrCat("the control's title is longer than ", kMaxTitleBytes, " bytes"));
    }
    row.control_id = std::string(fields[2]);
    row.title = std::string(absl::StripAsciiWhitespace(fields[3]));
    row.relationship = std::string(absl::StripAsciiWhitespace(fields[5]));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return LineError(source_name, line_number, "the file has no mapping rows");
  return rows;
}

absl::Status Crosswalk::AddTsv(absl::string_view text, absl::string_view source_name) {
  absl::StatusOr<std::vector<Row>> rows = ParseRows(text, source_name);
  if (!rows.ok()) return rows.status();
  // Merged into copies, so that a defect leaves this crosswalk as it was.
  std::vector<Control> controls = controls_;
  absl::flat_hash_map<std::string, int> index = index_;
  for (const Row& row : *rows) {
    auto [it, inserted] = index.try_emplace(row.control_id, static_cast<int>(controls.size()));
    if (inserted)
      controls.push_back(
          Control{.id = row.control_id, .title = "", .outcomes = {}, .relationships = {}});
    Control& control = controls[it->second];
    if (!row.title.empty()) {
      if (!control.title.empty() && control.title != row.title) {
        return LineError(source_name, row.line,
                         absl::StrCat("control ", row.control_id, " is titled '", row.title,
                                      "' here but '", control.title, "' before"));
      }
      control.title = row.title;
    }
    if (row.outcome >= 0 && std::find(control.outcomes.begin(), control.outcomes.end(),
                                      row.outcome) == control.outcomes.end()) {
      control.outcomes.push_back(row.outcome);
    }
    if (!row.relationship.empty() &&
        std::find(control.relationships.begin(), control.relationships.end(), row.relationship) ==
            control.relationships.end()) {
      control.relationships.push_back(row.relationship);
    }
  }
  controls_ = std::move(controls);
  Rebuild();
  return absl::OkStatus();
}

absl::Status Crosswalk::AddFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read mapping file ", path));
  std::string text(kMaxMappingFileBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kMaxMappingFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat("mapping file ", path, " is larger than ",
                                                   kMaxMappingFileBytes >> 20, " MiB"));
  }
  return AddTsv(text, path);
}

const Control* Crosswalk::FindControl(absl::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &controls_[it->second];
}

void Crosswalk::Rebuild() {
  std::sort(controls_.begin(), controls_.end(),
            [](const Control& a, const Control& b) { return NaturalLess(a.id, b.id); });
  index_.clear();
  for (auto& outcomes : by_outcome_) outcomes.clear();
  for (size_t c = 0; c < controls_.size(); ++c) {
    Control& control = controls_[c];
    std::sort(control.outcomes.begin(), control.outcomes.end());
    index_[control.id] = static_cast<int>(c);
    for (int outcome : control.outcomes) by_outcome_[outcome].push_back(static_cast<int>(c));
  }
}

bool NaturalLess(absl::string_view a, absl::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool digit_a = absl::ascii_isdigit(static_cast<unsigned char>(a[i]));
    const bool digit_b = absl::ascii_isdigit(static_cast<unsigned char>(b[j]));
    if (digit_a && digit_b) {
      size_t end_a = i, end_b = j;
      while (end_a < a.size() && absl::ascii_isdigit(static_cast<unsigned char>(a[end_a]))) ++end_a;
      while (end_b < b.size() && absl::ascii_isdigit(static_cast<unsigned char>(b[end_b]))) ++end_b;
      // Without leading zeros, the longer run is the larger number.
      absl::string_view run_a = a.substr(i, end_a - i);
      absl::string_view run_b = b.substr(j, end_b - j);
      while (run_a.size() > 1 && run_a[0] == '0') run_a.remove_prefix(1);
      while (run_b.size() > 1 && run_b[0] == '0') run_b.remove_prefix(1);
      if (run_a.size() != run_b.size()) return run_a.size() < run_b.size();
      if (run_a != run_b) return run_a < run_b;
      i = end_a;
      j = end_b;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;  // Equal up to leading zeros: a total order all the same.
}

}  // namespace postura::crosswalk
