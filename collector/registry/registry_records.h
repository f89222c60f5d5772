#ifndef POSTURA_COLLECTOR_REGISTRY_REGISTRY_RECORDS_H_
#define POSTURA_COLLECTOR_REGISTRY_REGISTRY_RECORDS_H_

// Reading the registry back from the store: every tenant, department, asset, targets and
// agent record (keyed as store_keys.h describes) parsed into a RegistryModel, with the
// targets resolved in the catalog. Registry::Load calls it once at start-up; Registry
// writes each change itself, one record at a time.
//
// Threading: reads `store`, which is thread-safe; the model returned is the caller's.

#include "absl/status/statusor.h"
#include "collector/registry/registry_model.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"

namespace postura::collector {

// The records as stored, not yet checked against each other (RegistryModel::
// CheckConsistent does that). DataLoss if a record does not parse, is stored under
// another record's id, or holds the targets of a missing asset; FailedPrecondition if
// stored targets do not fit `catalog`; Unavailable if the store failed.
absl::StatusOr<RegistryModel> ReadRegistryRecords(const EvidenceStore& store,
                                                  const Catalog& catalog);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_REGISTRY_RECORDS_H_
