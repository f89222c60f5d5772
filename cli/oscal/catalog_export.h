// The expected-outcome catalog (ULEO v1, or a catalog file) as OSCAL 1.1.2: a catalog with
// a group per function, a group per category inside it and a control per outcome, and a
// profile per implementation group selecting the outcomes that apply to it, so the control
// ids of `postura export oscal`'s findings resolve. Called by `postura export
// oscal-catalog` (cli/export_command.cc). Pure functions of their arguments: any thread.

#ifndef POSTURA_CLI_OSCAL_CATALOG_EXPORT_H_
#define POSTURA_CLI_OSCAL_CATALOG_EXPORT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/oscal/oscal_ids.h"
#include "common/model/catalog.h"
#include "common/model/implementation_group.h"

namespace postura::oscal {

// The file name under which docs/oscal.md and the profiles expect the catalog:
// "uleo-v1-catalog.json" for ULEO version 1.
std::string CatalogFileName(const Catalog& catalog);

// The UUID of `catalog`'s OSCAL form: the same for the same catalog name and version.
std::string CatalogUuid(const Catalog& catalog);

// {"catalog": ...}: groups per function (class "function") and category (class
// "category"), a control per outcome (class "outcome") whose id is the outcome id, with
// its code as "label", its source, leading functional area, minimum IG and per-IG weights
// as props, and its title as the statement's prose. `last_modified` is the export time.
Json CatalogDocument(const Catalog& catalog, absl::Time last_modified);

// {"profile": ...}: imports the catalog at `catalog_href` (a URI reference, e.g.
// CatalogFileName) and includes the controls of every outcome that applies to `group`
// (min_ig <= group), merged as-is.
Json ProfileDocument(const Catalog& catalog, ImplementationGroup group,
                     absl::string_view catalog_href, absl::Time last_modified);

}  // namespace postura::oscal

#endif  // POSTURA_CLI_OSCAL_CATALOG_EXPORT_H_
