#include "collector/alerting/webhook_sink.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace postura::collector {
namespace {

// httplib takes its timeouts in seconds and microseconds.
void SetTimeout(absl::Duration timeout, const std::function<void(time_t, time_t)>& set) {
  const int64_t micros = absl::ToInt64Microseconds(timeout);
  set(static_cast<time_t>(micros / 1'000'000), static_cast<time_t>(micros % 1'000'000));
}

}  // namespace

std::string WebhookBody(const v1::AlertTransition& transition) {
  std::string body;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;  // Receivers see every field, zeros too.
  // Serialising a message we built cannot fail; an empty body would be refused anyway.
  if (!google::protobuf::util::MessageToJsonString(transition, &body, options).ok()) body.clear();
  return body;
}

std::string WebhookSignature(absl::string_view secret, absl::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  return absl::StrCat("sha256=", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), length)));
}

absl::Status WebhookSink::Deliver(const v1::AlertTransition& transition) {
  const std::string body = WebhookBody(transition);
  if (body.empty()) return absl::InternalError("the transition has no JSON form");
  httplib::Client client(options_.scheme_host);
  // One attempt within the timeout: a quarter to connect, a quarter to send, half for
  // the answer.
  SetTimeout(options_.timeout / 4,
             [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  SetTimeout(options_.timeout / 4, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
  SetTimeout(options_.timeout / 2, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  client.set_keep_alive(false);
  client.set_follow_location(false);  // A redirect would carry the body elsewhere.
  if (absl::StartsWith(options_.scheme_host, "https://")) {
    client.enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) client.set_ca_cert_path(options_.ca_file.c_str());
  }
  const httplib::Headers headers = {
      {"X-Postura-Signature", WebhookSignature(options_.secret, body)},
      {"Idempotency-Key", transition.idempotency_key()},
      {"X-Postura-Alert-Id", transition.id()},
      {"User-Agent", "postura-collector"}};
  httplib::Result result = client.Post(options_.path, headers, body, "application/json");
  if (!result) {
    return absl::UnavailableError(
        absl::StrCat("POST ", options_.url, ": ", httplib::to_string(result.error())));
  }
  if (result->status < 200 || result->status > 299) {
    return absl::UnavailableError(
        absl::StrCat("POST ", options_.url, ": the receiver answered ", result->status));
  }
  return absl::OkStatus();
}

}  // namespace postura::collector
