#include "common/tls_files.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "glog/logging.h"

namespace postura {
namespace {

namespace fs = std::filesystem;

// Frees an OpenSSL object with its own free function, for std::unique_ptr.
template <auto kFree>
struct OpenSslFree {
  template <typename T>
  void operator()(T* object) const {
    kFree(object);
  }
};
struct OpenSslBufferFree {
  void operator()(unsigned char* buffer) const { OPENSSL_free(buffer); }
};
struct X509StackFree {  // Frees the stack only: its certificates are borrowed.
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslFree<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;
using Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, OpenSslFree<ASN1_IA5STRING_free>>;
using OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OpenSslFree<ASN1_OCTET_STRING_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslFree<X509_STORE_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>>;

// The local CA's files, in the order they are checked and written.
struct AuthorityFile {
  const char* name;
  mode_t mode;
};
constexpr std::array<AuthorityFile, 4> kAuthorityFiles = {{
    {"ca.crt", 0644},
    {"ca.key", 0600},
    {"server.crt", 0644},
    {"server.key", 0600},
}};
enum AuthorityFileIndex { kCaCertificate, kCaKey, kServerCertificate, kServerKey };
using AuthorityTexts = std::array<std::string, kAuthorityFiles.size()>;

constexpr mode_t kDirectoryMode = 0700;
constexpr int kCaValidityDays = 3650;
constexpr int kServerValidityDays = 730;
// Certificates start an hour in the past, so a client whose clock runs a little behind
// the host's still accepts a certificate issued a moment ago.
constexpr long kBackdateSeconds = 3600;
constexpr int kSerialBytes = 16;
constexpr int kCaNameSuffixBytes = 8;
// Far more than any certificate chain; stops a mistaken path (a log, a device) early.
constexpr size_t kMaxPemBytes = 1 << 20;
constexpr size_t kMaxServerNameLength = 253;

// --- Errors -------------------------------------------------------------------------

// Empties OpenSSL's thread-local error queue into one line, so that a failure's text
// never shows up in a later, unrelated error.
std::string TakeOpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buffer);
  }
  return text.empty() ? "no detail recorded" : text;
}

// `what`, followed by OpenSSL's account of why.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what) {
  return absl::Status(code, absl::StrCat(what, " (OpenSSL: ", TakeOpenSslErrors(), ")"));
}

// `what` and `path`, with the current errno's code and text.
absl::Status ErrnoError(absl::string_view what, const fs::path& path) {
  const int error = errno;
  return absl::ErrnoToStatus(error, absl::StrCat(what, " ", path.string()));
}

// --- Files --------------------------------------------------------------------------

// Closes the file descriptor it owns when destroyed.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns close(2)'s result, which can report a delayed write error.
  int Close() { return close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

// The contents of `path`. The errno's code (NotFound for a missing file) naming the file
// if it cannot be read; InvalidArgument if it is larger than kMaxPemBytes.
absl::StatusOr<std::string> ReadTextFile(const fs::path& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", path);
  std::string text;
  char buffer[16384];
  while (true) {
    const ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read", path);
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxPemBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), " is larger than ", kMaxPemBytes, " bytes: not a PEM file"));
    }
  }
}

// Writes all of `contents` to `fd`, whose file is `path` (for errors).
absl::Status WriteAll(int fd, absl::string_view contents, const fs::path& path) {
  while (!contents.empty()) {
    const ssize_t n = write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot write", path);
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Replaces `path` with a file holding `contents` with exactly `mode`, synced to disk.
absl::Status WriteSyncedFile(const fs::path& path, absl::string_view contents, mode_t mode) {
  ScopedFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) return ErrnoError("cannot create", path);
  // An old file keeps its mode through O_TRUNC, and the umask may have narrowed a new
  // one: set it before the first byte is written.
  if (fchmod(fd.get(), mode) != 0) return ErrnoError("cannot set the mode of", path);
  if (absl::Status s = WriteAll(fd.get(), contents, path); !s.ok()) return s;
  if (fsync(fd.get()) != 0) return ErrnoError("cannot sync", path);
  if (fd.Close() != 0) return ErrnoError("cannot close", path);
  return absl::OkStatus();
}

// Syncs `directory` itself, so that renames into it survive a crash.
absl::Status SyncDirectory(const fs::path& directory) {
  ScopedFd fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", directory);
  if (fsync(fd.get()) != 0) return ErrnoError("cannot sync", directory);
  return absl::OkStatus();
}

fs::path TempPathFor(const fs::path& path) { return fs::path(path.string() + ".tmp"); }

// Writes each of `texts` under the name kAuthorityFiles gives it: all to temp names
// first, then renamed into place, so no file is ever seen half-written. Temp files are
// removed if writing one fails.
absl::Status WriteAuthorityFiles(const fs::path& directory, const AuthorityTexts& texts) {
  for (size_t i = 0; i < texts.size(); ++i) {
    const fs::path temp = TempPathFor(directory / kAuthorityFiles[i].name);
    if (absl::Status s = WriteSyncedFile(temp, texts[i], kAuthorityFiles[i].mode); !s.ok()) {
      for (size_t j = 0; j <= i; ++j) {
        std::error_code ignored;
        fs::remove(TempPathFor(directory / kAuthorityFiles[j].name), ignored);
      }
      return s;
    }
  }
  for (const AuthorityFile& file : kAuthorityFiles) {
    const fs::path path = directory / file.name;
    if (rename(TempPathFor(path).c_str(), path.c_str()) != 0) {
      return ErrnoError("cannot rename into place", path);
    }
  }
  return SyncDirectory(directory);
}

// `directory` without a trailing separator ("certs/" -> "certs").
fs::path WithoutTrailingSeparator(const fs::path& directory) {
  fs::path normal = directory.lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();
}

// Creates `directory` with mode 0700 unless it exists (an existing one keeps its mode);
// missing parents get the default mode.
absl::Status MakePrivateDirectory(const fs::path& directory) {
  std::error_code error;
  if (directory.has_parent_path() && !fs::create_directories(directory.parent_path(), error) &&
      error) {
    return absl::ErrnoToStatus(error.value(),
                               absl::StrCat("cannot create ", directory.parent_path().string()));
  }
  if (mkdir(directory.c_str(), kDirectoryMode) == 0) {
    if (chmod(directory.c_str(), kDirectoryMode) != 0) {
      return ErrnoError("cannot set the mode of", directory);
    }
    return absl::OkStatus();
  }
  if (errno != EEXIST) return ErrnoError("cannot create", directory);
  if (!fs::is_directory(directory, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat(directory.string(), " exists and is not a directory"));
  }
  return absl::OkStatus();
}

// An exclusive flock(2) on `directory`, held until the returned descriptor is closed.
absl::StatusOr<ScopedFd> LockDirectory(const fs::path& directory) {
  ScopedFd fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", directory);
  while (flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoError("cannot lock", directory);
  }
  return fd;
}

// The names of the local CA's files that `directory` lacks.
absl::StatusOr<std::vector<std::string>> MissingAuthorityFiles(const fs::path& directory) {
  std::vector<std::string> missing;
  for (const AuthorityFile& file : kAuthorityFiles) {
    std::error_code error;
    const bool exists = fs::exists(directory / file.name, error);
    if (error) {
      return absl::ErrnoToStatus(
          error.value(), absl::StrCat("cannot look for ", (directory / file.name).string()));
    }
    if (!exists) missing.push_back(file.name);
  }
  return missing;
}

// Reads the four files of the local CA in `directory`.
absl::StatusOr<AuthorityTexts> ReadAuthorityFiles(const fs::path& directory) {
  AuthorityTexts texts;
  for (size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<std::string> text = ReadTextFile(directory / kAuthorityFiles[i].name);
    if (!text.ok()) return text.status();
    texts[i] = *std::move(text);
  }
  return texts;
}

// --- Parsing and checking PEM -------------------------------------------------------

// A read-only memory BIO over `text`, which must outlive it.
absl::StatusOr<BioPtr> ReadOnlyBio(absl::string_view text, absl::string_view source) {
  if (text.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " is larger than ", kMaxPemBytes, " bytes: not PEM"));
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return OpenSslError(absl::StatusCode::kInternal, "cannot create a BIO");
  return bio;
}

// True if OpenSSL's last error only says that the PEM input has no further block.
bool PemInputEnded() {
  const unsigned long code = ERR_peek_last_error();
  return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

// Every certificate in `pem`, in order; blocks of other types are skipped.
// InvalidArgument naming `source` if there is none or a certificate block is malformed.
absl::StatusOr<std::vector<X509Ptr>> ParseCertificates(absl::string_view pem,
                                                       absl::string_view source) {
  absl::StatusOr<BioPtr> bio = ReadOnlyBio(pem, source);
  if (!bio.ok()) return bio.status();
  std::vector<X509Ptr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  if (!PemInputEnded()) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat(source, ": certificate ", certificates.size() + 1,
                                     " is not a valid PEM X.509 certificate"));
  }
  ERR_clear_error();
  if (certificates.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": no certificate found (expected a \"-----BEGIN CERTIFICATE-----\" block)"));
  }
  return certificates;
}

// A password callback that refuses, so that an encrypted key fails instead of OpenSSL
// prompting on the terminal.
int RefusePassphrase(char*, int, int, void*) { return -1; }

// The private key in `pem`. InvalidArgument naming `source` if there is none.
absl::StatusOr<PkeyPtr> ParsePrivateKey(absl::string_view pem, absl::string_view source) {
  absl::StatusOr<BioPtr> bio = ReadOnlyBio(pem, source);
  if (!bio.ok()) return bio.status();
  PkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, RefusePassphrase, nullptr));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat(source,
                                     ": no valid unencrypted PEM private key (expected a "
                                     "\"-----BEGIN PRIVATE KEY-----\" block)"));
  }
  ERR_clear_error();
  return key;
}

// The certificates in `certificate_pem`, after checking that `key_pem` holds the private
// key of the first. Errors name `certificate_source` and `key_source`.
absl::StatusOr<std::vector<X509Ptr>> ParseMatchingPair(absl::string_view certificate_pem,
                                                       absl::string_view certificate_source,
                                                       absl::string_view key_pem,
                                                       absl::string_view key_source) {
  absl::StatusOr<std::vector<X509Ptr>> chain =
      ParseCertificates(certificate_pem, certificate_source);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<PkeyPtr> key = ParsePrivateKey(key_pem, key_source);
  if (!key.ok()) return key.status();
  if (EVP_PKEY_eq(X509_get0_pubkey(chain->front().get()), key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("the private key in ", key_source,
                                                   " does not belong to the certificate in ",
                                                   certificate_source));
  }
  return chain;
}

// OK if `chain`'s first certificate, with the rest as intermediates, chains to `ca`, is
// valid now and may serve TLS. Otherwise InvalidArgument naming both sources.
absl::Status VerifyServerCertificate(const std::vector<X509Ptr>& chain, X509* ca,
                                     absl::string_view chain_source, absl::string_view ca_source) {
  X509StorePtr store(X509_STORE_new());
  X509StackPtr intermediates(sk_X509_new_null());
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  bool ready = store != nullptr && intermediates != nullptr && context != nullptr &&
               X509_STORE_add_cert(store.get(), ca) == 1;
  for (size_t i = 1; ready && i < chain.size(); ++i) {
    ready = sk_X509_push(intermediates.get(), chain[i].get()) > 0;
  }
  if (!ready || X509_STORE_CTX_init(context.get(), store.get(), chain.front().get(),
                                    intermediates.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set up certificate verification");
  }
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(context.get()) == 1) return absl::OkStatus();
  const int error = X509_STORE_CTX_get_error(context.get());
  ERR_clear_error();
  return absl::InvalidArgumentError(absl::StrCat(chain_source, " does not verify against ",
                                                 ca_source, ": ",
                                                 X509_verify_cert_error_string(error)));
}

// Logs a warning for each of `server_names` that `certificate` does not cover.
void WarnAboutUncoveredNames(X509* certificate, const std::vector<std::string>& server_names,
                             absl::string_view source) {
  for (const std::string& name : server_names) {
    if (X509_check_ip_asc(certificate, name.c_str(), 0) != 1 &&
        X509_check_host(certificate, name.data(), name.size(), 0, nullptr) != 1) {
      LOG(WARNING) << source << " does not cover the server name " << name
                   << "; it is kept as it is (remove the directory to issue a new CA)";
    }
  }
  ERR_clear_error();
}

// The end of `certificate`'s validity; nullopt if OpenSSL cannot read it.
std::optional<absl::Time> NotAfter(X509* certificate) {
  std::tm not_after{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &not_after) != 1) return std::nullopt;
  return absl::FromTimeT(timegm(&not_after));
}

// SHA-256 of the DER SubjectPublicKeyInfo of `certificate`, in base64.
absl::StatusOr<std::string> SpkiDigestBase64(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
  std::unique_ptr<unsigned char, OpenSslBufferFree> owned_der(der);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (length <= 0 || EVP_Digest(der, static_cast<size_t>(length), digest, &digest_length,
                                EVP_sha256(), nullptr) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot hash the certificate's public key");
  }
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), digest_length));
}

// --- Issuing certificates -----------------------------------------------------------

// A key and the certificate for it.
struct Identity {
  PkeyPtr key;
  X509Ptr certificate;
};

absl::StatusOr<PkeyPtr> GenerateP256Key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot generate an EC P-256 key");
  }
  return key;
}

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
absl::StatusOr<std::string> RandomHex(int bytes) {
  std::string random(static_cast<size_t>(bytes), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), bytes) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot draw random bytes");
  }
  return absl::BytesToHexString(random);
}

// Gives `certificate` a random 128-bit serial number.
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

// An extension in openssl.cnf syntax, e.g. {NID_key_usage, "critical,digitalSignature"}.
struct ExtensionText {
  int nid;
  const char* value;
};

// Adds `extensions` to `certificate`; `issuer` supplies the authority key identifier.
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

// The subjectAltName of the server certificate: localhost and the loopback addresses,
// then each of `server_names` not already listed.
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

// Signs `certificate` with `key` over SHA-256.
absl::Status Sign(X509* certificate, EVP_PKEY* key) {
  if (X509_sign(certificate, key, EVP_sha256()) <= 0) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot sign a certificate");
  }
  return absl::OkStatus();
}

// A new self-signed CA, allowed to sign server certificates only (pathlen 0).
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

// A new server certificate for `names`, signed by `ca`.
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

// --- PEM encoding -------------------------------------------------------------------

// The bytes written so far to the memory BIO `bio`.
std::string MemoryBioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

absl::StatusOr<std::string> CertificatePem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot encode a certificate as PEM");
  }
  return MemoryBioText(bio.get());
}

// PKCS#8, unencrypted.
absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot encode a private key as PEM");
  }
  return MemoryBioText(bio.get());
}

// The PEM texts of the four files, indexed by AuthorityFileIndex.
absl::StatusOr<AuthorityTexts> EncodeAuthority(const Identity& ca, const Identity& server) {
  std::array<absl::StatusOr<std::string>, kAuthorityFiles.size()> pems = {
      CertificatePem(ca.certificate.get()), PrivateKeyPem(ca.key.get()),
      CertificatePem(server.certificate.get()), PrivateKeyPem(server.key.get())};
  AuthorityTexts texts;
  for (size_t i = 0; i < pems.size(); ++i) {
    if (!pems[i].ok()) return pems[i].status();
    texts[i] = *std::move(pems[i]);
  }
  return texts;
}

TlsMaterial ToTlsMaterial(AuthorityTexts texts) {
  return TlsMaterial{.ca_certificate_pem = std::move(texts[kCaCertificate]),
                     .certificate_chain_pem = std::move(texts[kServerCertificate]),
                     .private_key_pem = std::move(texts[kServerKey])};
}

// --- The local CA -------------------------------------------------------------------

// Issues a new CA and server certificate for `names` and writes them into `directory`.
absl::StatusOr<TlsMaterial> CreateAuthority(const fs::path& directory, GENERAL_NAMES* names) {
  absl::StatusOr<Identity> ca = IssueCertificateAuthority();
  if (!ca.ok()) return ca.status();
  absl::StatusOr<Identity> server = IssueServerCertificate(*ca, names);
  if (!server.ok()) return server.status();
  absl::StatusOr<AuthorityTexts> texts = EncodeAuthority(*ca, *server);
  if (!texts.ok()) return texts.status();
  if (absl::Status s = WriteAuthorityFiles(directory, *texts); !s.ok()) return s;
  LOG(INFO) << "Created a local certificate authority in " << directory.string();
  return ToTlsMaterial(*std::move(texts));
}

// If the server certificate `server` expires within `renew_within` (or has expired),
// issues a new one from the kept CA key, for the same names and with a new key, and
// writes it over server.crt and server.key in `directory`; `texts` and `server` then
// hold it. The CA, which clients pin, stays as it is.
absl::Status RenewServerCertificateIfDue(const fs::path& directory, X509* ca_certificate,
                                         absl::Duration renew_within, AuthorityTexts& texts,
                                         std::vector<X509Ptr>& server) {
  const std::optional<absl::Time> expires = NotAfter(server.front().get());
  if (expires && *expires > absl::Now() + renew_within) return absl::OkStatus();
  absl::StatusOr<PkeyPtr> ca_key =
      ParsePrivateKey(texts[kCaKey], (directory / kAuthorityFiles[kCaKey].name).string());
  if (!ca_key.ok()) return ca_key.status();
  X509_up_ref(ca_certificate);
  const Identity ca{*std::move(ca_key), X509Ptr(ca_certificate)};
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(server.front().get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat((directory / kAuthorityFiles[kServerCertificate].name).string(),
                     " names no host (no subjectAltName) to renew it for; remove ",
                     directory.string(), " to create a new CA"));
  }
  absl::StatusOr<Identity> renewed = IssueServerCertificate(ca, names.get());
  if (!renewed.ok()) return renewed.status();
  absl::StatusOr<std::string> certificate_pem = CertificatePem(renewed->certificate.get());
  if (!certificate_pem.ok()) return certificate_pem.status();
  absl::StatusOr<std::string> key_pem = PrivateKeyPem(renewed->key.get());
  if (!key_pem.ok()) return key_pem.status();
  texts[kServerCertificate] = *std::move(certificate_pem);
  texts[kServerKey] = *std::move(key_pem);
  if (absl::Status s = WriteAuthorityFiles(directory, texts); !s.ok()) return s;
  LOG(INFO) << "Renewed the server certificate in " << directory.string() << " (the old one "
            << (expires ? "ran until " + absl::FormatTime(*expires, absl::UTCTimeZone())
                        : "had an unreadable end date")
            << "); the CA is unchanged";
  server.clear();
  server.push_back(std::move(renewed->certificate));
  return absl::OkStatus();
}

// Loads the local CA in `directory` after checking that its files parse, that each key
// belongs to its certificate and that the server certificate verifies against the CA,
// renewing the server certificate first if it expires within `renew_within`.
absl::StatusOr<TlsMaterial> LoadAuthority(const fs::path& directory,
                                          const std::vector<std::string>& server_names,
                                          absl::Duration renew_within) {
  absl::StatusOr<AuthorityTexts> texts = ReadAuthorityFiles(directory);
  if (!texts.ok()) return texts.status();
  std::array<std::string, kAuthorityFiles.size()> sources;
  for (size_t i = 0; i < sources.size(); ++i) {
    sources[i] = (directory / kAuthorityFiles[i].name).string();
  }
  absl::StatusOr<std::vector<X509Ptr>> ca = ParseMatchingPair(
      (*texts)[kCaCertificate], sources[kCaCertificate], (*texts)[kCaKey], sources[kCaKey]);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::vector<X509Ptr>> server =
      ParseMatchingPair((*texts)[kServerCertificate], sources[kServerCertificate],
                        (*texts)[kServerKey], sources[kServerKey]);
  if (!server.ok()) return server.status();
  if (absl::Status s =
          RenewServerCertificateIfDue(directory, ca->front().get(), renew_within, *texts, *server);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = VerifyServerCertificate(
          *server, ca->front().get(), sources[kServerCertificate], sources[kCaCertificate]);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(s.message(), ". To start over with a new CA, remove ", directory.string(),
                     " (clients must then pin the new ca.crt)"));
  }
  WarnAboutUncoveredNames(server->front().get(), server_names, sources[kServerCertificate]);
  return ToTlsMaterial(*std::move(texts));
}

absl::Status PartialAuthorityError(const fs::path& directory,
                                   const std::vector<std::string>& missing) {
  return absl::FailedPreconditionError(absl::StrCat(
      directory.string(), " holds only part of a local certificate authority: missing ",
      absl::StrJoin(missing, ", "),
      ". The other files are left untouched; restore the missing ones, or remove the "
      "directory to create a new CA (clients must then pin the new ca.crt)"));
}

}  // namespace

absl::StatusOr<TlsMaterial> EnsureLocalCertificateAuthority(
    const std::filesystem::path& directory, const std::vector<std::string>& server_names,
    absl::Duration renew_within) {
  ERR_clear_error();
  // Checked first, so that a bad name leaves nothing behind.
  absl::StatusOr<GeneralNamesPtr> names = SubjectAltNames(server_names);
  if (!names.ok()) return names.status();
  const fs::path dir = WithoutTrailingSeparator(directory);
  if (absl::Status s = MakePrivateDirectory(dir); !s.ok()) return s;
  absl::StatusOr<ScopedFd> lock = LockDirectory(dir);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<std::vector<std::string>> missing = MissingAuthorityFiles(dir);
  if (!missing.ok()) return missing.status();
  if (missing->size() == kAuthorityFiles.size()) return CreateAuthority(dir, names->get());
  if (!missing->empty()) return PartialAuthorityError(dir, *missing);
  return LoadAuthority(dir, server_names, renew_within);
}

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& certificate_file,
                                            const std::filesystem::path& key_file,
                                            const std::filesystem::path& ca_file) {
  ERR_clear_error();
  absl::StatusOr<std::string> chain = ReadTextFile(certificate_file);
  if (!chain.ok()) return chain.status();
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
