#include "common/model/catalog_corrections.h"

namespace postura {
namespace {

// The sources: NIST CSF 1.1 (CSWP 04162018) for RS.AN-5; CIS Controls v8 for safeguard 17.4,
// which CIS assigns to IG2 and IG3. The same two are listed in
// ../shared/reference/crosswalks/README.md.
constexpr CatalogCorrection kCorrections[] = {
    {
        .outcome_id = "RS_AN_RS_AN_5",
        .source_code = "RS.AN-5",
        .source_title =
            "Processes are established to receive, analyze and respond to vulnerabilities "
            "disclosed to the organization from internal and external sources (e.g. internal "
            "testing, security bulletins, or security researchers)",
        .source_min_ig = std::nullopt,
        .note = "ULEO v1 carries RS.AN-4's title (\"Incidents are categorized consistent with "
                "response plans\") on RS.AN-5; reports show RS.AN-5's own title.",
    },
    {
        .outcome_id = "RS_CO_CSC_17_4",
        .source_code = "CSC-17.4",
        .source_title = "",
        .source_min_ig = 2,
        .note = "CIS Controls v8 assigns safeguard 17.4 to IG2 and IG3; ULEO v1 gives it "
                "minimum IG1, and scores keep the catalog's IG1 (FLECO parity).",
    },
};

}  // namespace

absl::Span<const CatalogCorrection> CatalogCorrections() { return kCorrections; }

const CatalogCorrection* FindCatalogCorrection(absl::string_view outcome_id) {
  for (const CatalogCorrection& correction : kCorrections) {
    if (correction.outcome_id == outcome_id) return &correction;
  }
  return nullptr;
}

absl::string_view ReportTitle(const CatalogOutcome& outcome) {
  return ReportTitle(outcome.id, outcome.title);
}

absl::string_view ReportTitle(absl::string_view outcome_id, absl::string_view catalog_title) {
  const CatalogCorrection* correction = FindCatalogCorrection(outcome_id);
  if (correction == nullptr || correction->source_title.empty()) return catalog_title;
  return correction->source_title;
}

}  // namespace postura
