#include "agent/checks/openscap/rule_mapping.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace postura::agent::openscap {

// The crosswalk's text, compiled in by CMake (builtin_crosswalk_data.cc.in).
extern const char kBuiltinSp80053Crosswalk[];

namespace {

constexpr char kCrosswalkName[] = "built-in uleo-to-sp800-53r5.tsv";
constexpr size_t kMaxMappingFileBytes = 16 << 20;

// SSG's NIST CSF references point at the CSF 1.1 document (NIST.CSWP.04162018.pdf); other
// content may point at the framework's pages.
bool IsCsfReference(absl::string_view href) {
  return absl::StrContains(href, "NIST.CSWP.04162018") ||
         absl::StrContains(absl::AsciiStrToLower(href), "cybersecurityframework");
}

bool IsSp80053Reference(absl::string_view href) {
  return absl::StrContains(absl::AsciiStrToLower(href), "nist.sp.800-53");
}

// A reference's text may list several identifiers: "CM-6(a), CM-7".
std::vector<std::string> Identifiers(absl::string_view text) {
  std::vector<std::string> identifiers;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) identifiers.emplace_back(item);
  }
  return identifiers;
}

void Append(const std::vector<std::string>& from, std::vector<std::string>& to) {
  to.insert(to.end(), from.begin(), from.end());
}

void SortUnique(std::vector<std::string>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

std::string Sp80053BaseControl(absl::string_view text) {
  std::string control;
  for (char c : text) {
    if (c == '(') break;
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) {
      control.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    }
  }
  return control;
}

absl::StatusOr<RuleMapping> RuleMapping::Builtin(const Catalog& catalog) {
  RuleMapping mapping(catalog);
  for (const CatalogOutcome& outcome : catalog.outcomes()) {
    mapping.csf_codes_[outcome.code].push_back(outcome.id);
  }
  absl::StatusOr<Table> crosswalk = mapping.ParseTable(kBuiltinSp80053Crosswalk, kCrosswalkName);
  if (!crosswalk.ok()) return crosswalk.status();
  for (auto& [control, outcomes] : *crosswalk) {
    mapping.sp800_53_[Sp80053BaseControl(control)] = std::move(outcomes);
  }
  return mapping;
}

absl::StatusOr<RuleMapping::Table> RuleMapping::ParseTable(absl::string_view tsv,
                                                           absl::string_view source) const {
  Table table;
  int line_number = 0;
  bool header_seen = false;
  for (absl::string_view line : absl::StrSplit(tsv, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (absl::StripAsciiWhitespace(line).empty() || line.front() == '#') continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    auto error = [&](absl::string_view problem) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line_number, ": ", problem));
    };
    if (!header_seen) {
      if (fields.size() < 3 || fields[0] != "uleo_id" || fields[1] != "source_id" ||
          fields[2] != "target_id") {
        return error("the first line must be the header uleo_id<TAB>source_id<TAB>target_id...");
      }
      header_seen = true;
      continue;
    }
    if (fields.size() < 3) return error("a row needs uleo_id, source_id and target_id");
    const absl::string_view outcome = absl::StripAsciiWhitespace(fields[0]);
    const absl::string_view target = absl::StripAsciiWhitespace(fields[2]);
    if (!catalog_->FindOutcome(outcome)) {
      return error(absl::StrCat("unknown ULEO outcome '", absl::CHexEscape(outcome), "'"));
    }
    if (target.empty()) return error("empty target_id");
    table[target].emplace_back(outcome);
  }
  if (!header_seen) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no header line"));
  }
  for (auto& [target, outcomes] : table) SortUnique(outcomes);
  return table;
}

absl::Status RuleMapping::AddOperatorMapping(absl::string_view tsv, absl::string_view source) {
  absl::StatusOr<Table> table = ParseTable(tsv, source);
  if (!table.ok()) return table.status();
  for (auto& [target, outcomes] : *table) {
    Table& into = absl::StartsWith(target, "xccdf_") ? operator_rules_ : operator_references_;
    std::vector<std::string>& kept = into[target];
    Append(outcomes, kept);
    SortUnique(kept);
  }
  return absl::OkStatus();
}

absl::Status RuleMapping::AddOperatorMappingFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::string text(kMaxMappingFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(in.gcount());
  if (text.size() > kMaxMappingFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than 16 MiB"));
  }
  return AddOperatorMapping(text, path);
}

RuleOutcomes RuleMapping::OutcomesFor(absl::string_view rule_id, const XccdfRule& rule) const {
  RuleOutcomes result;
  if (auto it = operator_rules_.find(rule_id); it != operator_rules_.end()) {
    result.outcomes = it->second;
    result.basis = MappingBasis::kOperatorRule;
    return result;
  }
  std::vector<std::string> direct, crosswalked;
  for (const XccdfReference& reference : rule.references) {
    const bool sp800_53 = IsSp80053Reference(reference.href);
    const bool csf = IsCsfReference(reference.href);
    for (const std::string& identifier : Identifiers(reference.text)) {
      const std::string key = sp800_53 ? Sp80053BaseControl(identifier) : identifier;
      if (auto it = operator_references_.find(key); it != operator_references_.end()) {
        Append(it->second, direct);
      } else if (auto code = csf_codes_.find(key); csf && code != csf_codes_.end()) {
        Append(code->second, direct);
      } else if (auto control = sp800_53_.find(key); sp800_53 && control != sp800_53_.end()) {
        Append(control->second, crosswalked);
      }
    }
  }
  if (!direct.empty()) {
    result.outcomes = std::move(direct);
    result.basis = MappingBasis::kDirect;
  } else if (!crosswalked.empty()) {
    result.outcomes = std::move(crosswalked);
    result.basis = MappingBasis::kSp80053;
  }
  SortUnique(result.outcomes);
  return result;
}

}  // namespace postura::agent::openscap
