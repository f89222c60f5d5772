#ifndef POSTURA_COLLECTOR_ACCESS_GATEKEEPER_H_
#define POSTURA_COLLECTOR_ACCESS_GATEKEEPER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collector/access/access_policy.h"
#include "collector/access/auth_throttle.h"
#include "collector/access/credential_store.h"
#include "collector/access/session_book.h"
#include "common/transport/grpc_status.h"
#include "grpcpp/server_context.h"

namespace postura::collector {

// The HTTP cookie that names the dashboard's session (session_book.h; HttpOnly, Secure,
// SameSite=Strict; set by POST /api/v1/session). It never holds a token.
inline constexpr absl::string_view kSessionCookie = "postura_session";

// Admits calls: finds the API token or agent credential a call carries and checks that
// its role has the permission. Every gRPC method and HTTP route but enrollment and
// /healthz asks it first. Unauthenticated when the credential is missing or not live,
// PermissionDenied when the role lacks the right; messages never repeat a secret.
// Thread-safe; `credentials` is borrowed.
class Gatekeeper {
 public:
  // `sessions`, borrowed, admits the session cookie; without it the cookie admits nobody.
  explicit Gatekeeper(const CredentialStore& credentials, SessionBook* sessions = nullptr)
      : credentials_(credentials), sessions_(sessions) {}

  // Reads the "authorization: Bearer <token>" metadata.
  absl::StatusOr<Principal> Admit(const grpc::CallbackServerContext& context,
                                  Permission permission) const;
  // For an HTTP request (the API renders its headers): the Authorization header's value
  // if there is one, else the dashboard session the cookie in the Cookie header's value
  // names (the principal then carries its session_key). Null for a header that is absent.
  absl::StatusOr<Principal> AdmitHttp(const std::string* authorization, const std::string* cookie,
                                      Permission permission) const;
  // Counts failed bearer-token checks per peer address and refuses an address that fails
  // too often (auth_throttle.h), in Admit and AdmitFrom. Borrowed, must outlive the
  // gatekeeper; set before the first call. Null (the default): no backoff.
  void set_throttle(AuthThrottle* throttle) { throttle_ = throttle; }
  AuthThrottle* throttle() const { return throttle_; }
  // `admit()` through the throttle for a call from `peer` (gRPC's peer text or "ip:port")
  // that presents a bearer token when `token_presented`: ResourceExhausted without calling
  // `admit` while the address is refused; an Unauthenticated answer to a token counts as
  // a failure. Calls without a token are neither refused nor counted. An admitted call is
  // the credential's last use (CredentialStore::NoteUse), from the peer's address.
  absl::StatusOr<Principal> AdmitFrom(
      absl::string_view peer, bool token_presented,
      const std::function<absl::StatusOr<Principal>()>& admit) const;
  // Checks a token text taken from anywhere.
  absl::StatusOr<Principal> AdmitToken(absl::string_view token, Permission permission) const;

  // True while the principal's credential is still live (not revoked or expired).
  bool StillAdmitted(const Principal& principal) const {
    return credentials_.IsLive(principal.credential_id);
  }

 private:
  const CredentialStore& credentials_;
  AuthThrottle* throttle_ = nullptr;
  SessionBook* const sessions_;
};

// Finishes a unary call with the status `work(principal)` returns if `gate` admits the
// call for `permission`, or with the refusal (and then `work` does not run).
template <typename Work>
grpc::ServerUnaryReactor* AnswerIfAdmitted(const Gatekeeper& gate,
                                           grpc::CallbackServerContext* context,
                                           Permission permission, Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Principal> principal = gate.Admit(*context, permission);
  reactor->Finish(ToGrpcStatus(principal.ok() ? work(*principal) : principal.status()));
  return reactor;
}

// The token of an "Authorization" value "Bearer <token>" (scheme case-insensitive);
// empty if it has another shape.
absl::string_view BearerToken(absl::string_view authorization);
// The value of cookie `name` in a Cookie header; empty if absent.
absl::string_view CookieValue(absl::string_view cookie_header, absl::string_view name);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_GATEKEEPER_H_
