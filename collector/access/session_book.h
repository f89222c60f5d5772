#ifndef POSTURA_COLLECTOR_ACCESS_SESSION_BOOK_H_
#define POSTURA_COLLECTOR_ACCESS_SESSION_BOOK_H_

// The dashboard's sessions, which the cookie postura_session names instead of an API token
// (docs/security.md, "The dashboard's session"). POST /api/v1/session
// (collector/api/http_api.cc) opens one for an API token it has checked, the gatekeeper's
// cookie branch resumes it on every request, DELETE /api/v1/session ends it, and the event
// stream ends when its session does.
//
// A session id is 32 random bytes (43 base64url characters in the cookie). Only its SHA-256
// is kept, in memory, with the credential id and role that opened it: a collector restart
// ends every session. A session ends when it is closed, after `idle_timeout` without a
// request, `absolute_timeout` after it was opened, or as soon as its credential is revoked
// or expires (checked on every use).
//
// Thread-safe. The credential store and the clock are borrowed and must outlive the book.

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/access/access_policy.h"
#include "collector/access/credential_store.h"
#include "common/base/clock.h"

namespace postura::collector {

// How long sessions last and how many may be open (config keys dashboard.*).
struct SessionLimits {
  absl::Duration idle_timeout = absl::Minutes(30);    // Without a request.
  absl::Duration absolute_timeout = absl::Hours(12);  // After sign-in, whatever the use.
  int max_per_credential = 8;                         // Sessions of one API token.
  int max_total = 4096;                               // Sessions of all credentials.
};

class SessionBook {
 public:
  SessionBook(const CredentialStore& credentials, Clock& clock, SessionLimits limits = {});

  SessionBook(const SessionBook&) = delete;
  SessionBook& operator=(const SessionBook&) = delete;

  // Opens a session for `principal`, whose credential the caller has just admitted, and
  // returns its id for the cookie. When the credential already has max_per_credential
  // sessions, the one it used least recently ends. ResourceExhausted when max_total
  // sessions are open even after the timed-out ones are dropped.
  absl::StatusOr<std::string> Open(const Principal& principal);

  // The principal of the live session `id`, with `session_key` set to the session's key;
  // the idle timeout starts again. Unauthenticated if `id` is malformed, unknown, closed
  // or timed out, or its credential is no longer live (the session then ends too).
  absl::StatusOr<Principal> Resume(absl::string_view id);

  // True while the session whose key is `key` (Principal::session_key) is open, within
  // both timeouts and its credential live. Does not count as use. Cheap enough for every
  // poll of an event stream.
  bool IsLive(absl::string_view key) const;

  // Ends the session `id`. True if one was open.
  bool Close(absl::string_view id);

  // Sessions kept now; ones that timed out count until they are next looked at or
  // dropped to make room.
  size_t size() const;

  const SessionLimits& limits() const { return limits_; }

 private:
  struct Session {
    Principal principal;
    absl::Time opened;
    absl::Time last_used;
  };

  bool Live(const Session& session, absl::Time now) const;
  void DropDead(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MakeRoomFor(absl::string_view credential_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const CredentialStore& credentials_;
  Clock& clock_;
  const SessionLimits limits_;
  mutable absl::Mutex mu_;
  // By SHA-256 of the session id (binary).
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

// The key a session id is kept under: its SHA-256, binary. Empty for text that is not a
// session id's shape.
std::string SessionKey(absl::string_view id);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_SESSION_BOOK_H_
