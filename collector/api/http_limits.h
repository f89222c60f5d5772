#ifndef POSTURA_COLLECTOR_API_HTTP_LIMITS_H_
#define POSTURA_COLLECTOR_API_HTTP_LIMITS_H_

// The HTTPS listener's bounds against slow and flooding clients (docs/security.md, "Slow
// and flooding clients"): HttpServer and its HttpListener apply them; the collector reads
// them from its config's http.* keys (collector_config.h). Plain values.

#include <cstdint>

#include "absl/time/time.h"

namespace postura::collector {

struct HttpLimits {
  // Open connections, all clients together and from one peer address. Each connection
  // has a thread of its own (http_listener.h), so a slow client delays nobody else; over
  // either bound a new connection is closed at once, before its TLS handshake.
  int max_connections = 256;
  int max_connections_per_peer = 32;
  // A request must arrive whole (request line, headers and body; for a connection's first
  // request the TLS handshake too) within this long of its first byte, or its connection
  // closes. An upload route's body may take longer: 1 s more per 64 KiB it declares.
  absl::Duration request_timeout = absl::Seconds(10);
  // A kept-alive connection waiting for its next request closes after this long.
  absl::Duration idle_timeout = absl::Seconds(5);
  // Larger request bodies are refused with 413 before they are read; so are, with 411,
  // bodies sent without a Content-Length (chunked), since their size is unknown, and, with
  // 415, compressed bodies (any Content-Encoding), whose inflated size is unknown.
  uint64_t max_body_bytes = 1 << 20;
  // Requests one credential (an Authorization header, or else the dashboard's session
  // cookie, valid or not) may make: a token bucket refilled at this rate per second,
  // holding at most `request_burst_per_credential`. Over it, 429 RESOURCE_EXHAUSTED with
  // a Retry-After header, before the request is read further. 0: no limit.
  double requests_per_second_per_credential = 50;
  int request_burst_per_credential = 200;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HTTP_LIMITS_H_
