#include "collector/alerting/webhook_test_receiver.h"

#include "absl/strings/str_cat.h"

namespace postura::test {

std::unique_ptr<WebhookTestReceiver> WebhookTestReceiver::Start(int port) {
  std::unique_ptr<WebhookTestReceiver> receiver(new WebhookTestReceiver);
  WebhookTestReceiver* raw = receiver.get();
  receiver->server_.Post("/hook",
                         [raw](const httplib::Request& request, httplib::Response& response) {
                           raw->Handle(request, response);
                         });
  if (port == 0) {
    receiver->port_ = receiver->server_.bind_to_any_port("127.0.0.1");
  } else if (receiver->server_.bind_to_port("127.0.0.1", port)) {
    receiver->port_ = port;
  }
  if (receiver->port_ <= 0) return nullptr;
  // Connections queue in the bound socket's backlog until the thread accepts them.
  receiver->thread_ = std::thread([raw] { raw->server_.listen_after_bind(); });
  return receiver;
}

WebhookTestReceiver::~WebhookTestReceiver() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string WebhookTestReceiver::url() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/hook");
}

void WebhookTestReceiver::AnswerWith(int status) {
  absl::MutexLock lock(&mu_);
  status_ = status;
}

void WebhookTestReceiver::Hang(bool hang) {
  absl::MutexLock lock(&mu_);
  hang_ = hang;
}

void WebhookTestReceiver::Handle(const httplib::Request& request, httplib::Response& response) {
  absl::MutexLock lock(&mu_);
  auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hang_ || stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&released), absl::Minutes(1));
  Request& recorded = requests_.emplace_back();
  recorded.body = request.body;
  recorded.signature = request.get_header_value("X-Postura-Signature");
  recorded.idempotency_key = request.get_header_value("Idempotency-Key");
  recorded.alert_id = request.get_header_value("X-Postura-Alert-Id");
  recorded.content_type = request.get_header_value("Content-Type");
  recorded.answered = status_;
  response.status = status_;
  response.set_content(status_ < 300 ? "ok" : "refused", "text/plain");
}

std::vector<WebhookTestReceiver::Request> WebhookTestReceiver::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

std::vector<WebhookTestReceiver::Request> WebhookTestReceiver::accepted() const {
  std::vector<Request> accepted;
  for (const Request& request : requests()) {
    if (request.answered >= 200 && request.answered < 300) accepted.push_back(request);
  }
  return accepted;
}

bool WebhookTestReceiver::WaitForRequests(size_t count, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return requests_.size() >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool WebhookTestReceiver::WaitForAccepted(size_t count, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t accepted = 0;
    for (const Request& request : requests_) accepted += request.answered / 100 == 2;
    return accepted >= count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

}  // namespace postura::test
