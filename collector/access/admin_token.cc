#include "collector/access/admin_token.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/registry/registry.h"
#include "common/transport/private_file.h"
#include "common/transport/token_text.h"

namespace postura::collector {

absl::StatusOr<std::string> IssueAdminToken(CredentialStore& credentials, const std::string& path,
                                            absl::string_view name) {
  const std::string token = NewTokenText();
  if (absl::Status written = WritePrivateFile(path, token + "\n"); !written.ok()) {
    return absl::Status(written.code(), absl::StrCat("cannot write the admin token file (no token "
                                                     "was made): ",
                                                     written.message()));
  }
  v1::Credential admin;
  admin.set_kind(v1::API_TOKEN);
  admin.set_role(v1::ROLE_ADMIN);
  admin.set_tenant_id(std::string(kOrganizationTenantId));
  admin.set_name(std::string(name));
  absl::StatusOr<IssuedToken> issued = credentials.IssueAs(std::move(admin), token);
  // In the cluster's log but not applied here yet: made, so the file stays.
  if (absl::IsDeadlineExceeded(issued.status())) return issued.status();
  if (!issued.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return issued.status();
  }
  return issued->credential.id();
}

absl::StatusOr<std::string> IssueAdminTokenOffline(const std::string& data_dir,
                                                   absl::Duration evidence_retention,
                                                   const std::string& path, Clock& clock) {
  const std::string store_path = data_dir + "/store";
  if (!std::filesystem::exists(store_path)) {
    return absl::NotFoundError(absl::StrCat("no store at ", store_path, ": check data_dir"));
  }
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open({.path = store_path, .retention = evidence_retention, .clock = &clock});
  if (!store.ok()) {
    if (absl::StrContains(store.status().message(), "lock")) {
      return absl::FailedPreconditionError(absl::StrCat("the store ", store_path,
                                                        " is in use: stop the collector first (",
                                                        store.status().message(), ")"));
    }
    return store.status();
  }
  absl::StatusOr<std::unique_ptr<CredentialStore>> credentials =
      CredentialStore::Load(**store, clock);
  if (!credentials.ok()) return credentials.status();
  return IssueAdminToken(**credentials, path, "recovery admin token");
}

}  // namespace postura::collector
