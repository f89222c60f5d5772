#include "common/transport/agent_certificate.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/transport/certificate_issuer.h"
#include "common/transport/x509_pem.h"

namespace postura {
namespace {

using tls_internal::OpenSslError;
using tls_internal::OpenSslFree;
using tls_internal::PkeyPtr;
using tls_internal::X509Ptr;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using RequestPtr = std::unique_ptr<X509_REQ, OpenSslFree<X509_REQ_free>>;
using StorePtr = std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>>;
using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, OpenSslFree<X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;

constexpr absl::string_view kAgentUri = "urn:postura:agent:";
constexpr absl::string_view kTenantUri = "urn:postura:tenant:";
constexpr absl::Duration kBackdate = absl::Minutes(5);
constexpr absl::Duration kCaLifetime = absl::Hours(24 * 3650);
constexpr int kCaNameSuffixBytes = 8;

// The registry's id rule (collector/registry/registry_rules.h), repeated here because
// common/ may not depend on the collector: ids go into URIs and openssl.cnf syntax.
bool IsRegistryId(absl::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

absl::Status CheckId(absl::string_view what, absl::string_view id) {
  if (IsRegistryId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " \"", absl::CEscape(id.substr(0, 160)),
                                                 "\" is not 1-128 of A-Za-z0-9._-"));
}

// Sets `name`'s only entry to CN=`common_name`.
bool SetCommonName(X509_NAME* name, absl::string_view common_name) {
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(common_name.data()),
                                    static_cast<int>(common_name.size()), -1, 0) == 1;
}

// Makes `certificate` valid from kBackdate before `now` for `lifetime`.
absl::Status SetValidity(X509* certificate, absl::Time now, absl::Duration lifetime) {
  time_t start = absl::ToTimeT(now - kBackdate);
  time_t end = absl::ToTimeT(now + lifetime);
  if (X509_time_adj_ex(X509_getm_notBefore(certificate), 0, 0, &start) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(certificate), 0, 0, &end) == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set the validity period");
  }
  return absl::OkStatus();
}

// A v3 certificate for `key` named CN=`common_name`, issued by `issuer_name`, with a
// random serial and the validity; extensions and signature are left to the caller.
absl::StatusOr<X509Ptr> NewCertificate(EVP_PKEY* key, absl::string_view common_name,
                                       X509_NAME* issuer_name, absl::Time now,
                                       absl::Duration lifetime) {
  X509Ptr certificate(X509_new());
  if (certificate == nullptr || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      X509_set_pubkey(certificate.get(), key) != 1 ||
      !SetCommonName(X509_get_subject_name(certificate.get()), common_name)) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot create a certificate");
  }
  X509_NAME* issuer =
      issuer_name != nullptr ? issuer_name : X509_get_subject_name(certificate.get());
  if (X509_set_issuer_name(certificate.get(), issuer) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set the issuer");
  }
  if (absl::Status s = tls_internal::SetRandomSerial(certificate.get()); !s.ok()) return s;
  if (absl::Status s = SetValidity(certificate.get(), now, lifetime); !s.ok()) return s;
  return certificate;
}

absl::StatusOr<std::string> RequestPem(X509_REQ* request) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509_REQ(bio.get(), request) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot encode the signing request");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// The text of `name`'s only CN, or nullopt if it has other entries or none.
std::optional<std::string> OnlyCommonName(X509_NAME* name) {
  if (X509_NAME_entry_count(name) != 1) return std::nullopt;
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

// The request in `pem`, after checking its size, signature, key type and subject.
absl::StatusOr<RequestPtr> ParseRequest(absl::string_view pem, absl::string_view agent_id) {
  if (pem.size() > kMaxSigningRequestBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the signing request is ", pem.size(),
                                                   " bytes, more than ", kMaxSigningRequestBytes));
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  RequestPtr request(bio == nullptr ? nullptr
                                    : PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (request == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "the signing request is not a PEM certificate request");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(request.get());
  char group[32] = {};
  size_t group_length = 0;
  if (key == nullptr || !EVP_PKEY_is_a(key, "EC") ||
      EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length) != 1 ||
      absl::string_view(group, group_length) != "prime256v1") {
    ERR_clear_error();
    return absl::InvalidArgumentError("the signing request's key is not an EC P-256 key");
  }
  if (X509_REQ_verify(request.get(), key) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "the signing request is not signed by its own key");
  }
  const std::optional<std::string> subject =
      OnlyCommonName(X509_REQ_get_subject_name(request.get()));
  if (subject != agent_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("the signing request names ",
                     subject ? absl::StrCat("CN=", absl::CEscape(*subject)) : "another subject",
                     ", not CN=", agent_id));
  }
  return request;
}

// The URIs of `certificate`'s subjectAltName.
std::vector<std::string> AltNameUris(X509* certificate) {
  std::vector<std::string> uris;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (names == nullptr) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri)));
  }
  return uris;
}

std::optional<absl::Time> TimeOf(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return std::nullopt;
  return absl::FromTimeT(timegm(&parts));
}

std::string SerialHex(X509* certificate) {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  if (serial == nullptr) return "";
  char* hex = BN_bn2hex(serial.get());
  if (hex == nullptr) return "";
  std::string text = absl::AsciiStrToLower(hex);
  OPENSSL_free(hex);
  return text;
}

// What `certificate` names, read without checking who issued it.
absl::StatusOr<AgentCertificateFacts> FactsOf(X509* certificate) {
  AgentCertificateFacts facts;
  for (const std::string& uri : AltNameUris(certificate)) {
    if (absl::StartsWith(uri, kAgentUri)) facts.agent_id = uri.substr(kAgentUri.size());
    if (absl::StartsWith(uri, kTenantUri)) facts.tenant_id = uri.substr(kTenantUri.size());
  }
  if (!IsRegistryId(facts.agent_id) ||
      (!facts.tenant_id.empty() && !IsRegistryId(facts.tenant_id))) {
    return absl::UnauthenticatedError("the agent certificate names no agent");
  }
  facts.serial = SerialHex(certificate);
  const std::optional<absl::Time> not_before = TimeOf(X509_get0_notBefore(certificate));
  const std::optional<absl::Time> not_after = TimeOf(X509_get0_notAfter(certificate));
  if (facts.serial.empty() || !not_before || !not_after) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot read the agent certificate");
  }
  facts.not_before = *not_before;
  facts.not_after = *not_after;
  absl::StatusOr<std::string> digest = tls_internal::SpkiDigestBase64(certificate);
  if (!digest.ok()) return digest.status();
  if (!absl::Base64Unescape(*digest, &facts.key_sha256)) {
    return absl::InternalError("cannot decode the agent certificate's key digest");
  }
  return facts;
}

}  // namespace

absl::StatusOr<std::string> NewAgentKeyPem() {
  absl::StatusOr<PkeyPtr> key = tls_internal::GenerateP256Key();
  if (!key.ok()) return key.status();
  return tls_internal::PrivateKeyPem(key->get());
}

absl::StatusOr<std::string> AgentSigningRequestPem(absl::string_view key_pem,
                                                   absl::string_view agent_id) {
  if (absl::Status s = CheckId("agent id", agent_id); !s.ok()) return s;
  absl::StatusOr<PkeyPtr> key = tls_internal::ParsePrivateKey(key_pem, "the agent's key");
  if (!key.ok()) return key.status();
  RequestPtr request(X509_REQ_new());
  if (request == nullptr || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_pubkey(request.get(), key->get()) != 1 ||
      !SetCommonName(X509_REQ_get_subject_name(request.get()), agent_id) ||
      X509_REQ_sign(request.get(), key->get(), EVP_sha256()) <= 0) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot make the signing request");
  }
  return RequestPem(request.get());
}

absl::StatusOr<std::string> SigningRequestKeySha256(absl::string_view request_pem,
                                                    absl::string_view agent_id) {
  if (absl::Status s = CheckId("agent id", agent_id); !s.ok()) return s;
  absl::StatusOr<RequestPtr> request = ParseRequest(request_pem, agent_id);
  if (!request.ok()) return request.status();
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(X509_REQ_get0_pubkey(request->get()), &der);
  if (length <= 0) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot encode the request's key");
  }
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(der, static_cast<size_t>(length), reinterpret_cast<unsigned char*>(digest.data()));
  OPENSSL_free(der);
  return digest;
}

absl::StatusOr<AgentCertificateAuthority> NewAgentCertificateAuthority() {
  absl::StatusOr<PkeyPtr> key = tls_internal::GenerateP256Key();
  if (!key.ok()) return key.status();
  std::string suffix(kCaNameSuffixBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(suffix.data()), kCaNameSuffixBytes) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot draw random bytes");
  }
  absl::StatusOr<X509Ptr> certificate =
      NewCertificate(key->get(), absl::StrCat("Postura agent CA ", absl::BytesToHexString(suffix)),
                     nullptr, absl::Now(), kCaLifetime);
  if (!certificate.ok()) return certificate.status();
  X509* ca = certificate->get();
  if (absl::Status s =
          tls_internal::AddExtensions(ca, ca,
                                      {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                       {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                       {NID_subject_key_identifier, "hash"}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = tls_internal::Sign(ca, key->get()); !s.ok()) return s;
  absl::StatusOr<std::string> certificate_pem = tls_internal::CertificatePem(ca);
  if (!certificate_pem.ok()) return certificate_pem.status();
  absl::StatusOr<std::string> key_pem = tls_internal::PrivateKeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return AgentCertificateAuthority{*std::move(certificate_pem), *std::move(key_pem)};
}

absl::StatusOr<std::string> IssueAgentCertificate(const AgentCertificateAuthority& ca,
                                                  absl::string_view request_pem,
                                                  absl::string_view agent_id,
                                                  absl::string_view tenant_id, absl::Time now,
                                                  absl::Duration lifetime) {
  if (absl::Status s = CheckId("agent id", agent_id); !s.ok()) return s;
  if (!tenant_id.empty()) {
    if (absl::Status s = CheckId("tenant id", tenant_id); !s.ok()) return s;
  }
  if (lifetime < kMinAgentCertificateLifetime || lifetime > kMaxAgentCertificateLifetime) {
    return absl::InvalidArgumentError(
        absl::StrCat("an agent certificate's lifetime is ", absl::FormatDuration(lifetime),
                     ", outside [", absl::FormatDuration(kMinAgentCertificateLifetime), ", ",
                     absl::FormatDuration(kMaxAgentCertificateLifetime), "]"));
  }
  absl::StatusOr<std::vector<X509Ptr>> ca_chain = tls_internal::ParseMatchingPair(
      ca.certificate_pem, "the agent CA's certificate", ca.key_pem, "the agent CA's key");
  absl::StatusOr<PkeyPtr> ca_key = tls_internal::ParsePrivateKey(ca.key_pem, "the agent CA's key");
  if (!ca_chain.ok() || !ca_key.ok()) {
    return absl::FailedPreconditionError(
        (!ca_chain.ok() ? ca_chain.status() : ca_key.status()).message());
  }
  absl::StatusOr<RequestPtr> request = ParseRequest(request_pem, agent_id);
  if (!request.ok()) return request.status();
  X509* issuer = ca_chain->front().get();
  absl::StatusOr<X509Ptr> certificate = NewCertificate(
      X509_REQ_get0_pubkey(request->get()), agent_id, X509_get_subject_name(issuer), now, lifetime);
  if (!certificate.ok()) return certificate.status();
  std::string names = absl::StrCat("URI:", kAgentUri, agent_id);
  if (!tenant_id.empty()) absl::StrAppend(&names, ",URI:", kTenantUri, tenant_id);
  if (absl::Status s =
          tls_internal::AddExtensions(certificate->get(), issuer,
                                      {{NID_basic_constraints, "critical,CA:FALSE"},
                                       {NID_key_usage, "critical,digitalSignature"},
                                       {NID_ext_key_usage, "clientAuth"},
                                       {NID_subject_alt_name, names.c_str()},
                                       {NID_subject_key_identifier, "hash"},
                                       {NID_authority_key_identifier, "keyid:always"}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = tls_internal::Sign(certificate->get(), ca_key->get()); !s.ok()) return s;
  return tls_internal::CertificatePem(certificate->get());
}

absl::StatusOr<AgentCertificateFacts> VerifyAgentCertificate(absl::string_view certificate_pem,
                                                             absl::string_view ca_certificate_pem,
                                                             absl::Time now) {
  absl::StatusOr<std::vector<X509Ptr>> chain =
      tls_internal::ParseCertificates(certificate_pem, "the agent certificate");
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::vector<X509Ptr>> ca =
      tls_internal::ParseCertificates(ca_certificate_pem, "the agent CA's certificate");
  if (!ca.ok()) return ca.status();
  X509* certificate = chain->front().get();
  StorePtr store(X509_STORE_new());
  StoreContextPtr context(X509_STORE_CTX_new());
  if (store == nullptr || context == nullptr ||
      X509_STORE_add_cert(store.get(), ca->front().get()) != 1 ||
      X509_STORE_CTX_init(context.get(), store.get(), certificate, nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set up certificate verification");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context.get()), absl::ToTimeT(now));
  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    ERR_clear_error();
    return absl::UnauthenticatedError(absl::StrCat("the agent certificate does not verify: ",
                                                   X509_verify_cert_error_string(error)));
  }
  return FactsOf(certificate);
}

absl::StatusOr<AgentCertificateFacts> ReadAgentCertificate(absl::string_view certificate_pem) {
  absl::StatusOr<std::vector<X509Ptr>> chain =
      tls_internal::ParseCertificates(certificate_pem, "the agent certificate");
  if (!chain.ok()) return chain.status();
  return FactsOf(chain->front().get());
}

}  // namespace postura
