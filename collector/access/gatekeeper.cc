#include "collector/access/gatekeeper.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace postura::collector {
namespace {

absl::Status NoCredential() {
  return absl::UnauthenticatedError(
      "no credential: send \"authorization: Bearer <token>\" (see docs/security.md)");
}

// API tokens and agent credentials are both accepted for calls; which calls each role
// may make is Authorize's business.
absl::StatusOr<v1::Credential> FindCallCredential(const CredentialStore& credentials,
                                                  absl::string_view token) {
  absl::StatusOr<v1::Credential> api = credentials.Authenticate(token, v1::API_TOKEN);
  if (api.ok()) return api;
  return credentials.Authenticate(token, v1::AGENT_CREDENTIAL);
}

}  // namespace

absl::string_view BearerToken(absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  return absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
}

absl::string_view CookieValue(absl::string_view cookie_header, absl::string_view name) {
  for (absl::string_view pair : absl::StrSplit(cookie_header, ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    if (absl::ConsumePrefix(&pair, name) && absl::ConsumePrefix(&pair, "=")) return pair;
  }
  return {};
}

absl::StatusOr<Principal> Gatekeeper::AdmitToken(absl::string_view token,
                                                 Permission permission) const {
  if (token.empty()) return NoCredential();
  absl::StatusOr<v1::Credential> credential = FindCallCredential(credentials_, token);
  if (!credential.ok()) return credential.status();
  Principal principal = PrincipalOf(*credential);
  if (absl::Status allowed = Authorize(principal, permission); !allowed.ok()) return allowed;
  return principal;
}

absl::StatusOr<Principal> Gatekeeper::Admit(const grpc::CallbackServerContext& context,
                                            Permission permission) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return NoCredential();
  const absl::string_view value(it->second.data(), it->second.size());
  const absl::string_view token = BearerToken(value);
  return AdmitFrom(context.peer(), !token.empty(), [&] { return AdmitToken(token, permission); });
}

absl::StatusOr<Principal> Gatekeeper::AdmitFrom(
    absl::string_view peer, bool token_presented,
    const std::function<absl::StatusOr<Principal>()>& admit) const {
  const std::string address = PeerAddress(peer);
  const bool throttled = throttle_ != nullptr && token_presented;
  if (throttled) {
    if (absl::Status refused = throttle_->Check(address); !refused.ok()) return refused;
  }
  absl::StatusOr<Principal> admitted = admit();
  if (admitted.ok()) {
    credentials_.NoteUse(admitted->credential_id, address);
  } else if (throttled && absl::IsUnauthenticated(admitted.status())) {
    throttle_->RecordFailure(address);
  }
  return admitted;
}

absl::StatusOr<Principal> Gatekeeper::AdmitHttp(const std::string* authorization,
                                                const std::string* cookie,
                                                Permission permission) const {
  if (authorization != nullptr) return AdmitToken(BearerToken(*authorization), permission);
  if (cookie != nullptr) {
    // The cookie names a session, never a token: a token in it admits nobody.
    const absl::string_view session_id = CookieValue(*cookie, kSessionCookie);
    if (session_id.empty() || sessions_ == nullptr) return NoCredential();
    absl::StatusOr<Principal> principal = sessions_->Resume(session_id);
    if (!principal.ok()) return principal.status();
    if (absl::Status allowed = Authorize(*principal, permission); !allowed.ok()) return allowed;
    return principal;
  }
  return NoCredential();
}

}  // namespace postura::collector
