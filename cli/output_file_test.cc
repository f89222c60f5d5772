#include "cli/output_file.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/plan_command.h"
#include "common/fleco/fleco_case.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t ModeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// Sets the process umask for a test's lifetime.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(WriteOutputFileTest, WritesTheTextOwnerAndGroupReadableWhateverTheUmask) {
  test::TempDir dir;
  const fs::path path = dir.path() / "report.md";
  ScopedUmask open_umask(0);
  ASSERT_TRUE(WriteOutputFile(path, "# Posture report\n").ok());
  EXPECT_EQ(ReadFile(path), "# Posture report\n");
  EXPECT_EQ(ModeOf(path), 0640u);
}

TEST(WriteOutputFileTest, EscapesControlCharactersForWhoeverCatsTheFile) {
  test::TempDir dir;
  const fs::path path = dir.path() / "report.md";
  ASSERT_TRUE(WriteOutputFile(path, "| ACME \x1b]0;pwned\x07 |\n").ok());
  EXPECT_EQ(ReadFile(path), "| ACME \\x1b]0;pwned\\x07 |\n");
}

TEST(WriteOutputFileTest, ReplacesASymlinkAndLeavesItsTargetAlone) {
  test::TempDir dir;
  const fs::path victim = dir.path() / "victim";
  std::ofstream(victim) << "precious\n";
  fs::permissions(victim, fs::perms(0644));
  const fs::path path = dir.path() / "report.md";
  fs::create_symlink(victim, path);
  ASSERT_TRUE(WriteOutputFile(path, "report\n").ok());
  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_EQ(ModeOf(victim), 0644u);
  EXPECT_FALSE(fs::is_symlink(path));
  EXPECT_EQ(ReadFile(path), "report\n");
}

TEST(WriteOutputFileTest, RefusesADirectory) {
  test::TempDir dir;
  const absl::Status written = WriteOutputFile(dir.path().string(), "report\n");
  EXPECT_EQ(written.code(), absl::StatusCode::kFailedPrecondition) << written;
  EXPECT_TRUE(fs::is_directory(dir.path()));
}

// `postura fleco plan CASE -o OUT` writes through WriteOutputFile: over a symlink planted at
// OUT it used to write into the link's target, with the umask's mode.
TEST(FlecoPlanOutputTest, ReplacesASymlinkWithAnOwnerAndGroupFile) {
  test::TempDir dir;
  const Catalog& catalog = Catalog::Builtin();
  FlecoCase fleco_case;
  fleco_case.group = ImplementationGroup::kIG1;
  fleco_case.initial_status.assign(catalog.outcomes().size(), Level::kDli0);
  fleco_case.targets.push_back(
      Target{{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.1});
  FlecoPlanOptions options;
  options.case_path = dir.WriteFile("case.json", WriteFlecoCase(catalog, fleco_case));
  const fs::path victim = dir.path() / "victim";
  std::ofstream(victim) << "precious\n";
  options.output_path = (dir.path() / "planned.json").string();
  fs::create_symlink(victim, options.output_path);

  ScopedUmask open_umask(0);
  std::ostringstream out, err;
  EXPECT_EQ(RunFlecoPlan(catalog, options, out, err), kExitOk) << err.str();
  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_FALSE(fs::is_symlink(options.output_path));
  EXPECT_EQ(ModeOf(options.output_path), 0640u);
  EXPECT_THAT(ReadFile(options.output_path), HasSubstr("targetStatus"));
}

}  // namespace
}  // namespace postura::cli
