#include "common/transport/certificate_issuer.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace postura::tls_internal {
namespace {

using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslFree<GENERAL_NAME_free>>;
using Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, OpenSslFree<ASN1_IA5STRING_free>>;
using OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OpenSslFree<ASN1_OCTET_STRING_free>>;

constexpr int kCaValidityDays = 3650;
constexpr int kServerValidityDays = 730;
// Certificates start an hour in the past, so a client whose clock runs a little behind
// the host's still accepts a certificate issued a moment ago.
constexpr long kBackdateSeconds = 3600;
constexpr int kSerialBytes = 16;
constexpr int kCaNameSuffixBytes = 8;
constexpr size_t kMaxServerNameLength = 253;

}  // namespace

absl::StatusOr<PkeyPtr> GenerateP256Key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot generate an EC P-256 key");
  }
  return key;
}

namespace {

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
absl::StatusOr<std::string> RandomHex(int bytes) {
  std::string random(static_cast<size_t>(bytes), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), bytes) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot draw random bytes");
  }
  return absl::BytesToHexString(random);
}

}  // namespace

absl::Status SetRandomSerial(X509* certificate) {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot draw a random serial number");
  }
  BignumPtr serial(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (serial == nullptr ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set a serial number");
  }
  return absl::OkStatus();
}

namespace {

// Makes `certificate` valid from kBackdateSeconds ago until `days` from now.
absl::Status SetValidity(X509* certificate, int days) {
  if (X509_gmtime_adj(X509_getm_notBefore(certificate), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(certificate), days, 0, nullptr) == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set the validity period");
  }
  return absl::OkStatus();
}

// An unsigned v3 certificate for `key` with subject CN=`common_name`, a random serial
// and `days` of validity. Issuer and extensions are left to the caller.
absl::StatusOr<X509Ptr> NewCertificate(EVP_PKEY* key, absl::string_view common_name, int days) {
  X509Ptr certificate(X509_new());
  if (certificate == nullptr || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      X509_set_pubkey(certificate.get(), key) != 1 ||
      X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate.get()), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot create a certificate");
  }
  if (absl::Status s = SetRandomSerial(certificate.get()); !s.ok()) return s;
  if (absl::Status s = SetValidity(certificate.get(), days); !s.ok()) return s;
  return certificate;
}

}  // namespace

absl::Status AddExtensions(X509* certificate, X509* issuer,
                           std::initializer_list<ExtensionText> extensions) {
  for (const ExtensionText& text : extensions) {
    X509V3_CTX context{};
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, text.nid, text.value));
    if (extension == nullptr || X509_add_ext(certificate, extension.get(), -1) != 1) {
      return OpenSslError(
          absl::StatusCode::kInternal,
          absl::StrCat("cannot add the extension ", OBJ_nid2sn(text.nid), " = ", text.value));
    }
  }
  return absl::OkStatus();
}

namespace {

// True if `name` has only the characters of a DNS name, an IPv4 or an IPv6 address.
bool HasServerNameCharacters(absl::string_view name) {
  return !name.empty() && name.size() <= kMaxServerNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                  absl::string_view("-._*:").find(c) != absl::string_view::npos;
         });
}

// `name` as a subjectAltName entry: an iPAddress if it parses as an IPv4 or IPv6
// address, a dNSName otherwise. InvalidArgument if it can be neither.
absl::StatusOr<GeneralNamePtr> ToGeneralName(const std::string& name) {
  if (!HasServerNameCharacters(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("server name \"", absl::CEscape(name), "\" is not a DNS name or IP address"));
  }
  GeneralNamePtr general(GENERAL_NAME_new());
  if (general == nullptr) return OpenSslError(absl::StatusCode::kInternal, "out of memory");
  if (OctetStringPtr address(a2i_IPADDRESS(name.c_str())); address != nullptr) {
    GENERAL_NAME_set0_value(general.get(), GEN_IPADD, address.release());
    return general;
  }
  ERR_clear_error();
  if (name.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("server name \"", name, "\" is neither an IP address nor a DNS name"));
  }
  Ia5StringPtr dns(ASN1_IA5STRING_new());
  if (dns == nullptr ||
      ASN1_STRING_set(dns.get(), name.data(), static_cast<int>(name.size())) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "out of memory");
  }
  GENERAL_NAME_set0_value(general.get(), GEN_DNS, dns.release());
  return general;
}

}  // namespace

absl::Status Sign(X509* certificate, EVP_PKEY* key) {
  if (X509_sign(certificate, key, EVP_sha256()) <= 0) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot sign a certificate");
  }
  return absl::OkStatus();
}

absl::StatusOr<GeneralNamesPtr> SubjectAltNames(const std::vector<std::string>& server_names) {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  for (const std::string& name : server_names) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  GeneralNamesPtr general_names(sk_GENERAL_NAME_new_null());
  if (general_names == nullptr) return OpenSslError(absl::StatusCode::kInternal, "out of memory");
  for (const std::string& name : names) {
    absl::StatusOr<GeneralNamePtr> general = ToGeneralName(name);
    if (!general.ok()) return general.status();
    if (sk_GENERAL_NAME_push(general_names.get(), general->get()) <= 0) {
      return OpenSslError(absl::StatusCode::kInternal, "out of memory");
    }
    general->release();  // Now owned by general_names.
  }
  return general_names;
}

absl::StatusOr<Identity> IssueCertificateAuthority() {
  absl::StatusOr<PkeyPtr> key = GenerateP256Key();
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> suffix = RandomHex(kCaNameSuffixBytes);
  if (!suffix.ok()) return suffix.status();
  absl::StatusOr<X509Ptr> certificate =
      NewCertificate(key->get(), absl::StrCat("Postura local CA ", *suffix), kCaValidityDays);
  if (!certificate.ok()) return certificate.status();
  X509* ca = certificate->get();
  if (X509_set_issuer_name(ca, X509_get_subject_name(ca)) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set the CA's issuer");
  }
  if (absl::Status s = AddExtensions(ca, ca,
                                     {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                      {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                      {NID_subject_key_identifier, "hash"}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Sign(ca, key->get()); !s.ok()) return s;
  return Identity{*std::move(key), *std::move(certificate)};
}

absl::StatusOr<Identity> IssueServerCertificate(const Identity& ca, GENERAL_NAMES* names) {
  absl::StatusOr<PkeyPtr> key = GenerateP256Key();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> certificate =
      NewCertificate(key->get(), "Postura server", kServerValidityDays);
  if (!certificate.ok()) return certificate.status();
  X509* server = certificate->get();
  if (X509_set_issuer_name(server, X509_get_subject_name(ca.certificate.get())) != 1 ||
      X509_add1_ext_i2d(server, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot name the server certificate");
  }
  if (absl::Status s = AddExtensions(server, ca.certificate.get(),
                                     {{NID_basic_constraints, "critical,CA:FALSE"},
                                      {NID_key_usage, "critical,digitalSignature"},
                                      {NID_ext_key_usage, "serverAuth"},
                                      {NID_subject_key_identifier, "hash"},
                                      {NID_authority_key_identifier, "keyid:always"}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Sign(server, ca.key.get()); !s.ok()) return s;
  return Identity{*std::move(key), *std::move(certificate)};
}

}  // namespace postura::tls_internal
