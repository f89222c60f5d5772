#ifndef POSTURA_AGENT_DELIVERY_CERTIFICATE_RENEWAL_H_
#define POSTURA_AGENT_DELIVERY_CERTIFICATE_RENEWAL_H_

// Keeps the agent's client certificate fresh (issue 22, item 1). At two thirds of the
// certificate's lifetime it asks the collector for a new one
// (EnrollmentService.RenewCertificate, over mutual TLS with the current certificate and
// the same key), saves it over certificate_file and hands it to the uploader through an
// IdentityHolder; the uploader connects again with it. While the collector cannot be
// reached or refuses, it tries again with jittered backoff (initial_backoff doubling to
// max_backoff) for as long as the current certificate is valid; once it has expired, the
// collector no longer accepts it, and the agent logs, as an error and once an hour, that
// it must enroll again.
//
// The agent daemon owns both objects: the holder first, then the uploader, then the
// renewal, whose destructor stops its thread. Thread-safe.

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"

namespace postura::agent {

// The agent's current key and certificate: written by the renewal, read by the uploader
// at each connection. Thread-safe.
class IdentityHolder {
 public:
  explicit IdentityHolder(ClientCertificate certificate) : certificate_(std::move(certificate)) {}

  ClientCertificate certificate() const {
    absl::MutexLock lock(&mu_);
    return certificate_;
  }
  // Grows by one at each Replace.
  uint64_t generation() const {
    absl::MutexLock lock(&mu_);
    return generation_;
  }
  void Replace(ClientCertificate certificate) {
    absl::MutexLock lock(&mu_);
    certificate_ = std::move(certificate);
    ++generation_;
  }

 private:
  mutable absl::Mutex mu_;
  ClientCertificate certificate_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

struct RenewalOptions {
  // host:port of each collector, in the order tried: a renewal that fails moves on to the
  // next. At least one.
  std::vector<std::string> collector_addresses;
  CollectorTrust trust;  // The CA the collector's certificate must chain to; no token.
  std::string agent_id;
  std::string certificate_file;  // Where the renewed certificate is saved.
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  absl::Duration call_timeout = absl::Seconds(10);
};

// When a certificate valid from `not_before` to `not_after` is due for renewal: after
// two thirds of its lifetime.
absl::Time RenewalDue(absl::Time not_before, absl::Time not_after);

class CertificateRenewal {
 public:
  // Starts the thread. `identity` must hold the agent's key and certificate, and must
  // outlive this object.
  CertificateRenewal(const RenewalOptions& options, IdentityHolder& identity);
  // Stops the thread; a renewal in flight is cancelled.
  ~CertificateRenewal();

  // Certificates obtained since start.
  uint64_t renewals() const;

 private:
  void Run();
  // One attempt at the collector `address`: a new certificate, saved and handed over.
  // The collector's refusal or Unavailable; FailedPrecondition if it cannot be saved.
  absl::Status RenewOnce(const std::string& address);
  // Waits until `until` or a stop; false on a stop.
  bool WaitUntil(absl::Time until);

  const RenewalOptions options_;
  IdentityHolder& identity_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t renewals_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_CERTIFICATE_RENEWAL_H_
