#include "common/transport/tls_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "common/transport/local_ca.h"
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

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Loads files of a fresh local CA, the only source of matching certificates and keys.
class TlsMaterialTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureLocalCertificateAuthority(CaDirectory(), {}).ok()); }
  fs::path CaDirectory() const { return root_.path() / "tls"; }
  fs::path File(const char* name) const { return CaDirectory() / name; }

  test::TempDir root_;
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
  const fs::path certificate_as_key = root_.path() / "certificate-as-key.pem";
  fs::copy_file(File("server.crt"), certificate_as_key);
  fs::permissions(certificate_as_key, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_THAT(LoadTlsMaterial(File("server.crt"), certificate_as_key, "").status(),
              HasMessage(HasSubstr(certificate_as_key.string() + ": no valid")));
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
  test::TempDir other_root;
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

TEST_F(TlsMaterialTest, AKeyFileOthersMayReadIsRefusedBeforeItIsRead) {
  fs::permissions(File("server.key"), fs::perms(0640));
  absl::StatusOr<TlsMaterial> material =
      LoadTlsMaterial(File("server.crt"), File("server.key"), "");
  EXPECT_EQ(material.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(material.status(),
              HasMessage(AllOf(HasSubstr(File("server.key").string() + " has mode 0640"),
                               HasSubstr("chmod 600 " + File("server.key").string()))));
}

}  // namespace
}  // namespace postura
