#ifndef POSTURA_TESTS_TESTING_TEMP_DIR_H_
#define POSTURA_TESTS_TESTING_TEMP_DIR_H_

#include <filesystem>
#include <string>

#include "absl/strings/string_view.h"

namespace postura::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `contents` to the file `name` inside the directory (a relative path; missing
  // directories are made); returns its path.
  std::string WriteFile(absl::string_view name, absl::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_TEMP_DIR_H_
