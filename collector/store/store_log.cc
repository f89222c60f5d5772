#include "collector/store/store_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace postura::collector {
namespace {

class StoreLog : public rocksdb::Logger {
 public:
  explicit StoreLog(int fd) : fd_(fd) {}
  ~StoreLog() override { CloseFile(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override {
    char line[4096];
    const std::string when =
        absl::FormatTime("%Y/%m/%d-%H:%M:%E6S ", absl::Now(), absl::LocalTimeZone());
    int length = std::snprintf(line, sizeof(line), "%s", when.c_str());
    va_list copy;
    va_copy(copy, arguments);
    const int message = std::vsnprintf(line + length, sizeof(line) - length - 1, format, copy);
    va_end(copy);
    if (message < 0) return;
    length = std::min<int>(length + message, sizeof(line) - 2);
    if (line[length - 1] != '\n') line[length++] = '\n';
    // A line that cannot be written (a full disk) is dropped: nothing here may fail.
    [[maybe_unused]] const ssize_t written = write(fd_, line, static_cast<size_t>(length));
  }

 protected:
  rocksdb::Status CloseImpl() override {
    CloseFile();
    return rocksdb::Status::OK();
  }

 private:
  void CloseFile() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> OpenStoreLog(const std::string& store_path) {
  std::error_code error;
  std::filesystem::create_directories(store_path, error);
  const std::filesystem::path path = std::filesystem::path(store_path) / "LOG";
  std::filesystem::rename(path, std::filesystem::path(store_path) / "LOG.old", error);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return nullptr;
  return std::make_shared<StoreLog>(fd);
}

}  // namespace postura::collector
