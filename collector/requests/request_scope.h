#ifndef POSTURA_COLLECTOR_REQUESTS_REQUEST_SCOPE_H_
#define POSTURA_COLLECTOR_REQUESTS_REQUEST_SCOPE_H_

// What a new evidence request covers, resolved against the catalog and the registry when
// it is opened: the outcomes of a selection (a functional area, a category, a function or
// a list) and the assets of a scope (an asset, a department's, a supplier's), and the
// tenant that owns it. The request book (request_book.h) calls these on Create.
//
// Threading: functions of their arguments; the registry is thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/registry/registry.h"
#include "common/model/catalog.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// The selected outcomes' ids, in catalog order. InvalidArgument naming the field when
// none or several of the selection's fields are set, or the area, category, function or
// an outcome is unknown.
absl::StatusOr<std::vector<std::string>> SelectOutcomes(const v1::OutcomeSelection& selection,
                                                        const Catalog& catalog);

// The scope's assets, sorted. InvalidArgument for an unspecified scope kind or an unknown
// asset, department or supplier, or a department or supplier with no asset.
absl::StatusOr<std::vector<std::string>> ScopeAssets(v1::RequestScopeKind kind,
                                                     const std::string& scope_id,
                                                     const Registry& registry);

// The tenant that answers: the supplier's id, or "org" for a department. InvalidArgument
// for an unspecified kind or an unknown department or supplier.
absl::StatusOr<std::string> OwnerTenant(v1::RequestOwnerKind kind, const std::string& owner_id,
                                        const Registry& registry);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_REQUEST_SCOPE_H_
