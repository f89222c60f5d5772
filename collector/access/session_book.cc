#include "collector/access/session_book.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "openssl/rand.h"
#include "openssl/sha.h"

namespace postura::collector {
namespace {

constexpr size_t kIdBytes = 32;
constexpr size_t kIdChars = 43;  // kIdBytes in unpadded base64url.

absl::Status SessionRefused() {
  // One message for every reason: an id is 256 random bits, so naming the reason would
  // help nobody guess one, but it would say whether someone else's session still exists.
  return absl::UnauthenticatedError(
      "session unknown, signed out or timed out: sign in again (POST /api/v1/session)");
}

bool IsSessionIdShape(absl::string_view id) {
  if (id.size() != kIdChars) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string NewSessionId() {
  std::string bytes(kIdBytes, '\0');
  // A guessable session id must never be handed out: without randomness, stop.
  CHECK_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(kIdBytes)),
           1)
      << "no randomness for session ids";
  return absl::WebSafeBase64Escape(bytes);
}

}  // namespace

std::string SessionKey(absl::string_view id) {
  if (!IsSessionIdShape(id)) return "";
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

SessionBook::SessionBook(const CredentialStore& credentials, Clock& clock, SessionLimits limits)
    : credentials_(credentials), clock_(clock), limits_(limits) {}

bool SessionBook::Live(const Session& session, absl::Time now) const {
  return now < session.last_used + limits_.idle_timeout &&
         now < session.opened + limits_.absolute_timeout &&
         credentials_.IsLive(session.principal.credential_id);
}

void SessionBook::DropDead(absl::Time now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (Live(it->second, now)) {
      ++it;
    } else {
      sessions_.erase(it++);
    }
  }
}

void SessionBook::MakeRoomFor(absl::string_view credential_id) {
  int held = 0;
  auto least_recent = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.principal.credential_id != credential_id) continue;
    ++held;
    if (least_recent == sessions_.end() || it->second.last_used < least_recent->second.last_used) {
      least_recent = it;
    }
  }
  if (held >= limits_.max_per_credential) sessions_.erase(least_recent);
}

absl::StatusOr<std::string> SessionBook::Open(const Principal& principal) {
  const absl::Time now = clock_.TimeNow();
  std::string id = NewSessionId();
  absl::MutexLock lock(&mu_);
  if (sessions_.size() >= static_cast<size_t>(limits_.max_total)) DropDead(now);
  MakeRoomFor(principal.credential_id);
  if (sessions_.size() >= static_cast<size_t>(limits_.max_total)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the collector holds its most dashboard sessions (", limits_.max_total,
        ", dashboard.max_sessions): sign in again once some are signed out or timed out"));
  }
  Session& session = sessions_[SessionKey(id)];
  session.principal = principal;
  session.principal.session_key.clear();
  session.opened = now;
  session.last_used = now;
  return id;
}

absl::StatusOr<Principal> SessionBook::Resume(absl::string_view id) {
  std::string key = SessionKey(id);
  if (key.empty()) return SessionRefused();
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return SessionRefused();
  if (!Live(it->second, now)) {
    sessions_.erase(it);
    return SessionRefused();
  }
  it->second.last_used = now;
  Principal principal = it->second.principal;
  principal.session_key = std::move(key);
  return principal;
}

bool SessionBook::IsLive(absl::string_view key) const {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  return it != sessions_.end() && Live(it->second, now);
}

bool SessionBook::Close(absl::string_view id) {
  const std::string key = SessionKey(id);
  if (key.empty()) return false;
  absl::MutexLock lock(&mu_);
  return sessions_.erase(key) > 0;
}

size_t SessionBook::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

}  // namespace postura::collector
