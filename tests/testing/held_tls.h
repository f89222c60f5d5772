#ifndef POSTURA_TESTS_TESTING_HELD_TLS_H_
#define POSTURA_TESTS_TESTING_HELD_TLS_H_

// TLS connections that hold a collector's HTTPS listener the way an attacker would: each
// connects from a chosen loopback address (127.0.0.2, ...), completes the TLS handshake
// (without checking the server, as an attacker need not), then sends a request a line at
// a time (slow loris) or nothing at all (idle). Used by tests/http_limits_test.cc and the
// flood benchmark (bench/flood_bench.cc).
//
// Threading: one connection is used by one thread at a time.

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::test {

class HeldTlsConnection {
 public:
  // Connects from `source_ip` to `server` ("host:port", IPv4) and completes the
  // handshake within `timeout`. Unavailable if the server refuses or closes first.
  static absl::StatusOr<std::unique_ptr<HeldTlsConnection>> Open(const std::string& source_ip,
                                                                 const std::string& server,
                                                                 absl::Duration timeout);
  ~HeldTlsConnection();

  HeldTlsConnection(const HeldTlsConnection&) = delete;
  HeldTlsConnection& operator=(const HeldTlsConnection&) = delete;

  // Sends `bytes`; false once the connection is broken.
  bool Send(absl::string_view bytes);
  // Waits up to `timeout` for the server to close the connection (reading and dropping
  // whatever it sends before); false if it is still open.
  bool ClosedWithin(absl::Duration timeout);
  // Waits up to `timeout` for the server to close the connection, and returns what it
  // sent before; nullopt if it is still open.
  std::optional<std::string> ReadUntilClosed(absl::Duration timeout);

 private:
  HeldTlsConnection(int fd, ssl_ctx_st* context, ssl_st* ssl)
      : fd_(fd), context_(context), ssl_(ssl) {}
  int fd_;
  ssl_ctx_st* context_;
  ssl_st* ssl_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_HELD_TLS_H_
