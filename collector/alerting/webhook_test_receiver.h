#ifndef POSTURA_COLLECTOR_ALERTING_WEBHOOK_TEST_RECEIVER_H_
#define POSTURA_COLLECTOR_ALERTING_WEBHOOK_TEST_RECEIVER_H_

// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every
// request (body and the Postura headers) and answers as the test says: with a status,
// or by hanging until told otherwise. Used by alerting_tests and the alert process test.
//
// Threading: thread-safe; requests are served on the server's own threads.

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace postura::test {

class WebhookTestReceiver {
 public:
  struct Request {
    std::string body;
    std::string signature;        // X-Postura-Signature.
    std::string idempotency_key;  // Idempotency-Key.
    std::string alert_id;         // X-Postura-Alert-Id.
    std::string content_type;
    int answered = 0;  // The status it was answered with.
  };

  // Listens on 127.0.0.1:`port` (0: any free port). Null if it cannot.
  static std::unique_ptr<WebhookTestReceiver> Start(int port = 0);
  ~WebhookTestReceiver();  // Releases hanging requests and stops.

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:<port>/hook".

  // Answers the following requests with `status`.
  void AnswerWith(int status);
  // While hanging, requests wait (for at most a minute) before they are answered.
  void Hang(bool hang);

  std::vector<Request> requests() const;
  // Requests answered 2xx.
  std::vector<Request> accepted() const;
  // Waits until `count` requests came (whatever their answers); false on timeout.
  bool WaitForRequests(size_t count, absl::Duration timeout) const;
  // Waits until `count` requests were answered 2xx; false on timeout.
  bool WaitForAccepted(size_t count, absl::Duration timeout) const;

 private:
  WebhookTestReceiver() = default;
  void Handle(const httplib::Request& request, httplib::Response& response);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  int status_ ABSL_GUARDED_BY(mu_) = 200;
  bool hang_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace postura::test

#endif  // POSTURA_COLLECTOR_ALERTING_WEBHOOK_TEST_RECEIVER_H_
