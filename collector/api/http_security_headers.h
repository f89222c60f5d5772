#ifndef POSTURA_COLLECTOR_API_HTTP_SECURITY_HEADERS_H_
#define POSTURA_COLLECTOR_API_HTTP_SECURITY_HEADERS_H_

// The headers HttpServer sets on every response (http_server.cc); tests compare with
// them. A constant only: no threading concerns.

#include <utility>

namespace postura::collector {

// Headers every response carries, pages, API answers and errors alike
// (docs/security.md, "Headers"): the dashboard runs only its own scripts and styles (no
// inline script or style), fetches only from its own origin, is never framed, sends no
// referrer, and browsers take each body as the type it is declared.
inline constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
     "frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HTTP_SECURITY_HEADERS_H_
