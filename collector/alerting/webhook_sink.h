#ifndef POSTURA_COLLECTOR_ALERTING_WEBHOOK_SINK_H_
#define POSTURA_COLLECTOR_ALERTING_WEBHOOK_SINK_H_

// Delivers alert transitions to an HTTP(S) webhook: a POST whose body is the transition
// in protobuf's JSON mapping (camelCase), with the headers
//   Content-Type: application/json
//   X-Postura-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed by the secret>
//   Idempotency-Key: <the transition's idempotency key>
//   X-Postura-Alert-Id: <the alert's id>
// A 2xx answer delivers it; anything else (another status, no answer within the timeout,
// a TLS failure) is an error, and the delivery thread tries again later. https verifies
// the receiver against the system's CA store, or ca_file when configured. Built by the
// collector's composition root from WebhookOptions (alert_config.h); the engine's delivery
// thread for this sink calls Deliver.
//
// Threading: Deliver from one thread at a time; name() from any.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collector/alerting/alert_config.h"
#include "collector/alerting/alert_sink.h"

namespace postura::collector {

class WebhookSink : public AlertSink {
 public:
  // REQUIRES: `options` came from AlertingOptionsFromConfig, secret filled in.
  explicit WebhookSink(WebhookOptions options) : options_(std::move(options)) {}

  std::string name() const override { return options_.name; }
  absl::Status Deliver(const v1::AlertTransition& transition) override;

 private:
  const WebhookOptions options_;
};

// The body a webhook receives for `transition`: its JSON mapping, camelCase, on one line.
std::string WebhookBody(const v1::AlertTransition& transition);

// "sha256=" and the lowercase hex HMAC-SHA256 of `body` keyed by `secret`.
std::string WebhookSignature(absl::string_view secret, absl::string_view body);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_WEBHOOK_SINK_H_
