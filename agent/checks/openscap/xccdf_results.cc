#include "agent/checks/openscap/xccdf_results.h"

#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace postura::agent::openscap {
namespace {

constexpr absl::string_view kXccdf12 = "http://checklists.nist.gov/xccdf/1.2";
constexpr absl::string_view kXccdf11 = "http://checklists.nist.gov/xccdf/1.1";
constexpr absl::string_view kArf = "http://scap.nist.gov/schema/asset-reporting-format/1.1";
constexpr size_t kMaxTextBytes = 4096;  // A title or reference longer than this is cut.
constexpr size_t kChunkBytes = 256 * 1024;
constexpr int64_t kItemOverheadBytes = 64;  // Per kept item: string headers, hash slots.

constexpr std::array<std::pair<RuleOutcome, absl::string_view>, 9> kOutcomeNames = {{
    {RuleOutcome::kPass, "pass"},
    {RuleOutcome::kFail, "fail"},
    {RuleOutcome::kError, "error"},
    {RuleOutcome::kUnknown, "unknown"},
    {RuleOutcome::kNotApplicable, "notapplicable"},
    {RuleOutcome::kNotChecked, "notchecked"},
    {RuleOutcome::kNotSelected, "notselected"},
    {RuleOutcome::kInformational, "informational"},
    {RuleOutcome::kFixed, "fixed"},
}};

// Which of two results of the same rule stands: lower rank wins.
int Rank(RuleOutcome outcome) {
  switch (outcome) {
    case RuleOutcome::kFail:
      return 0;
    case RuleOutcome::kError:
      return 1;
    case RuleOutcome::kUnknown:
      return 2;
    case RuleOutcome::kPass:
      return 3;
    default:
      return 4;
  }
}

absl::string_view View(const xmlChar* text) {
  return text == nullptr ? absl::string_view() : reinterpret_cast<const char*>(text);
}

std::string MiB(int64_t bytes) { return absl::StrFormat("%.1f MiB", bytes / 1048576.0); }

void IgnoreGenericError(void*, const char*, ...) {}

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  // A few errors (encoding conversion) bypass the structured handler and print to stderr;
  // the parse fails anyway and the caller gets the error. Per thread in libxml2.
  xmlSetGenericErrorFunc(nullptr, &IgnoreGenericError);
}

// The SAX2 callbacks' state: where in the document the parser is, and what it has kept.
class ResultsReader {
  enum class Capture { kNone, kRuleTitle, kReference, kResult };

 public:
  ResultsReader(absl::string_view source, int64_t max_kept_bytes)
      : source_(source), max_kept_bytes_(max_kept_bytes) {
    InitLibxml();
    xmlSAXHandler handler;
    std::memset(&handler, 0, sizeof(handler));
    handler.initialized = XML_SAX2_MAGIC;
    handler.startElementNs = &ResultsReader::OnStart;
    handler.endElementNs = &ResultsReader::OnEnd;
    handler.characters = &ResultsReader::OnCharacters;
    handler.cdataBlock = &ResultsReader::OnCharacters;
    handler.entityDecl = &ResultsReader::OnEntityDecl;
    handler.unparsedEntityDecl = &ResultsReader::OnUnparsedEntityDecl;
    handler.serror = &ResultsReader::OnError;
    // No getEntity: a reference to an undeclared entity is an error, and none can be
    // declared. No external subset is loaded (no XML_PARSE_DTDLOAD), nothing from the
    // network (XML_PARSE_NONET), and entities are never substituted (no XML_PARSE_NOENT).
    context_ = xmlCreatePushParserCtxt(&handler, this, nullptr, 0, nullptr);
    if (context_ != nullptr) xmlCtxtUseOptions(context_, XML_PARSE_NONET);
  }
  ~ResultsReader() {
    if (context_ == nullptr) return;
    // libxml2 may build a document of its own while it reads a DOCTYPE (for entity
    // declarations, in SAX mode), which the context does not free.
    if (context_->myDoc != nullptr) xmlFreeDoc(context_->myDoc);
    xmlFreeParserCtxt(context_);
  }
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  // Parses the next `data`; `last` ends the document. The first error stands.
  absl::Status Feed(absl::string_view data, bool last) {
    if (context_ == nullptr) Fail(0, "libxml2 could not create a parser");
    if (!error_.ok()) return error_;
    const int code = xmlParseChunk(context_, data.data(), static_cast<int>(data.size()), last);
    if (!error_.ok()) return error_;
    if (code != 0 || (last && !context_->wellFormed)) {
      Fail(xmlSAX2GetLineNumber(context_), "malformed XML");
    }
    return error_;
  }

  absl::StatusOr<XccdfResults> Finish() {
    if (!error_.ok()) return error_;
    if (test_results_ == 0) {
      Fail(0,
           "no XCCDF 1.2 TestResult: pass the results of `oscap xccdf eval` "
           "(--results or --results-arf), not the content");
      return error_;
    }
    return std::move(results_);
  }

 private:
  static ResultsReader& Self(void* context) { return *static_cast<ResultsReader*>(context); }

  // Records the first problem and stops the parser.
  void Fail(int line, absl::string_view problem) {
    if (!error_.ok()) return;
    error_ =
        absl::InvalidArgumentError(line > 0 ? absl::StrCat(source_, ": line ", line, ": ", problem)
                                            : absl::StrCat(source_, ": ", problem));
    if (context_ != nullptr) xmlStopParser(context_);
  }
  // Counts `bytes` more kept in memory; fails past the limit.
  void Keep(size_t bytes) {
    results_.kept_bytes += static_cast<int64_t>(bytes) + kItemOverheadBytes;
    if (results_.kept_bytes > max_kept_bytes_) {
      Fail(Line(), absl::StrCat("more rule data than the limit of ", MiB(max_kept_bytes_),
                                " to keep (max_kept_bytes)"));
    }
  }
  int Line() const { return context_ == nullptr ? 0 : xmlSAX2GetLineNumber(context_); }

  static void OnError(void* context, xmlErrorPtr error) {
    if (error == nullptr || error->level < XML_ERR_ERROR) return;  // Warnings pass.
    std::string message(absl::StripAsciiWhitespace(error->message ? error->message : ""));
    Self(context).Fail(error->line, absl::StrCat("malformed XML: ", message));
  }

  static void OnEntityDecl(void* context, const xmlChar* name, int, const xmlChar*, const xmlChar*,
                           xmlChar*) {
    ResultsReader& self = Self(context);
    self.Fail(self.Line(), absl::StrCat("the DOCTYPE declares entity '", View(name),
                                        "'; documents declaring entities are refused"));
  }
  static void OnUnparsedEntityDecl(void* context, const xmlChar* name, const xmlChar* public_id,
                                   const xmlChar* system_id, const xmlChar*) {
    OnEntityDecl(context, name, 0, public_id, system_id, nullptr);
  }

  static void OnCharacters(void* context, const xmlChar* text, int length) {
    ResultsReader& self = Self(context);
    if (self.capture_ == Capture::kNone || self.text_.size() >= kMaxTextBytes) return;
    self.text_.append(reinterpret_cast<const char*>(text),
                      std::min<size_t>(length, kMaxTextBytes - self.text_.size()));
  }

  // The value of attribute `name` (no namespace) among libxml2's five-pointer tuples.
  static std::optional<std::string> Attribute(int count, const xmlChar** attributes,
                                              absl::string_view name) {
    for (int i = 0; i < count; ++i) {
      const xmlChar** attribute = attributes + 5 * i;
      if (View(attribute[0]) == name && attribute[2] == nullptr) {
        return std::string(reinterpret_cast<const char*>(attribute[3]),
                           attribute[4] - attribute[3]);
      }
    }
    return std::nullopt;
  }

  static void OnStart(void* context, const xmlChar* local_name, const xmlChar*, const xmlChar* uri,
                      int, const xmlChar**, int attribute_count, int, const xmlChar** attributes) {
    ResultsReader& self = Self(context);
    if (!self.error_.ok()) return;
    ++self.depth_;
    const absl::string_view name = View(local_name);
    const absl::string_view ns = View(uri);
    if (self.depth_ == 1 && !self.AcceptRoot(name, ns)) return;
    if (ns != kXccdf12) return;
    auto attribute = [&](absl::string_view key) {
      return Attribute(attribute_count, attributes, key);
    };
    if (self.test_result_depth_ > 0) {
      self.StartInTestResult(name, attribute);
    } else {
      self.StartInBenchmark(name, attribute);
    }
  }

  bool AcceptRoot(absl::string_view name, absl::string_view ns) {
    if (ns == kXccdf12 && (name == "Benchmark" || name == "TestResult")) return true;
    if (ns == kArf && name == "asset-report-collection") return true;
    if (ns == kXccdf11) {
      Fail(Line(), "XCCDF 1.1 is not supported: produce XCCDF 1.2 results (oscap does)");
    } else {
      Fail(Line(), absl::StrCat("the root element is {", ns, "}", name,
                                ", not an XCCDF 1.2 Benchmark or TestResult nor an ARF "
                                "asset-report-collection"));
    }
    return false;
  }

  template <typename AttributeFn>
  void StartInBenchmark(absl::string_view name, AttributeFn& attribute) {
    if (name == "Benchmark" && results_.benchmark_id.empty()) {
      results_.benchmark_id = attribute("id").value_or("");
    } else if (name == "Rule" && rule_depth_ == 0) {
      std::optional<std::string> id = attribute("id");
      if (!id || id->empty()) {
        Fail(Line(), "a Rule has no id");
        return;
      }
      rule_id_ = *std::move(id);
      rule_ = XccdfRule{
          .title = "", .severity = attribute("severity").value_or("unknown"), .references = {}};
      rule_depth_ = depth_;
    } else if (rule_depth_ > 0 && depth_ == rule_depth_ + 1) {
      if (name == "title" && rule_.title.empty()) {
        StartCapture(Capture::kRuleTitle);
      } else if (name == "reference") {
        reference_href_ = attribute("href").value_or("");
        StartCapture(Capture::kReference);
      }
    } else if (name == "TestResult") {
      if (++test_results_ > 1) {
        Fail(Line(), "more than one TestResult: pass one evaluation per file");
        return;
      }
      results_.test_result_id = attribute("id").value_or("");
      results_.end_time = attribute("end-time").value_or("");
      test_result_depth_ = depth_;
    }
  }

  template <typename AttributeFn>
  void StartInTestResult(absl::string_view name, AttributeFn& attribute) {
    if (depth_ == test_result_depth_ + 1) {
      if (name == "benchmark") {
        results_.benchmark_id = attribute("href").value_or(results_.benchmark_id);
      } else if (name == "profile") {
        results_.profile_id = attribute("idref").value_or("");
      } else if (name == "rule-result") {
        std::optional<std::string> idref = attribute("idref");
        if (!idref || idref->empty()) {
          Fail(Line(), "a rule-result has no idref");
          return;
        }
        rule_result_id_ = *std::move(idref);
        rule_result_depth_ = depth_;
        rule_result_outcome_.reset();
      }
    } else if (rule_result_depth_ > 0 && depth_ == rule_result_depth_ + 1 && name == "result") {
      StartCapture(Capture::kResult);
    }
  }

  void StartCapture(Capture capture) {
    capture_ = capture;
    capture_depth_ = depth_;
    text_.clear();
  }

  static void OnEnd(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
    ResultsReader& self = Self(context);
    if (!self.error_.ok()) return;
    if (self.capture_ != Capture::kNone && self.depth_ == self.capture_depth_) self.EndCapture();
    if (self.depth_ == self.rule_depth_) {
      self.Keep(self.rule_id_.size() + self.rule_.severity.size());
      self.results_.rules.try_emplace(std::move(self.rule_id_), std::move(self.rule_));
      self.rule_depth_ = 0;
    } else if (self.depth_ == self.rule_result_depth_) {
      self.EndRuleResult();
      self.rule_result_depth_ = 0;
    } else if (self.depth_ == self.test_result_depth_) {
      self.test_result_depth_ = 0;
    }
    --self.depth_;
  }

  void EndCapture() {
    std::string text(absl::StripAsciiWhitespace(text_));
    switch (capture_) {
      case Capture::kRuleTitle:
        Keep(text.size());
        rule_.title = std::move(text);
        break;
      case Capture::kReference:
        Keep(reference_href_.size() + text.size());
        rule_.references.push_back({.href = std::move(reference_href_), .text = std::move(text)});
        break;
      case Capture::kResult:
        rule_result_outcome_ = ParseRuleOutcome(text);
        if (!rule_result_outcome_) {
          Fail(Line(), absl::StrCat("rule-result '", rule_result_id_, "' has result '",
                                    absl::CHexEscape(text), "', not an XCCDF 1.2 result"));
        }
        break;
      case Capture::kNone:
        break;
    }
    capture_ = Capture::kNone;
  }

  void EndRuleResult() {
    if (!rule_result_outcome_) {
      Fail(Line(), absl::StrCat("rule-result '", rule_result_id_, "' has no result"));
      return;
    }
    auto [it, inserted] = result_index_.try_emplace(rule_result_id_, results_.rule_results.size());
    if (inserted) {
      Keep(2 * rule_result_id_.size());  // In the list and in the index.
      results_.rule_results.push_back(
          {.rule_id = rule_result_id_, .outcome = *rule_result_outcome_});
    } else if (XccdfRuleResult& kept = results_.rule_results[it->second];
               Rank(*rule_result_outcome_) < Rank(kept.outcome)) {
      kept.outcome = *rule_result_outcome_;
    }
  }

  const std::string source_;
  const int64_t max_kept_bytes_;
  xmlParserCtxtPtr context_ = nullptr;
  absl::Status error_;
  int depth_ = 0;  // Of the element being read; 1 is the root.
  // The Rule being read (rule_depth_ > 0).
  int rule_depth_ = 0;
  std::string rule_id_;
  XccdfRule rule_;
  std::string reference_href_;
  // The TestResult and rule-result being read.
  int test_results_ = 0;
  int test_result_depth_ = 0;
  int rule_result_depth_ = 0;
  std::string rule_result_id_;
  std::optional<RuleOutcome> rule_result_outcome_;
  absl::flat_hash_map<std::string, size_t> result_index_;  // Rule id -> rule_results index.
  // Text of the element being captured.
  Capture capture_ = Capture::kNone;
  int capture_depth_ = 0;
  std::string text_;
  XccdfResults results_;
};

}  // namespace

absl::string_view RuleOutcomeName(RuleOutcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "unknown";
}

std::optional<RuleOutcome> ParseRuleOutcome(absl::string_view name) {
  for (const auto& [value, known] : kOutcomeNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

absl::StatusOr<XccdfResults> ParseXccdfResults(absl::string_view text, absl::string_view source,
                                               const XccdfParseOptions& options) {
  if (static_cast<int64_t>(text.size()) > options.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", MiB(text.size()),
                                                   ", over the limit of ", MiB(options.max_bytes)));
  }
  ResultsReader reader(source, options.max_kept_bytes);
  do {
    const absl::string_view chunk = text.substr(0, kChunkBytes);
    text.remove_prefix(chunk.size());
    if (absl::Status s = reader.Feed(chunk, text.empty()); !s.ok()) return s;
  } while (!text.empty());
  return reader.Finish();
}

absl::StatusOr<absl::Time> ParseXccdfTime(absl::string_view text) {
  absl::Time time;
  std::string error;
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  if (absl::ParseTime(absl::RFC3339_full, trimmed, &time, &error)) return time;
  // xsd:dateTime may omit the zone; OpenSCAP writes one, other scanners may not.
  if (absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S", trimmed, absl::UTCTimeZone(), &time, &error)) {
    return time;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", absl::CHexEscape(trimmed.substr(0, 64)), "' is not an xsd:dateTime"));
}

absl::StatusOr<XccdfResults> ReadXccdfResultsFile(const std::string& path,
                                                  const XccdfParseOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    std::string message = absl::StrCat(path, ": cannot open: ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES) return absl::PermissionDeniedError(message);
    return absl::InvalidArgumentError(message);
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  if (info.st_size > options.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", MiB(info.st_size),
                                                   ", over the limit of ", MiB(options.max_bytes)));
  }
  ResultsReader reader(path, options.max_kept_bytes);
  std::string buffer(kChunkBytes, '\0');
  int64_t total = 0;
  while (true) {
    const ssize_t got = read(fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::InvalidArgumentError(absl::StrCat(path, ": read: ", std::strerror(errno)));
    }
    total += got;
    if (total > options.max_bytes) {  // The file grew while being read.
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": over the limit of ", MiB(options.max_bytes)));
    }
    if (absl::Status s = reader.Feed(absl::string_view(buffer.data(), got), got == 0); !s.ok()) {
      return s;
    }
    if (got == 0) break;
  }
  return reader.Finish();
}

}  // namespace postura::agent::openscap
