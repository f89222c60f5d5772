#include "common/transport/local_ca.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/transport/certificate_issuer.h"
#include "common/transport/private_file.h"
#include "common/transport/tls_file_io.h"
#include "common/transport/x509_pem.h"
#include "glog/logging.h"

namespace postura {
namespace {

namespace fs = std::filesystem;
using tls_internal::CertificatePem;
using tls_internal::ErrnoError;
using tls_internal::GeneralNamesPtr;
using tls_internal::Identity;
using tls_internal::IssueCertificateAuthority;
using tls_internal::IssueServerCertificate;
using tls_internal::LockDirectory;
using tls_internal::MakePrivateDirectory;
using tls_internal::NotAfter;
using tls_internal::ParseMatchingPair;
using tls_internal::ParsePrivateKey;
using tls_internal::PkeyPtr;
using tls_internal::PrivateKeyPem;
using tls_internal::ReadTextFile;
using tls_internal::ScopedFd;
using tls_internal::SubjectAltNames;
using tls_internal::SyncDirectory;
using tls_internal::VerifyServerCertificate;
using tls_internal::WriteSyncedFile;
using tls_internal::X509Ptr;

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
    if (kAuthorityFiles[i].mode == 0600) {  // A key: refused if others may read it.
      if (absl::Status s = CheckPrivateFile(directory / kAuthorityFiles[i].name); !s.ok()) {
        return s;
      }
    }
    absl::StatusOr<std::string> text = ReadTextFile(directory / kAuthorityFiles[i].name);
    if (!text.ok()) return text.status();
    texts[i] = *std::move(text);
  }
  return texts;
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

}  // namespace postura
