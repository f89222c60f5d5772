#ifndef POSTURA_COMMON_TRANSPORT_P256_SIGNATURE_H_
#define POSTURA_COMMON_TRANSPORT_P256_SIGNATURE_H_

// Signatures over bytes with EC P-256 keys: ECDSA with SHA-256, DER-encoded, through
// OpenSSL. Agents seal their batches with it (evidence_seal.h) and organisations sign the
// summaries they publish to a sector (collector/sector/signed_summary.h).
//
// Immutable objects; any thread may use one signer or verifier, also several at once.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura {

class P256Signer {
 public:
  // The private key in `key_pem`. InvalidArgument naming `what` if there is none or it is
  // not an EC P-256 key.
  static absl::StatusOr<P256Signer> FromKeyPem(absl::string_view key_pem, absl::string_view what);

  // The signature of `message`. Internal if OpenSSL fails.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

  // The public half of the key, as PEM ("BEGIN PUBLIC KEY"), for those who verify.
  // Internal if OpenSSL fails.
  absl::StatusOr<std::string> PublicKeyPem() const;

 private:
  struct Key;
  explicit P256Signer(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

class P256Verifier {
 public:
  // The key of the first certificate in `certificate_pem`. InvalidArgument naming `what`
  // if there is none or its key is not EC P-256. Whether the certificate may be trusted
  // is the caller's question.
  static absl::StatusOr<P256Verifier> FromCertificatePem(absl::string_view certificate_pem,
                                                         absl::string_view what);

  // The public key in `public_key_pem` ("BEGIN PUBLIC KEY", as `openssl ec -pubout`
  // writes it). InvalidArgument naming `what` if there is none or it is not EC P-256.
  static absl::StatusOr<P256Verifier> FromPublicKeyPem(absl::string_view public_key_pem,
                                                       absl::string_view what);

  // Whether `signature` is this key's signature of `message`; false also for a signature
  // that is not DER.
  bool Matches(absl::string_view message, absl::string_view signature) const;

 private:
  struct Key;
  explicit P256Verifier(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_P256_SIGNATURE_H_
