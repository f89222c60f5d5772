#include "agent/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"

namespace postura::agent {
namespace {

// A record: payload size (u32), CRC-32C of the payload (u32), little-endian; then the
// payload, a serialized v1::Batch.
constexpr std::size_t kHeaderBytes = 8;
constexpr char kStateFile[] = "state";
constexpr char kSegmentPrefix[] = "segment-";

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    table[i] = crc;
  }
  return table;
}

void PutU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}
void PutU64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
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

// Writes all of `data` to `path` (appending, or replacing when `truncate`) and syncs it.
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

// Makes a directory entry change (create, rename, unlink) durable.
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

}  // namespace

uint32_t Crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  uint32_t crc = 0xFFFFFFFFu;
  for (char c : data) crc = (crc >> 8) ^ kTable[(crc ^ static_cast<unsigned char>(c)) & 0xFFu];
  return ~crc;
}

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(const SpoolOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.directory, error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create spool directory ", options.directory.string(), ": ", error.message()));
  }
  std::unique_ptr<Spool> spool(new Spool(options));
  absl::MutexLock lock(&spool->mu_);
  if (absl::Status s = spool->Recover(); !s.ok()) return s;
  return spool;
}

absl::Status Spool::Recover() {
  const std::filesystem::path state_path = options_.directory / kStateFile;
  if (std::filesystem::exists(state_path)) {
    const std::string state = ReadWholeFile(state_path);
    if (state.size() != 28 ||
        Crc32c(std::string_view(state).substr(0, 24)) != GetLittleEndian(state, 24, 4)) {
      return absl::DataLossError(absl::StrCat("spool state file ", state_path.string(),
                                              " is corrupt; move it away to start afresh"));
    }
    acknowledged_ = GetLittleEndian(state, 0, 8);
    next_sequence_ = std::max<uint64_t>(1, GetLittleEndian(state, 8, 8));
    dropped_items_total_ = GetLittleEndian(state, 16, 8);
  }
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(options_.directory)) {
    if (entry.path().filename().string().rfind(kSegmentPrefix, 0) == 0)
      paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());  // Zero-padded first sequences sort in order.
  for (const std::filesystem::path& path : paths) {
    if (absl::Status s = LoadSegment(path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Spool::LoadSegment(const std::filesystem::path& path) {
  const std::string bytes = ReadWholeFile(path);
  Segment segment{path, 0, {}};
  std::size_t at = 0;
  while (at + kHeaderBytes <= bytes.size()) {
    const uint32_t size = static_cast<uint32_t>(GetLittleEndian(bytes, at, 4));
    const uint32_t crc = static_cast<uint32_t>(GetLittleEndian(bytes, at + 4, 4));
    if (at + kHeaderBytes + size > bytes.size()) break;  // Torn: written only in part.
    const std::string_view payload = std::string_view(bytes).substr(at + kHeaderBytes, size);
    v1::Batch batch;
    if (Crc32c(payload) != crc || !batch.ParseFromArray(payload.data(), static_cast<int>(size))) {
      break;
    }
    if (batch.sequence() > acknowledged_) {
      segment.records.push_back(
          {batch.sequence(), at, size, static_cast<uint32_t>(batch.items_size())});
    }
    next_sequence_ = std::max(next_sequence_, batch.sequence() + 1);
    at += kHeaderBytes + size;
  }
  if (at < bytes.size()) {
    LOG(WARNING) << "spool segment " << path << ": cutting " << bytes.size() - at
                 << " bytes of an incomplete or damaged record at offset " << at;
    if (truncate(path.c_str(), static_cast<off_t>(at)) != 0)
      return ErrnoError("cannot truncate", path);
  }
  segment.bytes = at;
  if (segment.records.empty()) {
    std::filesystem::remove(path);
    return absl::OkStatus();
  }
  segments_.push_back(std::move(segment));
  return absl::OkStatus();
}

absl::Status Spool::WriteState() {
  std::string state;
  PutU64(state, acknowledged_);
  PutU64(state, next_sequence_);
  PutU64(state, dropped_items_total_);
  PutU32(state, Crc32c(state));
  const std::filesystem::path temporary = options_.directory / "state.tmp";
  if (absl::Status s = WriteSynced(temporary, state, /*truncate=*/true); !s.ok()) return s;
  std::error_code error;
  std::filesystem::rename(temporary, options_.directory / kStateFile, error);
  if (error)
    return absl::UnavailableError(absl::StrCat("cannot replace spool state: ", error.message()));
  SyncDirectory(options_.directory);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Spool::Append(std::vector<v1::Evidence> items) {
  absl::MutexLock lock(&mu_);
  v1::Batch batch;
  batch.set_sequence(next_sequence_);
  for (v1::Evidence& item : items) *batch.add_items() = std::move(item);
  const std::string payload = batch.SerializeAsString();
  std::string record;
  PutU32(record, static_cast<uint32_t>(payload.size()));
  PutU32(record, Crc32c(payload));
  record += payload;

  const bool new_segment =
      segments_.empty() || segments_.back().bytes + record.size() > options_.segment_bytes;
  if (new_segment) {
    segments_.push_back(
        {options_.directory / absl::StrFormat("%s%020d.log", kSegmentPrefix, batch.sequence()),
         0,
         {}});
  }
  Segment& segment = segments_.back();
  if (absl::Status s = WriteSynced(segment.path, record, /*truncate=*/false); !s.ok()) {
    // Cut what may have been written, so the next record starts on a record boundary.
    if (truncate(segment.path.c_str(), static_cast<off_t>(segment.bytes)) != 0) {
      LOG(WARNING) << "cannot cut a failed write from " << segment.path;
    }
    if (segment.records.empty()) segments_.pop_back();
    return s;
  }
  if (new_segment) SyncDirectory(options_.directory);
  segment.records.push_back({batch.sequence(), segment.bytes, static_cast<uint32_t>(payload.size()),
                             static_cast<uint32_t>(batch.items_size())});
  segment.bytes += record.size();
  ++next_sequence_;
  if (absl::Status s = DropOldestPastCap(); !s.ok()) return s;
  return batch.sequence();
}

absl::Status Spool::DropOldestPastCap() {
  uint64_t bytes = 0;
  for (const Segment& segment : segments_) bytes += segment.bytes;
  while (bytes > options_.max_bytes && segments_.size() > 1) {
    for (const Record& record : segments_.front().records) {
      dropped_items_total_ += record.items;
    }
    LOG(WARNING) << "spool over " << options_.max_bytes << " bytes: dropping "
                 << segments_.front().records.size() << " unacknowledged batches, oldest first";
    bytes -= segments_.front().bytes;
    // The count is durable before the batches go, so drops are never under-reported.
    if (absl::Status s = WriteState(); !s.ok()) return s;
    if (absl::Status s = DeleteSegment(0); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Spool::DeleteSegment(std::size_t index) {
  std::error_code error;
  std::filesystem::remove(segments_[index].path, error);
  if (error)
    return absl::UnavailableError(absl::StrCat("cannot delete ", segments_[index].path.string()));
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(index));
  SyncDirectory(options_.directory);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Batch>> Spool::Read(uint64_t after, std::size_t max_batches) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Batch> batches;
  for (const Segment& segment : segments_) {
    std::string bytes;
    for (const Record& record : segment.records) {
      if (record.sequence <= after) continue;
      if (batches.size() == max_batches) return batches;
      if (bytes.empty()) bytes = ReadWholeFile(segment.path);
      if (record.offset + kHeaderBytes + record.size > bytes.size()) {
        return absl::DataLossError(
            absl::StrCat("spool segment ", segment.path.string(), " shrank"));
      }
      v1::Batch& batch = batches.emplace_back();
      if (!batch.ParseFromArray(bytes.data() + record.offset + kHeaderBytes,
                                static_cast<int>(record.size))) {
        return absl::DataLossError(absl::StrCat("spool record ", record.sequence, " is damaged"));
      }
      batch.set_dropped_items_total(dropped_items_total_);
    }
  }
  return batches;
}

absl::Status Spool::Acknowledge(uint64_t sequence) {
  absl::MutexLock lock(&mu_);
  sequence = std::min(sequence, next_sequence_ - 1);
  if (sequence <= acknowledged_) return absl::OkStatus();
  acknowledged_ = sequence;
  if (absl::Status s = WriteState(); !s.ok()) return s;
  for (Segment& segment : segments_) {
    auto first_pending = std::find_if(segment.records.begin(), segment.records.end(),
                                      [&](const Record& r) { return r.sequence > sequence; });
    segment.records.erase(segment.records.begin(), first_pending);
  }
  while (!segments_.empty() && segments_.front().records.empty()) {
    if (absl::Status s = DeleteSegment(0); !s.ok()) return s;
  }
  return absl::OkStatus();
}

uint64_t Spool::acknowledged() const {
  absl::MutexLock lock(&mu_);
  return acknowledged_;
}

uint64_t Spool::next_sequence() const {
  absl::MutexLock lock(&mu_);
  return next_sequence_;
}

uint64_t Spool::dropped_items_total() const {
  absl::MutexLock lock(&mu_);
  return dropped_items_total_;
}

std::size_t Spool::pending_batches() const {
  absl::MutexLock lock(&mu_);
  std::size_t count = 0;
  for (const Segment& segment : segments_) count += segment.records.size();
  return count;
}

uint64_t Spool::pending_bytes() const {
  absl::MutexLock lock(&mu_);
  uint64_t bytes = 0;
  for (const Segment& segment : segments_) {
    for (const Record& record : segment.records) bytes += kHeaderBytes + record.size;
  }
  return bytes;
}

}  // namespace postura::agent
