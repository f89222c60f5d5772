#include "collector/sector/sector_feed.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// How long one read waits for messages before looking whether it should stop, how many
// it takes at once, and the pause after the stream could not be read.
constexpr absl::Duration kFetchWait = absl::Milliseconds(200);
constexpr int kMessagesPerRead = 256;
constexpr absl::Duration kRetryAfter = absl::Milliseconds(500);

}  // namespace

std::string SubjectOrganisation(const std::string& stream_subject, const std::string& subject) {
  absl::string_view prefix = stream_subject;
  absl::string_view rest = subject;
  if (!absl::ConsumeSuffix(&prefix, ">") || !absl::ConsumePrefix(&rest, prefix)) return "";
  const size_t dot = rest.find('.');
  if (dot == absl::string_view::npos || rest.find('.', dot + 1) != absl::string_view::npos) {
    return "";
  }
  return std::string(rest.substr(0, dot));
}

absl::StatusOr<std::unique_ptr<SectorFeed>> SectorFeed::Start(JetStreamLog& log,
                                                              SectorMembers members,
                                                              SectorFeedOptions options) {
  if (!absl::EndsWith(log.options().subject, ".>")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the sector stream's subject '", log.options().subject, "' does not end in \".>\""));
  }
  if (!IsJetStreamName(options.consumer)) {
    return absl::InvalidArgumentError(absl::StrCat("sector consumer name '", options.consumer,
                                                   "': 1 to 64 of A-Z, a-z, 0-9, - and _"));
  }
  std::unique_ptr<SectorFeed> feed(new SectorFeed(log, std::move(members), std::move(options)));
  feed->thread_ = std::thread([self = feed.get()] { self->Run(); });
  return feed;
}

SectorFeed::SectorFeed(JetStreamLog& log, SectorMembers members, SectorFeedOptions options)
    : log_(log),
      members_(std::move(members)),
      options_(std::move(options)),
      view_(options_.outcome_count, options_.view) {}

SectorFeed::~SectorFeed() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void SectorFeed::Read(const std::function<void(const SectorView&)>& reader) const {
  absl::MutexLock lock(&mu_);
  reader(view_);
}

SectorFeedStats SectorFeed::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void SectorFeed::Run() {
  NameThisThread("sector-feed");
  std::unique_ptr<LogConsumer> consumer;
  for (;;) {
    uint64_t next = 1;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      next = stats_.position + 1;
    }
    absl::Status failed;
    if (consumer == nullptr) {
      absl::StatusOr<std::unique_ptr<LogConsumer>> opened = log_.Consumer(options_.consumer, next);
      if (opened.ok()) consumer = *std::move(opened);
      failed = opened.status();
    }
    if (failed.ok()) {
      absl::StatusOr<int> read =
          consumer->Next(kMessagesPerRead, kFetchWait, [this](std::vector<LogMessage>& messages) {
            for (const LogMessage& message : messages) Take(message);
            return absl::OkStatus();
          });
      failed = read.status();
    }
    if (failed.ok()) continue;
    consumer.reset();  // Read on from the position once the stream answers again.
    LOG_EVERY_N(WARNING, 20) << "sector: reading the sector's stream: " << failed.message();
    absl::MutexLock lock(&mu_);
    ++stats_.read_failures;
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), kRetryAfter);
  }
}

void SectorFeed::Take(const LogMessage& message) {
  const std::string publisher = SubjectOrganisation(log_.options().subject, message.subject);
  absl::StatusOr<v1::SectorAssetSummary> summary =
      publisher.empty()
          ? absl::InvalidArgumentError(absl::StrCat("subject '", message.subject,
                                                    "' is not <prefix>.<organisation>.<asset>"))
          : OpenSummary(message.data, publisher, members_, options_.outcome_count);
  absl::MutexLock lock(&mu_);
  stats_.position = message.sequence;
  if (!summary.ok()) {
    ++stats_.refused;
    stats_.last_refusal = std::string(summary.status().message());
    LOG_EVERY_N(WARNING, 100) << "sector: refused message " << message.sequence << " on "
                              << message.subject << ": " << summary.status().message();
    return;
  }
  ++(view_.Apply(*summary) ? stats_.applied : stats_.stale);
}

}  // namespace postura::collector
