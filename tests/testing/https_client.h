#ifndef POSTURA_TESTS_TESTING_HTTPS_CLIENT_H_
#define POSTURA_TESTS_TESTING_HTTPS_CLIENT_H_

#include <httplib.h>

#include <memory>
#include <string>

namespace postura::test {

// An HTTPS client of a collector's HTTP API at `http_address` ("host:port") that checks
// the server's certificate against `ca_file` and, if `token` is not empty, sends it as a
// bearer token. Header-only, so that only tests which use httplib link it.
inline std::unique_ptr<httplib::Client> HttpsClient(const std::string& http_address,
                                                    const std::string& ca_file,
                                                    const std::string& token) {
  auto client = std::make_unique<httplib::Client>("https://" + http_address);
  client->set_ca_cert_path(ca_file.c_str());
  client->enable_server_certificate_verification(true);
  if (!token.empty()) client->set_bearer_token_auth(token.c_str());
  return client;
}

// Signs in as the dashboard does (POST /api/v1/session with `token`) and returns the Cookie
// header value that names the session ("postura_session=<id>"); empty if sign-in failed.
inline std::string DashboardSessionCookie(const std::string& http_address,
                                          const std::string& ca_file, const std::string& token) {
  httplib::Result result = HttpsClient(http_address, ca_file, token)->Post("/api/v1/session");
  if (!result || result->status != 204) return "";
  const std::string set_cookie = result->get_header_value("Set-Cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_HTTPS_CLIENT_H_
