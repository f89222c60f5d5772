#include "tests/testing/temp_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <fstream>

#include "glog/logging.h"

namespace postura::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/postura-test-XXXXXX";
  CHECK(mkdtemp(pattern.data()) != nullptr) << "mkdtemp " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::WriteFile(absl::string_view name, absl::string_view contents) const {
  const std::filesystem::path file = path_ / std::string(name);
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(contents.data(), contents.size());
  CHECK(out.good()) << "writing " << file;
  return file.string();
}

}  // namespace postura::test
