#include "common/transport/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct stat StatOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info;
}

mode_t ModeOf(const fs::path& path) { return StatOf(path).st_mode & 07777; }

std::vector<std::string> NamesIn(const fs::path& directory) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Sets the process umask for a test's lifetime.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

// A file someone else may have placed: its content and mode must not change.
fs::path Victim(const test::TempDir& dir) {
  const fs::path victim = dir.path() / "victim";
  std::ofstream(victim) << "precious\n";
  fs::permissions(victim, fs::perms(0644));
  return victim;
}

TEST(WriteFileAtomicallyTest, WritesTheContentWithTheModeAskedForWhateverTheUmask) {
  test::TempDir dir;
  ScopedUmask open_umask(0);
  ASSERT_TRUE(WriteFileAtomically(dir.path() / "report.md", "report\n", 0640).ok());
  ASSERT_TRUE(WritePrivateFile(dir.path() / "token", "secret\n").ok());
  EXPECT_EQ(ReadFile(dir.path() / "report.md"), "report\n");
  EXPECT_EQ(ModeOf(dir.path() / "report.md"), 0640u);
  EXPECT_EQ(ReadFile(dir.path() / "token"), "secret\n");
  EXPECT_EQ(ModeOf(dir.path() / "token"), 0600u);
  // No temporary file is left behind.
  EXPECT_THAT(NamesIn(dir.path()), ElementsAre("report.md", "token"));
}

TEST(WriteFileAtomicallyTest, ANarrowUmaskDoesNotNarrowTheMode) {
  test::TempDir dir;
  ScopedUmask closed_umask(0077);
  ASSERT_TRUE(WriteFileAtomically(dir.path() / "report.md", "report\n", 0640).ok());
  EXPECT_EQ(ModeOf(dir.path() / "report.md"), 0640u);
}

// The file is replaced, not rewritten in place: a reader that opened the old one still
// reads it whole, and the new one is a different file with the new mode.
TEST(WriteFileAtomicallyTest, ReplacesAnExistingFileAtomically) {
  test::TempDir dir;
  ScopedUmask open_umask(0);
  const fs::path path = dir.path() / "token";
  for (const mode_t mode : {0600, 0640}) {
    SCOPED_TRACE(mode);
    std::ofstream(path, std::ios::trunc) << "old secret\n";
    fs::permissions(path, fs::perms(0666));
    const ino_t old_inode = StatOf(path).st_ino;
    const int reader = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(reader, 0);

    const absl::Status written = mode == 0600 ? WritePrivateFile(path, "new secret\n")
                                              : WriteFileAtomically(path, "new secret\n", mode);
    ASSERT_TRUE(written.ok()) << written;
    EXPECT_EQ(ReadFile(path), "new secret\n");
    EXPECT_EQ(ModeOf(path), mode);
    EXPECT_NE(StatOf(path).st_ino, old_inode);
    char buffer[64] = {};
    EXPECT_EQ(::read(reader, buffer, sizeof(buffer)), 11);
    EXPECT_EQ(std::string(buffer), "old secret\n");
    ::close(reader);
    EXPECT_THAT(NamesIn(dir.path()), ElementsAre("token"));
  }
}

TEST(WriteFileAtomicallyTest, ReplacesASymlinkAndLeavesItsTargetAlone) {
  test::TempDir dir;
  const fs::path victim = Victim(dir);
  const fs::path path = dir.path() / "report.md";
  fs::create_symlink(victim, path);
  ASSERT_TRUE(WriteFileAtomically(path, "report\n", 0640).ok());
  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_EQ(ModeOf(victim), 0644u);
  EXPECT_FALSE(fs::is_symlink(path));
  EXPECT_EQ(ReadFile(path), "report\n");
  EXPECT_EQ(ModeOf(path), 0640u);
}

// The temporary file used to be `<path>.tmp`, opened without O_EXCL or O_NOFOLLOW: a link
// planted under that name made the token be written into (and chmod'ed) the link's target.
TEST(WriteFileAtomicallyTest, APlantedSymlinkAtTheOldTemporaryNameIsNotFollowed) {
  test::TempDir dir;
  const fs::path victim = Victim(dir);
  const fs::path path = dir.path() / "token";
  fs::create_symlink(victim, dir.path() / "token.tmp");
  ASSERT_TRUE(WritePrivateFile(path, "secret\n").ok());
  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_EQ(ModeOf(victim), 0644u);
  EXPECT_EQ(ReadFile(path), "secret\n");
  EXPECT_TRUE(fs::is_symlink(dir.path() / "token.tmp"));
}

TEST(WriteFileAtomicallyTest, RefusesADirectoryAndLeavesItAlone) {
  test::TempDir dir;
  const fs::path target = dir.path() / "reports";
  fs::create_directory(target);
  std::ofstream(target / "inside") << "kept\n";
  for (const fs::path& path : {target, fs::path(target.string() + "/"), target / "."}) {
    const absl::Status written = WriteFileAtomically(path, "report\n", 0640);
    EXPECT_EQ(written.code(), absl::StatusCode::kFailedPrecondition) << path << ": " << written;
  }
  EXPECT_THAT(NamesIn(target), ElementsAre("inside"));
  EXPECT_THAT(NamesIn(dir.path()), ElementsAre("reports"));
}

TEST(WriteFileAtomicallyTest, AMissingDirectoryIsUnavailableNamingThePath) {
  test::TempDir dir;
  const fs::path path = dir.path() / "missing" / "token";
  const absl::Status written = WritePrivateFile(path, "secret\n");
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(written.message()), ::testing::HasSubstr(path.string()));
}

TEST(WriteFileAtomicallyTest, APathWithoutDirectoryIsWrittenInTheWorkingDirectory) {
  test::TempDir dir;
  const fs::path old_directory = fs::current_path();
  fs::current_path(dir.path());
  const absl::Status written = WriteFileAtomically("plan.json", "{}\n", 0640);
  fs::current_path(old_directory);
  ASSERT_TRUE(written.ok()) << written;
  EXPECT_EQ(ReadFile(dir.path() / "plan.json"), "{}\n");
  EXPECT_THAT(NamesIn(dir.path()), ElementsAre("plan.json"));
}

TEST(CheckPrivateFileTest, AcceptsAnOwnerOnlyFileOfThisUser) {
  test::TempDir dir;
  const fs::path key = dir.path() / "key.pem";
  ASSERT_TRUE(WritePrivateFile(key, "secret").ok());
  EXPECT_TRUE(CheckPrivateFile(key).ok());
  fs::permissions(key, fs::perms::owner_read);
  EXPECT_TRUE(CheckPrivateFile(key).ok());
}

TEST(CheckPrivateFileTest, RefusesAnyGroupOrOtherBitNamingTheModeAndTheFix) {
  test::TempDir dir;
  const fs::path key = dir.path() / "key.pem";
  ASSERT_TRUE(WritePrivateFile(key, "secret").ok());
  for (const mode_t mode : {0640, 0604, 0620, 0601, 0610, 0644}) {
    fs::permissions(key, fs::perms(mode));
    const absl::Status status = CheckPrivateFile(key);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
    char expected[8];
    std::snprintf(expected, sizeof expected, "%04o", mode);
    EXPECT_THAT(status.message(), testing::HasSubstr(key.string() + " has mode " + expected));
    EXPECT_THAT(status.message(), testing::HasSubstr("chmod 600 " + key.string()));
  }
  // ReadSecretFile applies the same rule.
  EXPECT_EQ(ReadSecretFile(key).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CheckPrivateFileTest, RefusesAFileOfAnotherUserAndFollowsLinks) {
  test::TempDir dir;
  const fs::path key = dir.path() / "key.pem";
  ASSERT_TRUE(WritePrivateFile(key, "secret").ok());
  const fs::path link = dir.path() / "link.pem";
  fs::create_symlink(key, link);
  fs::permissions(key, fs::perms(0644));
  EXPECT_EQ(CheckPrivateFile(link).code(), absl::StatusCode::kFailedPrecondition);
  fs::permissions(key, fs::perms(0600));
  EXPECT_TRUE(CheckPrivateFile(link).ok());
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  // Root takes any owner; another user refuses a file that is neither its own nor root's.
  fs::permissions(dir.path(), fs::perms(0755));
  ASSERT_EQ(::chown(key.c_str(), 65533, 65533), 0);
  EXPECT_TRUE(CheckPrivateFile(key).ok());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setuid(65534) != 0) ::_exit(2);
    const absl::Status status = CheckPrivateFile(key);
    const bool named =
        status.message().find(key.string() + " belongs to uid 65533") != absl::string_view::npos;
    ::_exit(status.code() == absl::StatusCode::kFailedPrecondition && named ? 0 : 1);
  }
  int child_status = 0;
  ASSERT_EQ(::waitpid(child, &child_status, 0), child);
  EXPECT_TRUE(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0) << child_status;
}

TEST(CheckPrivateFileTest, AMissingFileIsNotFound) {
  test::TempDir dir;
  EXPECT_EQ(CheckPrivateFile(dir.path() / "absent").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace postura
