#include "common/transport/agent_ca_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

mode_t ModeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(AgentCaFilesTest, CreatesAPrivateCaOnceAndLoadsTheSameOneAfter) {
  test::TempDir dir;
  const fs::path ca_dir = dir.path() / "agent-ca";
  absl::StatusOr<AgentCertificateAuthority> created = EnsureAgentCertificateAuthority(ca_dir);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(ModeOf(ca_dir), 0700u);
  EXPECT_EQ(ModeOf(ca_dir / kAgentCaKeyFile), 0600u);
  EXPECT_EQ(ModeOf(ca_dir / kAgentCaCertificateFile), 0644u);
  absl::StatusOr<AgentCertificateAuthority> loaded = EnsureAgentCertificateAuthority(ca_dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->certificate_pem, created->certificate_pem);
  EXPECT_EQ(loaded->key_pem, created->key_pem);
  // It issues certificates that verify against the certificate it keeps.
  const std::string key = NewAgentKeyPem().value();
  const std::string issued =
      IssueAgentCertificate(*loaded, AgentSigningRequestPem(key, "h").value(), "h", "org",
                            absl::Now(), absl::Hours(1))
          .value();
  EXPECT_TRUE(VerifyAgentCertificate(issued, created->certificate_pem, absl::Now()).ok());
}

TEST(AgentCaFilesTest, AKeyOthersMayReadIsRefusedAndLeftAlone) {
  test::TempDir dir;
  const fs::path ca_dir = dir.path() / "agent-ca";
  ASSERT_TRUE(EnsureAgentCertificateAuthority(ca_dir).ok());
  fs::permissions(ca_dir / kAgentCaKeyFile, fs::perms::group_read, fs::perm_options::add);
  absl::Status refused = EnsureAgentCertificateAuthority(ca_dir).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("chmod 600"));
  EXPECT_EQ(ModeOf(ca_dir / kAgentCaKeyFile), 0640u);
}

TEST(AgentCaFilesTest, AnIncompleteOrMismatchedCaIsRefusedNotReplaced) {
  test::TempDir dir;
  const fs::path ca_dir = dir.path() / "agent-ca";
  ASSERT_TRUE(EnsureAgentCertificateAuthority(ca_dir).ok());
  fs::remove(ca_dir / kAgentCaCertificateFile);
  absl::Status incomplete = EnsureAgentCertificateAuthority(ca_dir).status();
  EXPECT_EQ(incomplete.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(incomplete.message(), HasSubstr("agent-ca.crt is missing"));
  EXPECT_FALSE(fs::exists(ca_dir / kAgentCaCertificateFile));

  const AgentCertificateAuthority other = NewAgentCertificateAuthority().value();
  std::ofstream(ca_dir / kAgentCaCertificateFile) << other.certificate_pem;
  EXPECT_EQ(EnsureAgentCertificateAuthority(ca_dir).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace postura
