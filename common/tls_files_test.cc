#include "common/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

namespace fs = std::filesystem;
using ::postura::test::HasMessage;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// A fresh directory under the system temp directory, removed with everything in it.
class TempDirectory {
 public:
  TempDirectory() {
    std::string name = (fs::temp_directory_path() / "tls_files_test.XXXXXX").string();
    if (mkdtemp(name.data()) != nullptr) path_ = name;
  }
  ~TempDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

mode_t ModeOf(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

// The first certificate in `pem`, or null.
X509Ptr ParseCertificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free_all);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// True if the server certificate `server_pem` verifies against `ca_pem` as the only
// trusted root, for TLS server use.
bool VerifiesAgainst(const std::string& server_pem, const std::string& ca_pem) {
  X509Ptr server = ParseCertificate(server_pem);
  X509Ptr ca = ParseCertificate(ca_pem);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                          &X509_STORE_CTX_free);
  if (server == nullptr || ca == nullptr || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(context.get(), store.get(), server.get(), nullptr) != 1) {
    ADD_FAILURE() << "cannot set up verification";
    return false;
  }
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_SERVER);
  const bool verified = X509_verify_cert(context.get()) == 1;
  ERR_clear_error();
  return verified;
}

class TlsLocalCaTest : public ::testing::Test {
 protected:
  fs::path CaDirectory() const { return root_.path() / "tls"; }
  absl::StatusOr<TlsMaterial> Ensure(const std::vector<std::string>& names = {}) {
    return EnsureLocalCertificateAuthority(CaDirectory(), names);
  }

  TempDirectory root_;
};

TEST_F(TlsLocalCaTest, FirstCallCreatesPrivateFilesAndSecondCallReturnsThem) {
  absl::StatusOr<TlsMaterial> first = Ensure();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(ModeOf(CaDirectory()), 0700u);
  EXPECT_EQ(ModeOf(CaDirectory() / "ca.key"), 0600u);
  EXPECT_EQ(ModeOf(CaDirectory() / "server.key"), 0600u);
  EXPECT_EQ(ReadFile(CaDirectory() / "ca.crt"), first->ca_certificate_pem);
  EXPECT_EQ(ReadFile(CaDirectory() / "server.crt"), first->certificate_chain_pem);
  EXPECT_EQ(ReadFile(CaDirectory() / "server.key"), first->private_key_pem);
  EXPECT_THAT(ReadFile(CaDirectory() / "ca.key"), HasSubstr("-----BEGIN PRIVATE KEY-----"));
  std::vector<std::string> entries;
  for (const fs::directory_entry& entry : fs::directory_iterator(CaDirectory())) {
    entries.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(entries,
              ::testing::UnorderedElementsAre("ca.crt", "ca.key", "server.crt", "server.key"));

  absl::StatusOr<TlsMaterial> second = Ensure();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->ca_certificate_pem, first->ca_certificate_pem);
  EXPECT_EQ(second->certificate_chain_pem, first->certificate_chain_pem);
  EXPECT_EQ(second->private_key_pem, first->private_key_pem);
}

TEST_F(TlsLocalCaTest, ServerCertificateExpiresInTwoYearsAndTheCaInTen) {
  const absl::Time before = absl::Now() - absl::Seconds(1);  // Certificates count seconds.
  absl::StatusOr<TlsMaterial> material = Ensure();
  ASSERT_TRUE(material.ok()) << material.status();
  absl::StatusOr<absl::Time> server = CertificateNotAfter(material->certificate_chain_pem);
  absl::StatusOr<absl::Time> ca = CertificateNotAfter(material->ca_certificate_pem);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_GE(*server, before + absl::Hours(24 * 730));
  EXPECT_LE(*server, absl::Now() + absl::Hours(24 * 730));
  EXPECT_GE(*ca, before + absl::Hours(24 * 3650));
  EXPECT_LE(*ca, absl::Now() + absl::Hours(24 * 3650));
  EXPECT_EQ(CertificateNotAfter("not a certificate").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsLocalCaTest, ServerCertificateVerifiesAgainstCaAndNamesLoopbackAndExtraNames) {
  absl::StatusOr<TlsMaterial> material = Ensure({"postura.example", "192.0.2.7", "localhost"});
  ASSERT_TRUE(material.ok()) << material.status();
  EXPECT_TRUE(VerifiesAgainst(material->certificate_chain_pem, material->ca_certificate_pem));

  X509Ptr server = ParseCertificate(material->certificate_chain_pem);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "192.0.2.7", 0), 1);
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(server.get(), "postura.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(server.get(), "other.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(server.get()), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(server.get())), 256);

  X509Ptr ca = ParseCertificate(material->ca_certificate_pem);
  ASSERT_NE(ca, nullptr);
  EXPECT_NE(X509_check_ca(ca.get()), 0);
  X509_NAME* subject = X509_get_subject_name(ca.get());
  char common_name[256] = {};
  X509_NAME_get_text_by_NID(subject, NID_commonName, common_name, sizeof(common_name));
  EXPECT_THAT(std::string(common_name), HasSubstr("Postura local CA "));
}

// A server certificate close to its end is renewed from the same CA, so clients that
// pin the CA keep connecting: here "close" is within three years, so it is due at once.
TEST_F(TlsLocalCaTest, AServerCertificateDueForRenewalIsRenewedFromTheSameCa) {
  absl::StatusOr<TlsMaterial> first = Ensure({"postura.example"});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<TlsMaterial> renewed =
      EnsureLocalCertificateAuthority(CaDirectory(), {}, absl::Hours(24 * 365 * 3));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->ca_certificate_pem, first->ca_certificate_pem);
  EXPECT_NE(renewed->certificate_chain_pem, first->certificate_chain_pem);
  EXPECT_NE(renewed->private_key_pem, first->private_key_pem);
  EXPECT_GE(CertificateNotAfter(renewed->certificate_chain_pem).value(),
            CertificateNotAfter(first->certificate_chain_pem).value());
  EXPECT_TRUE(VerifiesAgainst(renewed->certificate_chain_pem, first->ca_certificate_pem));
  X509Ptr server = ParseCertificate(renewed->certificate_chain_pem);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(X509_check_host(server.get(), "postura.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(ReadFile(CaDirectory() / "server.crt"), renewed->certificate_chain_pem);
  EXPECT_EQ(ReadFile(CaDirectory() / "server.key"), renewed->private_key_pem);
  EXPECT_EQ(ModeOf(CaDirectory() / "server.key"), 0600u);
  EXPECT_EQ(ModeOf(CaDirectory() / "ca.key"), 0600u);

  // Not due under the usual 30 days: loaded as it is.
  absl::StatusOr<TlsMaterial> again = Ensure();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->certificate_chain_pem, renewed->certificate_chain_pem);
}

TEST_F(TlsLocalCaTest, TwoDirectoriesGetDistinctAuthorities) {
  TempDirectory other_root;
  absl::StatusOr<TlsMaterial> one = Ensure();
  absl::StatusOr<TlsMaterial> two = EnsureLocalCertificateAuthority(other_root.path() / "tls", {});
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_NE(one->ca_certificate_pem, two->ca_certificate_pem);
  EXPECT_NE(one->private_key_pem, two->private_key_pem);
  EXPECT_TRUE(VerifiesAgainst(two->certificate_chain_pem, two->ca_certificate_pem));
  EXPECT_FALSE(VerifiesAgainst(one->certificate_chain_pem, two->ca_certificate_pem));
  EXPECT_FALSE(VerifiesAgainst(two->certificate_chain_pem, one->ca_certificate_pem));
}

TEST_F(TlsLocalCaTest, PartialDirectoryIsAnErrorNamingMissingFilesAndIsLeftAlone) {
  ASSERT_TRUE(Ensure().ok());
  const std::string ca_before = ReadFile(CaDirectory() / "ca.crt");
  const std::string key_before = ReadFile(CaDirectory() / "ca.key");
  fs::remove(CaDirectory() / "server.crt");
  fs::remove(CaDirectory() / "server.key");

  absl::StatusOr<TlsMaterial> material = Ensure();
  EXPECT_EQ(material.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(material.status(), HasMessage(AllOf(HasSubstr("server.crt"), HasSubstr("server.key"),
                                                  Not(HasSubstr("ca.crt,")))));
  EXPECT_EQ(ReadFile(CaDirectory() / "ca.crt"), ca_before);
  EXPECT_EQ(ReadFile(CaDirectory() / "ca.key"), key_before);
  EXPECT_FALSE(fs::exists(CaDirectory() / "server.crt"));
  EXPECT_FALSE(fs::exists(CaDirectory() / "server.key"));
}

TEST_F(TlsLocalCaTest, CorruptedServerCertificateIsAnErrorNamingIt) {
  absl::StatusOr<TlsMaterial> material = Ensure();
  ASSERT_TRUE(material.ok()) << material.status();
  const fs::path server_crt = CaDirectory() / "server.crt";

  WriteFile(server_crt, "this is not a certificate\n");
  EXPECT_THAT(Ensure().status(),
              HasMessage(AllOf(HasSubstr("server.crt"), HasSubstr("no certificate"))));

  // Damage the base64 body: either it no longer decodes, or the signature breaks.
  std::string damaged = material->certificate_chain_pem;
  const size_t middle = damaged.size() / 2;
  damaged[middle] = damaged[middle] == 'A' ? 'B' : 'A';
  WriteFile(server_crt, damaged);
  absl::StatusOr<TlsMaterial> reloaded = Ensure();
  EXPECT_FALSE(reloaded.ok());
  EXPECT_THAT(reloaded.status(), HasMessage(HasSubstr("server.crt")));

  WriteFile(server_crt, material->certificate_chain_pem.substr(0, middle));
  EXPECT_THAT(Ensure().status(), HasMessage(HasSubstr("server.crt")));
}

TEST_F(TlsLocalCaTest, ServerKeyThatDoesNotMatchIsAnError) {
  ASSERT_TRUE(Ensure().ok());
  fs::copy_file(CaDirectory() / "ca.key", CaDirectory() / "server.key",
                fs::copy_options::overwrite_existing);
  EXPECT_THAT(Ensure().status(),
              HasMessage(AllOf(HasSubstr("server.key"), HasSubstr("does not belong"))));
}

TEST_F(TlsLocalCaTest, ServerCertificateFromAnotherCaIsAnError) {
  TempDirectory other_root;
  ASSERT_TRUE(Ensure().ok());
  ASSERT_TRUE(EnsureLocalCertificateAuthority(other_root.path(), {}).ok());
  for (const char* name : {"server.crt", "server.key"}) {
    fs::copy_file(other_root.path() / name, CaDirectory() / name,
                  fs::copy_options::overwrite_existing);
  }
  EXPECT_THAT(Ensure().status(), HasMessage(HasSubstr("does not verify against")));
}

TEST_F(TlsLocalCaTest, MalformedServerNameIsRejectedBeforeAnythingIsWritten) {
  for (const std::string& bad : {std::string(""), std::string("a b"), std::string("x,DNS:evil"),
                                 std::string("a\0b", 3), std::string("1:2:3")}) {
    absl::StatusOr<TlsMaterial> material = Ensure({bad});
    EXPECT_EQ(material.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(fs::exists(CaDirectory()));
}

TEST_F(TlsLocalCaTest, TrailingSeparatorStillGivesAPrivateDirectory) {
  ASSERT_TRUE(EnsureLocalCertificateAuthority(CaDirectory().string() + "/", {}).ok());
  EXPECT_EQ(ModeOf(CaDirectory()), 0700u);
}

class TlsMaterialTest : public TlsLocalCaTest {
 protected:
  void SetUp() override { ASSERT_TRUE(Ensure().ok()); }
  fs::path File(const char* name) const { return CaDirectory() / name; }
};

TEST_F(TlsMaterialTest, LoadsMatchingFilesAndTheCaFile) {
  absl::StatusOr<TlsMaterial> material =
      LoadTlsMaterial(File("server.crt"), File("server.key"), File("ca.crt"));
  ASSERT_TRUE(material.ok()) << material.status();
  EXPECT_EQ(material->certificate_chain_pem, ReadFile(File("server.crt")));
  EXPECT_EQ(material->private_key_pem, ReadFile(File("server.key")));
  EXPECT_EQ(material->ca_certificate_pem, ReadFile(File("ca.crt")));

  absl::StatusOr<TlsMaterial> without_ca =
      LoadTlsMaterial(File("server.crt"), File("server.key"), "");
  ASSERT_TRUE(without_ca.ok()) << without_ca.status();
  EXPECT_TRUE(without_ca->ca_certificate_pem.empty());
}

TEST_F(TlsMaterialTest, MismatchedKeyAndCertificateIsAnErrorNamingTheFiles) {
  absl::StatusOr<TlsMaterial> material =
      LoadTlsMaterial(File("server.crt"), File("ca.key"), File("ca.crt"));
  EXPECT_EQ(material.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(material.status(), HasMessage(AllOf(HasSubstr(File("server.crt").string()),
                                                  HasSubstr(File("ca.key").string()))));
}

TEST_F(TlsMaterialTest, ErrorsNameTheFileThatIsWrong) {
  EXPECT_THAT(LoadTlsMaterial(File("server.key"), File("server.key"), "").status(),
              HasMessage(HasSubstr(File("server.key").string() + ": no certificate")));
  EXPECT_THAT(LoadTlsMaterial(File("server.crt"), File("server.crt"), "").status(),
              HasMessage(HasSubstr(File("server.crt").string() + ": no valid")));
  EXPECT_THAT(LoadTlsMaterial(File("server.crt"), File("server.key"), File("server.key")).status(),
              HasMessage(HasSubstr(File("server.key").string())));
  absl::StatusOr<TlsMaterial> missing =
      LoadTlsMaterial(File("server.crt"), File("nope.key"), File("ca.crt"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status(), HasMessage(HasSubstr("nope.key")));
}

TEST_F(TlsMaterialTest, ReadCertificateFileAcceptsPemAndRejectsAnythingElse) {
  absl::StatusOr<std::string> ca = ReadCertificateFile(File("ca.crt"));
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_EQ(*ca, ReadFile(File("ca.crt")));

  WriteFile(root_.path() / "notes.txt", "just some text\n");
  absl::StatusOr<std::string> text = ReadCertificateFile(root_.path() / "notes.txt");
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(text.status(),
              HasMessage(AllOf(HasSubstr("notes.txt"), HasSubstr("no certificate"))));
  EXPECT_THAT(ReadCertificateFile(File("ca.key")).status(), HasMessage(HasSubstr("ca.key")));
  EXPECT_EQ(ReadCertificateFile(root_.path() / "absent.crt").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TlsMaterialTest, SpkiSha256Base64IsStableAndDiffersBetweenAuthorities) {
  TempDirectory other_root;
  absl::StatusOr<TlsMaterial> other = EnsureLocalCertificateAuthority(other_root.path(), {});
  ASSERT_TRUE(other.ok()) << other.status();
  const std::string ca_pem = ReadFile(File("ca.crt"));

  absl::StatusOr<std::string> pin = SpkiSha256Base64(ca_pem);
  ASSERT_TRUE(pin.ok()) << pin.status();
  EXPECT_EQ(pin->size(), 44u);
  EXPECT_EQ(pin->back(), '=');
  EXPECT_EQ(SpkiSha256Base64(ca_pem).value(), *pin);
  EXPECT_EQ(SpkiSha256Base64(ReadFile(File("ca.crt"))).value(), *pin);
  EXPECT_NE(SpkiSha256Base64(other->ca_certificate_pem).value(), *pin);
  EXPECT_NE(SpkiSha256Base64(ReadFile(File("server.crt"))).value(), *pin);
  EXPECT_FALSE(SpkiSha256Base64("garbage").ok());
}

}  // namespace
}  // namespace postura
