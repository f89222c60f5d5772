// One framework's controls and the ULEO outcomes that map to each, read from mapping files
// in the layout of ../shared/reference/crosswalks/uleo-to-*.tsv: the shipped files
// (compiled in) and an operator's own (`postura report --mapping FILE`). Built by the CLI's
// crosswalk report (cli/crosswalk_command.cc); read by control_standing.h and alignment.h.
// Threading: not thread-safe while rows are added; once built, const access from any
// thread is safe.
#ifndef POSTURA_COMMON_CROSSWALK_CROSSWALK_H_
#define POSTURA_COMMON_CROSSWALK_CROSSWALK_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crosswalk/framework.h"
#include "common/model/catalog.h"

namespace postura::crosswalk {

// The header line every mapping file starts with (tab-separated).
inline constexpr absl::string_view kMappingHeader =
    "uleo_id\tsource_id\ttarget_id\ttarget_title\tsource_ref\trelationship\tauthority";

// Largest mapping file AddFile reads.
inline constexpr size_t kMaxMappingFileBytes = 16 << 20;

// An operator's mapping file and the framework whose controls it names.
struct MappingFile {
  Framework framework = Framework::kCsf20;
  std::string path;
};

// A control of the framework as the mapping files know it.
struct Control {
  std::string id;             // "AC-2", "ID.AM-01", "A.5.9"
  std::string title;          // Empty when no file gives one (ISO titles are not shipped).
  std::vector<int> outcomes;  // Catalog positions of the outcomes mapped to it, in order.
  std::vector<std::string> relationships;  // Distinct `relationship` values of its rows.
};

// The controls of one framework that appear in its mapping files, with their outcomes. A
// control the files list only with an empty uleo_id is known but has no outcome: the
// report lists it among the controls nothing maps to.
class Crosswalk {
 public:
  // An empty crosswalk for `framework` over `catalog`, which must outlive it.
  Crosswalk(Framework framework, const Catalog& catalog);

  // The shipped mapping of `framework` (common/crosswalk/data). Internal if the built-in
  // file does not load against `catalog` (a custom catalog lacking ULEO v1's outcomes).
  static absl::StatusOr<Crosswalk> Builtin(Framework framework, const Catalog& catalog);

  // Adds the rows of a mapping file. All or nothing: InvalidArgument "NAME:LINE: ..." for
  // the first defect: a header other than kMappingHeader, a row without exactly 7
  // tab-separated fields, an unknown ULEO outcome id, an empty or malformed control id, a
  // control given two different titles, text that is not UTF-8, a file with no rows.
  absl::Status AddTsv(absl::string_view text, absl::string_view source_name);
  // Reads `path` and adds its rows. NotFound if it cannot be read; InvalidArgument if it
  // is larger than kMaxMappingFileBytes or as AddTsv.
  absl::Status AddFile(const std::string& path);

  Framework framework() const { return framework_; }
  const Catalog& catalog() const { return *catalog_; }
  // Every known control, in natural id order ("AC-2" before "AC-10").
  const std::vector<Control>& controls() const { return controls_; }
  // The control `id`, or null.
  const Control* FindControl(absl::string_view id) const;
  // Positions in controls() of the controls outcome `outcome` maps to, in that order.
  const std::vector<int>& ControlsOf(int outcome) const { return by_outcome_[outcome]; }

 private:
  struct Row;
  absl::StatusOr<std::vector<Row>> ParseRows(absl::string_view text,
                                             absl::string_view source_name) const;
  void Rebuild();

  Framework framework_;
  const Catalog* catalog_;
  std::vector<Control> controls_;
  absl::flat_hash_map<std::string, int> index_;  // Control id -> position in controls_.
  std::vector<std::vector<int>> by_outcome_;     // By catalog outcome position.
};

// Orders control ids naturally: runs of digits compare as numbers ("A.5.9" < "A.5.10").
bool NaturalLess(absl::string_view a, absl::string_view b);

}  // namespace postura::crosswalk

#endif  // POSTURA_COMMON_CROSSWALK_CROSSWALK_H_
