#include "agent/delivery/attestation.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/delivery/wire_level.h"
#include "common/model/level.h"
#include "glog/logging.h"
#include "openssl/evp.h"

namespace postura::agent {
namespace {

constexpr std::size_t kMaxNoteBytes = 1024;  // The collector's default detail limit.

std::filesystem::path InboxOf(const std::filesystem::path& spool_directory) {
  return spool_directory / "inbox";
}

absl::StatusOr<std::string> Sha256Raw(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read evidence file ", path));
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  char buffer[65536];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    EVP_DigestUpdate(context, buffer, static_cast<std::size_t>(file.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context, digest, &size);
  EVP_MD_CTX_free(context);
  return std::string(reinterpret_cast<char*>(digest), size);
}

}  // namespace

absl::StatusOr<std::string> Sha256OfFile(const std::string& path) {
  absl::StatusOr<std::string> raw = Sha256Raw(path);
  if (!raw.ok()) return raw.status();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : *raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

absl::StatusOr<v1::Evidence> MakeAttestation(const AttestationRequest& request,
                                             const AgentOptions& options, const Catalog& catalog,
                                             absl::Time now) {
  if (std::find(options.assets.begin(), options.assets.end(), request.asset) ==
      options.assets.end()) {
    return absl::InvalidArgumentError(absl::StrCat("--asset '", request.asset,
                                                   "' is not one of this agent's assets (",
                                                   absl::StrJoin(options.assets, ", "), ")"));
  }
  if (!catalog.FindOutcome(request.outcome)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--outcome '", request.outcome, "' is not a ULEO outcome id (for example PR_AC_CSC_5_2)"));
  }
  std::optional<Level> level = LevelFromHundredths(request.level_hundredths);
  if (!level) return absl::InvalidArgumentError("--level must be 0, 33, 67 or 100");
  if (request.note.empty() || request.note.size() > kMaxNoteBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--note must say why, in 1 to ", kMaxNoteBytes, " bytes"));
  }
  if (request.expires_after <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--expires must be a positive duration such as 90d");
  }
  v1::Evidence item;
  item.set_asset_id(request.asset);
  item.set_outcome_id(request.outcome);
  item.set_level(ToWireLevel(*level));
  item.set_observed_at_unix_nanos(absl::ToUnixNanos(now));
  item.set_expires_at_unix_nanos(absl::ToUnixNanos(now + request.expires_after));
  item.set_check_id("attestation");
  item.set_kind(v1::ATTESTED);
  item.set_detail(request.note);
  if (!request.evidence_file.empty()) {
    absl::StatusOr<std::string> digest = Sha256Raw(request.evidence_file);
    if (!digest.ok()) return digest.status();
    item.set_content_sha256(*digest);
  }
  return item;
}

absl::Status PutInInbox(const std::filesystem::path& spool_directory, const v1::Evidence& item) {
  const std::filesystem::path inbox = InboxOf(spool_directory);
  std::error_code error;
  std::filesystem::create_directories(inbox, error);
  if (error) return absl::FailedPreconditionError(absl::StrCat("cannot create ", inbox.string()));
  const std::string name = absl::StrCat(absl::ToUnixNanos(absl::Now()), "-", getpid());
  const std::filesystem::path temporary = inbox / (name + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary);
    if (!item.SerializeToOstream(&out) || !out.flush()) {
      return absl::UnavailableError(absl::StrCat("cannot write ", temporary.string()));
    }
  }
  const int fd = open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  std::filesystem::rename(temporary, inbox / (name + ".evidence"), error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot place ", temporary.string()));
  return absl::OkStatus();
}

absl::StatusOr<int> DrainInbox(const std::filesystem::path& spool_directory, Spool& spool) {
  const std::filesystem::path inbox = InboxOf(spool_directory);
  if (!std::filesystem::exists(inbox)) return 0;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(inbox)) {
    if (entry.path().extension() == ".evidence") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<v1::Evidence> items;
  std::vector<std::filesystem::path> taken;
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    v1::Evidence item;
    if (!item.ParseFromIstream(&in)) {
      LOG(ERROR) << "inbox file " << file << " does not parse; set aside as .bad";
      std::filesystem::rename(file, file.string() + ".bad");
      continue;
    }
    items.push_back(std::move(item));
    taken.push_back(file);
  }
  if (items.empty()) return 0;
  const int count = static_cast<int>(items.size());
  // Spooled first, deleted after: a crash in between delivers an attestation twice (as
  // two identical records) rather than never.
  absl::StatusOr<uint64_t> sequence = spool.Append(std::move(items));
  if (!sequence.ok()) return sequence.status();
  for (const std::filesystem::path& file : taken) std::filesystem::remove(file);
  return count;
}

}  // namespace postura::agent
