#include "agent/delivery/spool_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/delivery/spool_record.h"
#include "glog/logging.h"

namespace postura::agent {
namespace {

constexpr char kStateFile[] = "state";
constexpr char kSegmentPrefix[] = "segment-";
constexpr char kRejectedDirectory[] = "rejected";
constexpr std::size_t kStateBytes = 3 * 8 + 4;  // Three u64 and the CRC-32C of them.

void PutLittleEndian(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

uint64_t GetLittleEndian(std::string_view bytes, std::size_t at, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

absl::Status ErrnoError(absl::string_view what, const std::filesystem::path& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path.string(), ": ", strerror(errno)));
}

}  // namespace

absl::Status WriteSynced(const std::filesystem::path& path, std::string_view data, bool truncate) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND);
  const int fd = open(path.c_str(), flags, 0600);
  if (fd < 0) return ErrnoError("cannot open", path);
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status error = ErrnoError("cannot write", path);
      close(fd);
      return error;
    }
    written += n;
  }
  const bool synced = fdatasync(fd) == 0;
  absl::Status error = synced ? absl::OkStatus() : ErrnoError("cannot sync", path);
  close(fd);
  return error;
}

void SyncDirectory(const std::filesystem::path& directory) {
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

std::filesystem::path SegmentPath(const std::filesystem::path& directory, uint64_t first) {
  return directory / absl::StrFormat("%s%020d.log", kSegmentPrefix, first);
}

std::vector<std::filesystem::path> SegmentFiles(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().filename().string().rfind(kSegmentPrefix, 0) == 0)
      paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());  // Zero-padded first sequences sort in order.
  return paths;
}

absl::StatusOr<SpoolState> ReadSpoolState(const std::filesystem::path& directory) {
  const std::filesystem::path path = directory / kStateFile;
  SpoolState state;
  if (!std::filesystem::exists(path)) return state;
  const std::string bytes = ReadWholeFile(path);
  if (bytes.size() != kStateBytes || Crc32c(std::string_view(bytes).substr(0, kStateBytes - 4)) !=
                                         GetLittleEndian(bytes, kStateBytes - 4, 4)) {
    return absl::DataLossError(absl::StrCat("spool state file ", path.string(),
                                            " is corrupt; move it away to start afresh"));
  }
  state.acknowledged = GetLittleEndian(bytes, 0, 8);
  state.next_sequence = std::max<uint64_t>(1, GetLittleEndian(bytes, 8, 8));
  state.dropped_items_total = GetLittleEndian(bytes, 16, 8);
  return state;
}

absl::Status WriteSpoolState(const std::filesystem::path& directory, const SpoolState& state) {
  std::string bytes;
  PutLittleEndian(bytes, state.acknowledged, 8);
  PutLittleEndian(bytes, state.next_sequence, 8);
  PutLittleEndian(bytes, state.dropped_items_total, 8);
  PutLittleEndian(bytes, Crc32c(bytes), 4);
  const std::filesystem::path temporary = directory / "state.tmp";
  if (absl::Status s = WriteSynced(temporary, bytes, /*truncate=*/true); !s.ok()) return s;
  std::error_code error;
  std::filesystem::rename(temporary, directory / kStateFile, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot replace spool state: ", error.message()));
  }
  SyncDirectory(directory);
  return absl::OkStatus();
}

std::optional<RecordView> RecordAt(std::string_view segment, std::size_t offset) {
  if (offset + kRecordHeaderBytes > segment.size()) return std::nullopt;
  const uint64_t size = GetLittleEndian(segment, offset, 4);
  const std::size_t end = offset + kRecordHeaderBytes + size;
  if (end > segment.size()) return std::nullopt;
  RecordView record;
  record.payload = segment.substr(offset + kRecordHeaderBytes, size);
  record.checksum_ok = Crc32c(record.payload) == GetLittleEndian(segment, offset + 4, 4);
  record.end = end;
  return record;
}

uint32_t SetAsideRecord(const std::filesystem::path& directory,
                        const std::filesystem::path& segment, std::string_view payload,
                        uint64_t sequence, uint32_t items, absl::string_view reason) {
  const std::filesystem::path rejected = directory / kRejectedDirectory;
  const std::string name =
      sequence != 0 ? absl::StrCat("batch-", sequence, ".pb")
                    : absl::StrCat(segment.filename().string(), "-crc-", Crc32c(payload), ".bin");
  const std::filesystem::path kept = rejected / name;
  std::error_code error;
  // Counted once: the same record may be met again before its number counts as done.
  if (std::filesystem::exists(kept, error)) return 0;
  std::filesystem::create_directories(rejected, error);
  absl::Status written = WriteSynced(kept, payload, /*truncate=*/true);
  LOG(ERROR) << "spool: set aside batch " << sequence << " (" << items << " items) from "
             << segment.filename() << " because " << reason << "; kept in "
             << (written.ok() ? kept.string() : written.ToString());
  return items;
}

}  // namespace postura::agent
