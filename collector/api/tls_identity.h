#ifndef POSTURA_COLLECTOR_API_TLS_IDENTITY_H_
#define POSTURA_COLLECTOR_API_TLS_IDENTITY_H_

// The HTTPS listener's certificate and key, replaceable while it serves: each TLS
// handshake takes the identity current at that moment (an OpenSSL certificate callback),
// so a reload (SIGHUP, OperationsService.Reload) needs no new server and drops no
// connection. The composition root creates it and replaces it on reload; the HTTP server
// installs it on its OpenSSL context (MakeServerTlsContext, which also makes the
// file-based one).
//
// Threading: Replace, not_after and the handshakes (on the HTTP server's threads) may run
// at once; a handshake holds its own reference to the identity it took.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/transport/tls_files.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX.

namespace postura::collector {

class TlsIdentity {
 public:
  // The identity in `material` (its certificate chain and private key, PEM).
  // InvalidArgument if either does not parse or they do not match.
  static absl::StatusOr<std::unique_ptr<TlsIdentity>> Create(const TlsMaterial& material);
  ~TlsIdentity();

  // Serves `material` from the next handshake on. On an error (as for Create) the
  // current identity stays and keeps serving.
  absl::Status Replace(const TlsMaterial& material);

  // When the certificate served now expires.
  absl::Time not_after() const;

  // Makes `context` (a server's) present this identity, as current at each handshake, with
  // TLS 1.2 or later and no compression. False if OpenSSL refused a setting. The identity
  // must outlive the context.
  bool InstallOn(ssl_ctx_st& context) const;

  struct Parsed;  // OpenSSL's objects of one certificate chain and key.

 private:
  explicit TlsIdentity(std::shared_ptr<const Parsed> parsed) : current_(std::move(parsed)) {}
  std::shared_ptr<const Parsed> Current() const;

  mutable absl::Mutex mu_;
  std::shared_ptr<const Parsed> current_ ABSL_GUARDED_BY(mu_);
};

struct SslContextFree {
  void operator()(ssl_ctx_st* context) const;
};
using SslContext = std::unique_ptr<ssl_ctx_st, SslContextFree>;

// Logs when the server's certificate expires: a warning within 30 days, an error once
// past. Clients refuse an expired certificate, so the collector would serve nobody
// (docs/security.md says how to renew; /metrics exports the date for alerting).
void LogCertificateExpiry(const std::string& certificate_file, absl::Time not_after);

// The OpenSSL context HttpServer's listener serves with (TLS 1.2 or later, no
// compression or renegotiation): presenting `identity` if it is set (which must then
// outlive the context), else the PEM files if they are named, else null (plain HTTP, tests
// only). InvalidArgument if OpenSSL refuses the files or a setting.
absl::StatusOr<SslContext> MakeServerTlsContext(const std::string& certificate_file,
                                                const std::string& key_file,
                                                const std::shared_ptr<const TlsIdentity>& identity);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_TLS_IDENTITY_H_
