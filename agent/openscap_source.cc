#include "agent/openscap_source.h"

#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/checks/openscap/oscap_process.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "agent/delivery/wire_level.h"
#include "agent/openscap_evidence.h"
#include "glog/logging.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

// A name for a source's results file that stays the same across restarts: the profile's
// readable tail and a hash (FNV-1a) of what identifies the evaluation.
std::string SourceFileStem(const OpenscapSourceOptions& source) {
  uint64_t hash = 1469598103934665603ull;
  for (const std::string* part : {&source.datastream, &source.profile, &source.tailoring}) {
    for (unsigned char byte : *part + '\0') {
      hash = (hash ^ byte) * 1099511628211ull;
    }
  }
  std::string tail = source.profile.substr(source.profile.rfind('_') + 1);
  for (char& c : tail) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  return absl::StrFormat("%s-%016x", tail.substr(0, 40), hash);
}

absl::Time ModificationTime(const fs::path& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return absl::InfinitePast();
  return absl::TimeFromTimespec(info.st_mtim);
}

// Moves a dropped file that cannot be imported to rejected/, with the reason beside it.
void Reject(const fs::path& path, absl::string_view reason) {
  const fs::path rejected = path.parent_path() / "rejected";
  std::error_code error;
  fs::create_directories(rejected, error);
  fs::rename(path, rejected / path.filename(), error);
  if (error) {
    LOG(ERROR) << "cannot move " << path << " to " << rejected << ": " << error.message()
               << "; deleting it";
    fs::remove(path, error);
    return;
  }
  std::ofstream(rejected / (path.filename().string() + ".error")) << reason << "\n";
}

}  // namespace

absl::StatusOr<std::unique_ptr<OpenscapSource>> OpenscapSource::Create(
    const AgentOptions& options, const Catalog& catalog, Spool& spool, Clock& clock,
    std::function<void()> notify) {
  absl::StatusOr<openscap::RuleMapping> mapping = openscap::RuleMapping::Builtin(catalog);
  if (!mapping.ok()) return mapping.status();
  for (const std::string& path : options.openscap_mappings) {
    if (absl::Status s = mapping->AddOperatorMappingFile(path); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("openscap_mappings: ", s.message()));
    }
  }
  std::error_code error;
  fs::create_directories(fs::path(options.spool_directory) / "openscap", error);
  if (error) {
    return absl::InternalError(
        absl::StrCat(options.spool_directory, "/openscap: ", error.message()));
  }
  std::unique_ptr<OpenscapSource> source(
      new OpenscapSource(options, *std::move(mapping), spool, clock, std::move(notify)));
  // A source whose last counted run is recent waits out the rest of its interval.
  for (std::size_t i = 0; i < options.openscap_sources.size(); ++i) {
    source->next_due_[i] =
        ModificationTime(source->ResultsPath(i)) + options.openscap_sources[i].interval;
  }
  return source;
}

OpenscapSource::OpenscapSource(const AgentOptions& options, openscap::RuleMapping mapping,
                               class Spool& spool, Clock& clock, std::function<void()> notify)
    : options_(options),
      mapping_(std::move(mapping)),
      spool_(spool),
      clock_(clock),
      notify_(std::move(notify)),
      next_due_(options.openscap_sources.size(), absl::InfinitePast()) {}

OpenscapSource::~OpenscapSource() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void OpenscapSource::Start(absl::Duration period) {
  thread_ = std::thread([this, period] {
    do {
      RunDue();
    } while (!stop_.WaitForNotificationWithTimeout(period));
  });
}

std::string OpenscapSource::ResultsPath(std::size_t index) const {
  return (fs::path(options_.spool_directory) / "openscap" /
          (SourceFileStem(options_.openscap_sources[index]) + ".xml"))
      .string();
}

OpenscapPass OpenscapSource::RunDue() {
  OpenscapPass pass;
  for (std::size_t i = 0; i < next_due_.size() && !stop_.HasBeenNotified(); ++i) {
    if (next_due_[i] > clock_.TimeNow()) continue;
    RunSource(i, pass);
    next_due_[i] = clock_.TimeNow() + options_.openscap_sources[i].interval;
  }
  for (const XccdfDropOptions& drop : options_.xccdf_drops) {
    if (stop_.HasBeenNotified()) break;
    ImportDropDirectory(drop, pass);
  }
  if (pass.spooled_items > 0) notify_();
  if (pass.evaluations + pass.failed_evaluations + pass.imported_files + pass.rejected_files > 0) {
    // Reading results holds a few MiB for a moment; hand them back, as the check loop does
    // (agent/main.cc), so the agent's steady RSS stays where the pack alone keeps it.
    malloc_trim(0);
  }
  return pass;
}

void OpenscapSource::RunSource(std::size_t index, OpenscapPass& pass) {
  const OpenscapSourceOptions& source = options_.openscap_sources[index];
  const std::string results_path = ResultsPath(index);
  const std::string partial_path = results_path + ".part";
  openscap::OscapCommand command;
  command.oscap = source.oscap;
  command.datastream = source.datastream;
  command.profile = source.profile;
  command.tailoring = source.tailoring;
  command.root = options_.root;
  command.results = partial_path;
  command.timeout = source.timeout;
  const std::string origin = absl::StrCat("oscap ", source.profile, " of ", source.datastream);
  absl::StatusOr<openscap::OscapRun> run = openscap::RunOscap(command, &stop_);
  if (!run.ok()) {
    if (!absl::IsCancelled(run.status())) {
      LOG(ERROR) << origin << ": " << run.status().message();
      ++pass.failed_evaluations;
    }
    return;
  }
  LOG(INFO) << origin << ": ran " << absl::FormatDuration(run->elapsed) << " (CPU "
            << absl::FormatDuration(run->cpu_time) << ", peak RSS "
            << run->peak_rss_bytes / (1 << 20) << " MiB)";
  absl::StatusOr<openscap::XccdfResults> results = openscap::ReadXccdfResultsFile(partial_path);
  if (!results.ok()) {
    LOG(ERROR) << origin << ": its results cannot be read: " << results.status().message();
    ++pass.failed_evaluations;
    return;
  }
  ++pass.evaluations;
  const absl::Duration valid_for = source.interval * options_.evidence_ttl_intervals;
  if (!SpoolEvidence(origin, *results, options_.assets, clock_.TimeNow(), valid_for, pass)) {
    return;
  }
  std::error_code error;
  fs::rename(partial_path, results_path, error);  // Marks the run as counted.
  if (error) LOG(WARNING) << "cannot keep " << results_path << ": " << error.message();
}

void OpenscapSource::ImportDropDirectory(const XccdfDropOptions& drop, OpenscapPass& pass) {
  std::error_code error;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(drop.directory, error), end; !error && it != end;
       it.increment(error)) {
    const fs::path& path = it->path();
    if (it->is_regular_file() && path.extension() == ".xml" &&
        !absl::StartsWith(path.filename().string(), ".")) {
      files.push_back(path);
    }
  }
  if (error) {
    LOG_EVERY_N(WARNING, 60) << "xccdf_drop " << drop.directory << ": " << error.message();
    return;
  }
  std::sort(files.begin(), files.end());
  const absl::Time quiet_since = clock_.TimeNow() - kDropQuietPeriod;
  for (const fs::path& path : files) {
    if (stop_.HasBeenNotified()) return;
    if (ModificationTime(path) > quiet_since) continue;  // Perhaps still being written.
    ImportDroppedFile(drop, path.string(), pass);
  }
}

void OpenscapSource::ImportDroppedFile(const XccdfDropOptions& drop, const std::string& path,
                                       OpenscapPass& pass) {
  absl::StatusOr<openscap::XccdfResults> results = openscap::ReadXccdfResultsFile(path);
  absl::Time observed_at = ModificationTime(path);
  if (results.ok() && !results->end_time.empty()) {
    absl::StatusOr<absl::Time> end = openscap::ParseXccdfTime(results->end_time);
    if (!end.ok()) {
      results = absl::InvalidArgumentError(
          absl::StrCat(path, ": TestResult end-time: ", end.status().message()));
    } else {
      observed_at = *end;
    }
  }
  if (results.ok() && observed_at > clock_.TimeNow() + absl::Minutes(5)) {
    results = absl::InvalidArgumentError(absl::StrCat(path, ": the scan ended in the future (",
                                                      absl::FormatTime(observed_at),
                                                      "): check the scanner's clock"));
  }
  if (!results.ok()) {
    LOG(ERROR) << "rejected " << path << ": " << results.status().message();
    Reject(path, results.status().message());
    ++pass.rejected_files;
    return;
  }
  if (!SpoolEvidence(path, *results, drop.assets, observed_at, drop.valid_for, pass)) return;
  ++pass.imported_files;
  std::error_code error;
  fs::remove(path, error);
  if (error) LOG(ERROR) << "imported " << path << " but cannot delete it: " << error.message();
}

bool OpenscapSource::SpoolEvidence(const std::string& origin, const openscap::XccdfResults& results,
                                   const std::vector<std::string>& assets, absl::Time observed_at,
                                   absl::Duration valid_for, OpenscapPass& pass) {
  const openscap::XccdfEvidence evidence =
      openscap::EvidenceFromXccdf(results, mapping_, kMaxEvidenceDetailBytes);
  if (evidence.all_not_applicable) {
    ++pass.all_not_applicable;
    LOG(WARNING) << origin << ": " << evidence.notice;
  }
  std::vector<v1::Evidence> items = EvidenceFromOpenscap(evidence, assets, observed_at, valid_for);
  const std::size_t count = items.size();
  if (!items.empty()) {
    absl::StatusOr<uint64_t> sequence = spool_.Append(std::move(items));
    if (!sequence.ok()) {
      LOG(ERROR) << origin << ": evidence not spooled: " << sequence.status().message();
      return false;
    }
  }
  pass.spooled_items += static_cast<int>(count);
  LOG(INFO) << origin << ": " << evidence.outcomes.size() << " outcomes, " << count
            << " evidence items spooled, " << evidence.unmapped_rules.size()
            << " evaluated rules map to no outcome";
  return true;
}

}  // namespace postura::agent
