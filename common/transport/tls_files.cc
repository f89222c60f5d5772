#include "common/transport/tls_files.h"

#include <openssl/err.h>

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/transport/private_file.h"
#include "common/transport/tls_file_io.h"
#include "common/transport/x509_pem.h"

namespace postura {

using tls_internal::NotAfter;
using tls_internal::ParseCertificates;
using tls_internal::ParseMatchingPair;
using tls_internal::ReadTextFile;
using tls_internal::SpkiDigestBase64;
using tls_internal::X509Ptr;

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& certificate_file,
                                            const std::filesystem::path& key_file,
                                            const std::filesystem::path& ca_file) {
  ERR_clear_error();
  absl::StatusOr<std::string> chain = ReadTextFile(certificate_file);
  if (!chain.ok()) return chain.status();
  if (absl::Status s = CheckPrivateFile(key_file); !s.ok()) return s;
  absl::StatusOr<std::string> key = ReadTextFile(key_file);
  if (!key.ok()) return key.status();
  if (absl::StatusOr<std::vector<X509Ptr>> parsed =
          ParseMatchingPair(*chain, certificate_file.string(), *key, key_file.string());
      !parsed.ok()) {
    return parsed.status();
  }
  TlsMaterial material{.ca_certificate_pem = "",
                       .certificate_chain_pem = *std::move(chain),
                       .private_key_pem = *std::move(key)};
  if (ca_file.empty()) return material;
  absl::StatusOr<std::string> ca = ReadCertificateFile(ca_file);
  if (!ca.ok()) return ca.status();
  material.ca_certificate_pem = *std::move(ca);
  return material;
}

absl::StatusOr<std::string> ReadCertificateFile(const std::filesystem::path& file) {
  ERR_clear_error();
  absl::StatusOr<std::string> text = ReadTextFile(file);
  if (!text.ok()) return text.status();
  if (absl::StatusOr<std::vector<X509Ptr>> certificates = ParseCertificates(*text, file.string());
      !certificates.ok()) {
    return certificates.status();
  }
  return text;
}

absl::StatusOr<absl::Time> CertificateNotAfter(const std::string& certificate_pem) {
  ERR_clear_error();
  absl::StatusOr<std::vector<X509Ptr>> certificates =
      ParseCertificates(certificate_pem, "certificate PEM");
  if (!certificates.ok()) return certificates.status();
  std::optional<absl::Time> not_after = NotAfter(certificates->front().get());
  if (!not_after) return absl::InvalidArgumentError("certificate PEM: unreadable notAfter time");
  return *not_after;
}

absl::StatusOr<std::string> SpkiSha256Base64(const std::string& certificate_pem) {
  ERR_clear_error();
  absl::StatusOr<std::vector<X509Ptr>> certificates =
      ParseCertificates(certificate_pem, "certificate PEM");
  if (!certificates.ok()) return certificates.status();
  return SpkiDigestBase64(certificates->front().get());
}

}  // namespace postura
