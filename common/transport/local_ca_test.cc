#include "common/transport/local_ca.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "common/transport/tls_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

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

  test::TempDir root_;
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
  test::TempDir other_root;
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

TEST_F(TlsLocalCaTest, AKeyOthersMayReadIsRefusedAndLeftAlone) {
  ASSERT_TRUE(Ensure().ok());
  for (const char* name : {"ca.key", "server.key"}) {
    const fs::path key = CaDirectory() / name;
    const std::string before = ReadFile(key);
    fs::permissions(key, fs::perms(0644));
    EXPECT_THAT(Ensure().status(), HasMessage(AllOf(HasSubstr(key.string() + " has mode 0644"),
                                                    HasSubstr("chmod 600"))));
    EXPECT_EQ(ReadFile(key), before);
    fs::permissions(key, fs::perms(0600));
  }
  EXPECT_TRUE(Ensure().ok());
}

TEST_F(TlsLocalCaTest, ServerCertificateFromAnotherCaIsAnError) {
  test::TempDir other_root;
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

}  // namespace
}  // namespace postura
