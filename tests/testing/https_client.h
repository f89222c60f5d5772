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

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_HTTPS_CLIENT_H_
