#include "collector/api/tls_identity.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "glog/logging.h"

namespace postura::collector {

struct TlsIdentity::Parsed {
  ~Parsed() {
    for (X509* certificate : chain) X509_free(certificate);
    EVP_PKEY_free(key);
  }
  std::vector<X509*> chain;  // The server's certificate first.
  EVP_PKEY* key = nullptr;
  absl::Time not_after;
};

namespace {

// The certificates and the key of `material`, checked to match.
absl::StatusOr<std::shared_ptr<const TlsIdentity::Parsed>> Parse(const TlsMaterial& material) {
  auto parsed = std::make_shared<TlsIdentity::Parsed>();
  BIO* certificates = BIO_new_mem_buf(material.certificate_chain_pem.data(),
                                      static_cast<int>(material.certificate_chain_pem.size()));
  while (X509* certificate = PEM_read_bio_X509(certificates, nullptr, nullptr, nullptr)) {
    parsed->chain.push_back(certificate);
  }
  BIO_free(certificates);
  BIO* key = BIO_new_mem_buf(material.private_key_pem.data(),
                             static_cast<int>(material.private_key_pem.size()));
  parsed->key = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
  BIO_free(key);
  if (parsed->chain.empty()) return absl::InvalidArgumentError("no certificate in the chain");
  if (parsed->key == nullptr) return absl::InvalidArgumentError("the private key does not parse");
  if (X509_check_private_key(parsed->chain[0], parsed->key) != 1) {
    return absl::InvalidArgumentError("the private key does not match the certificate");
  }
  absl::StatusOr<absl::Time> not_after = CertificateNotAfter(material.certificate_chain_pem);
  if (!not_after.ok()) return not_after.status();
  parsed->not_after = *not_after;
  return parsed;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsIdentity>> TlsIdentity::Create(const TlsMaterial& material) {
  absl::StatusOr<std::shared_ptr<const Parsed>> parsed = Parse(material);
  if (!parsed.ok()) return parsed.status();
  return std::unique_ptr<TlsIdentity>(new TlsIdentity(*std::move(parsed)));
}

TlsIdentity::~TlsIdentity() = default;

absl::Status TlsIdentity::Replace(const TlsMaterial& material) {
  absl::StatusOr<std::shared_ptr<const Parsed>> parsed = Parse(material);
  if (!parsed.ok()) return parsed.status();
  absl::MutexLock lock(&mu_);
  current_ = *std::move(parsed);
  return absl::OkStatus();
}

std::shared_ptr<const TlsIdentity::Parsed> TlsIdentity::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::Time TlsIdentity::not_after() const { return Current()->not_after; }

bool TlsIdentity::InstallOn(ssl_ctx_st& context) const {
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) != 1) return false;
  SSL_CTX_set_cert_cb(
      &context,
      [](SSL* ssl, void* self) {
        // The handshake's own reference: a Replace meanwhile frees nothing it uses, and
        // SSL_use_* take their own references to the objects.
        const std::shared_ptr<const Parsed> parsed =
            static_cast<const TlsIdentity*>(self)->Current();
        if (SSL_use_certificate(ssl, parsed->chain[0]) != 1 ||
            SSL_use_PrivateKey(ssl, parsed->key) != 1) {
          return 0;
        }
        SSL_clear_chain_certs(ssl);
        for (size_t i = 1; i < parsed->chain.size(); ++i) {
          if (SSL_add1_chain_cert(ssl, parsed->chain[i]) != 1) return 0;
        }
        return 1;
      },
      const_cast<TlsIdentity*>(this));
  return true;
}

void SslContextFree::operator()(ssl_ctx_st* context) const { SSL_CTX_free(context); }

void LogCertificateExpiry(const std::string& certificate_file, absl::Time not_after) {
  const absl::Duration left = not_after - absl::Now();
  const std::string when = absl::FormatTime(not_after, absl::UTCTimeZone());
  if (left <= absl::ZeroDuration()) {
    LOG(ERROR) << "TLS certificate " << certificate_file << " expired on " << when
               << ": clients will refuse it until it is renewed (docs/security.md)";
  } else if (left < absl::Hours(24 * 30)) {
    LOG(WARNING) << "TLS certificate " << certificate_file << " expires on " << when << ", in "
                 << absl::ToInt64Hours(left) / 24
                 << " days: renew it, or restart a collector that uses the local CA "
                    "(docs/security.md)";
  } else {
    LOG(INFO) << "TLS certificate " << certificate_file << " valid until " << when;
  }
}

absl::StatusOr<SslContext> MakeServerTlsContext(
    const std::string& certificate_file, const std::string& key_file,
    const std::shared_ptr<const TlsIdentity>& identity) {
  if (identity == nullptr && certificate_file.empty()) return SslContext();
  SslContext context(SSL_CTX_new(TLS_server_method()));
  if (context == nullptr) return absl::InternalError("OpenSSL cannot make a TLS context");
  if (identity != nullptr) {
    if (!identity->InstallOn(*context)) {
      return absl::InvalidArgumentError("OpenSSL refused the HTTPS TLS settings");
    }
    return context;
  }
  SSL_CTX_set_options(context.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  const bool usable =
      SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION) == 1 &&
      SSL_CTX_use_certificate_chain_file(context.get(), certificate_file.c_str()) == 1 &&
      SSL_CTX_use_PrivateKey_file(context.get(), key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
      SSL_CTX_check_private_key(context.get()) == 1;
  ERR_clear_error();
  if (!usable) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP TLS: cannot use certificate ",
                                                   certificate_file, " with key ", key_file));
  }
  return context;
}

}  // namespace postura::collector
