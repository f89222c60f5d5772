#ifndef POSTURA_COLLECTOR_ACCESS_ADMIN_TOKEN_H_
#define POSTURA_COLLECTOR_ACCESS_ADMIN_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collector/access/credential_store.h"
#include "common/base/clock.h"

namespace postura::collector {

// Admin API tokens written to a file: the collector's first one, and a new one an
// operator issues when every admin token is lost (docs/security.md, "Recovering admin
// access"). Called at start-up and from `postura-collector --issue-admin-token`, on one
// thread.

// Makes an admin API token of the organisation named `name`, writes its text to `path`
// (owner-only, atomically) and only then stores it: a token is never stored without the
// file that holds it, so a failed write leaves nothing behind and the next start tries
// again. Returns the credential's id. If storing fails the file is removed; in cluster mode
// DeadlineExceeded (the token is in the log, not applied here yet) keeps it.
absl::StatusOr<std::string> IssueAdminToken(CredentialStore& credentials, const std::string& path,
                                            absl::string_view name);

// For an operator with access to the data directory, while the collector is stopped:
// opens the store in `data_dir` (with the collector's evidence retention), issues a new
// admin token into `path` and closes the store. Existing tokens stay valid.
// FailedPrecondition if the collector is running (the store is locked).
absl::StatusOr<std::string> IssueAdminTokenOffline(const std::string& data_dir,
                                                   absl::Duration evidence_retention,
                                                   const std::string& path, Clock& clock);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_ADMIN_TOKEN_H_
