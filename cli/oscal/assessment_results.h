// An OSCAL 1.1.2 assessment-results document of the organisation or of one asset, from
// what the collector reports: metadata with the organisation and its suppliers as parties,
// one result with the assets as inventory items and the agents as the assessment
// platform's tools, an observation per deciding evidence item and a finding per applicable
// outcome (cli/oscal/assessment_findings.h). Called by `postura export oscal`
// (cli/export_command.cc). A pure function of its arguments: any thread.

#ifndef POSTURA_CLI_OSCAL_ASSESSMENT_RESULTS_H_
#define POSTURA_CLI_OSCAL_ASSESSMENT_RESULTS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/oscal/assessment_findings.h"
#include "cli/oscal/oscal_ids.h"
#include "common/model/catalog.h"
#include "postura/v1/admin.pb.h"

namespace postura::oscal {

// The scope of an export of the whole organisation.
inline constexpr char kOrganizationScope[] = "org";

// Everything one export holds, read from the collector at one moment.
struct AssessmentInput {
  // kOrganizationScope, or the id of the one asset exported. Names the result and seeds
  // the document's and the result's UUIDs.
  std::string scope;
  // The organisation tenant ("org"); its name is "The organisation" when unknown.
  v1::Tenant organization;
  // The supplier tenants to list as parties (those the caller may see); suppliers that
  // run an exported asset but are not listed here appear under their id.
  std::vector<v1::Tenant> suppliers;
  std::vector<AssessedAsset> assets;  // In the order the document lists them.
  std::string collector_address;
  absl::Time generated_at;
};

// {"assessment-results": ...}. Its import-ap points into its own back-matter, at a
// resource describing the standing plan Postura assesses by (the catalog's OSCAL form, by
// CatalogFileName of `catalog`, and the agents' checks); docs/oscal.md says why.
Json AssessmentResultsDocument(const Catalog& catalog, const AssessmentInput& input);

}  // namespace postura::oscal

#endif  // POSTURA_CLI_OSCAL_ASSESSMENT_RESULTS_H_
