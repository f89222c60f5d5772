// Known defects of the ULEO v1 catalog against the sources its rows come from, kept as data
// beside the catalog rather than fixed in it: scores follow the catalog as it is (FLECO
// parity: the reference values were computed with it), while reports show what the source
// says. Called by the CLI's reports (cli/report_command.cc, cli/crosswalk_text.cc).
// Threading: immutable static data; any thread may call these functions.
#ifndef POSTURA_COMMON_MODEL_CATALOG_CORRECTIONS_H_
#define POSTURA_COMMON_MODEL_CATALOG_CORRECTIONS_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/model/catalog.h"

namespace postura {

// One outcome where the catalog disagrees with its source (docs/catalog.md, "Known
// discrepancies").
struct CatalogCorrection {
  absl::string_view outcome_id;    // "RS_AN_RS_AN_5"
  absl::string_view source_code;   // The code in the source: "RS.AN-5"
  absl::string_view source_title;  // The source's title for that code; empty: the catalog's
                                   // title is right.
  // The source's lowest implementation group (1-3) when the catalog's min_ig differs from
  // it; nullopt when it agrees.
  std::optional<int> source_min_ig;
  absl::string_view note;  // One sentence for people: what differs and what scores use.
};

// Every known correction, in catalog order.
absl::Span<const CatalogCorrection> CatalogCorrections();

// The correction of outcome `outcome_id`, or null when the catalog row agrees with its
// source.
const CatalogCorrection* FindCatalogCorrection(absl::string_view outcome_id);

// The title reports show for `outcome`: its source's title where the catalog row carries
// another code's title, else the catalog's.
absl::string_view ReportTitle(const CatalogOutcome& outcome);
// The same for an outcome known by id and the title the collector sent with it.
absl::string_view ReportTitle(absl::string_view outcome_id, absl::string_view catalog_title);

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_CATALOG_CORRECTIONS_H_
