// Sector federation's cost per asset summary (issue 20, item 5), in this process:
//
//   build/bin/sector_bench [--organisations 20] [--assets 500] [--rounds 3]
//
// An organisation's side: building and signing each summary (what its publisher does per
// changed asset). The sector's side: opening each message (parse, verify the signature,
// check bounds) and applying it to the view; then reading the view (the overview's
// figures and one organisation's position). Each is timed over every summary of every
// round, with the round's parse alone as the baseline measured in the same run, and the
// view's memory from the process's resident size before and after.
//
// Not measured here: NATS itself (the stream's cost per message is JetStream's own; the
// cluster bench measures appends through it), and the publisher's reading of live scores.

#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/sector/sector_view.h"
#include "collector/sector/signed_summary.h"
#include "common/model/catalog.h"
#include "common/transport/agent_certificate.h"
#include "tests/testing/process_stats.h"

namespace postura::collector {
namespace {

struct Member {
  std::string id;
  P256Signer key;
};

// A summary of asset `asset` of `organisation` for `round`, with levels drawn at random
// where the outcome applies to its group.
v1::SectorAssetSummary MakeSummary(const std::string& organisation, int asset, int round,
                                   std::mt19937& random) {
  const Catalog& catalog = Catalog::Builtin();
  const auto group = static_cast<ImplementationGroup>(asset % 3);
  std::string levels(catalog.outcomes().size(), '\0');
  std::uniform_int_distribution<int> level(1, 4);
  for (int outcome : catalog.model(group).applicable_outcomes()) {
    levels[outcome] = static_cast<char>(level(random));
  }
  std::uniform_real_distribution<double> share(0, 1);
  const double value = share(random);
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation);
  summary.set_asset_ref(AssetPseudonym(organisation, absl::StrCat("asset-", asset)));
  summary.set_version(static_cast<uint64_t>(round) + 1);
  summary.set_published_at_unix_nanos(absl::ToUnixNanos(absl::Now()));
  summary.set_implementation_group(static_cast<v1::ImplementationGroup>(asset % 3 + 1));
  summary.set_value(value);
  summary.set_adjusted_value(value * share(random));
  summary.set_coverage(share(random));
  summary.set_outcome_levels(std::move(levels));
  return summary;
}

double MicrosEach(absl::Duration elapsed, size_t count) {
  return count == 0 ? 0 : absl::ToDoubleMicroseconds(elapsed) / static_cast<double>(count);
}

}  // namespace
}  // namespace postura::collector

int main(int argc, char** argv) {
  using namespace postura;
  using namespace postura::collector;
  CLI::App app{"Sector federation's cost per asset summary."};
  int organisations = 20, assets = 500, rounds = 3;
  app.add_option("--organisations", organisations, "Member organisations")
      ->check(CLI::Range(1, 10'000));
  app.add_option("--assets", assets, "Assets per organisation")->check(CLI::Range(1, 100'000));
  app.add_option("--rounds", rounds, "Publications of every asset")->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  const size_t outcome_count = Catalog::Builtin().outcomes().size();
  std::vector<Member> members;
  SectorMembers keys;
  for (int i = 0; i < organisations; ++i) {
    const std::string id = absl::StrCat("org-", i);
    P256Signer key = P256Signer::FromKeyPem(NewAgentKeyPem().value(), id).value();
    keys.emplace(id, P256Verifier::FromPublicKeyPem(key.PublicKeyPem().value(), id).value());
    members.push_back({id, std::move(key)});
  }
  std::printf("machine: %ld cores; %d organisations x %d assets x %d rounds; %zu outcomes\n\n",
              sysconf(_SC_NPROCESSORS_ONLN), organisations, assets, rounds, outcome_count);

  std::mt19937 random(20261206);
  absl::Duration building, signing, parsing, opening, applying;
  size_t messages = 0, bytes = 0;
  const double rss_before = test::ProcessMemoryMib(getpid(), "VmRSS");
  SectorView view(outcome_count, {});
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::pair<std::string, std::string>> sealed;  // Publisher, message.
    absl::Time start = absl::Now();
    std::vector<std::pair<const Member*, v1::SectorAssetSummary>> summaries;
    for (const Member& member : members) {
      for (int asset = 0; asset < assets; ++asset) {
        summaries.emplace_back(&member, MakeSummary(member.id, asset, round, random));
      }
    }
    building += absl::Now() - start;
    start = absl::Now();
    for (const auto& [member, summary] : summaries) {
      sealed.emplace_back(member->id, SealSummary(summary, member->key).value());
    }
    signing += absl::Now() - start;
    start = absl::Now();
    for (const auto& [publisher, message] : sealed) {
      v1::SignedSectorSummary parsed;
      v1::SectorAssetSummary inner;
      if (!parsed.ParseFromString(message) || !inner.ParseFromString(parsed.summary())) return 1;
    }
    parsing += absl::Now() - start;
    std::vector<v1::SectorAssetSummary> opened;
    opened.reserve(sealed.size());
    start = absl::Now();
    for (const auto& [publisher, message] : sealed) {
      opened.push_back(OpenSummary(message, publisher, keys, outcome_count).value());
      bytes += message.size();
    }
    opening += absl::Now() - start;
    start = absl::Now();
    for (const v1::SectorAssetSummary& summary : opened) view.Apply(summary);
    applying += absl::Now() - start;
    messages += sealed.size();
  }
  const double rss_after = test::ProcessMemoryMib(getpid(), "VmRSS");
  absl::Time start = absl::Now();
  double sink = view.Index();
  for (const OrganisationStanding& standing : view.Organisations()) sink += standing.index;
  for (size_t i = 0; i < outcome_count; ++i) sink += view.OutcomeSpread(static_cast<int>(i)).mean;
  sink += static_cast<double>(view.Degraded(absl::Now()).size());
  const absl::Duration overview = absl::Now() - start;
  start = absl::Now();
  sink += view.PositionOf("org-0")->index_percentile;
  const absl::Duration position = absl::Now() - start;

  const double parse_us = MicrosEach(parsing, messages);
  std::printf("summaries: %zu, %.0f bytes each on the stream\n", messages,
              static_cast<double>(bytes) / static_cast<double>(messages));
  std::printf("organisation, per summary: build %.2f us, sign %.2f us\n",
              MicrosEach(building, messages), MicrosEach(signing, messages));
  std::printf(
      "sector, per summary: parse alone (baseline) %.2f us; open (parse, verify, "
      "check) %.2f us = %.0fx the baseline; apply %.2f us\n",
      parse_us, MicrosEach(opening, messages),
      parse_us > 0 ? MicrosEach(opening, messages) / parse_us : 0, MicrosEach(applying, messages));
  std::printf("sector, one core: %.0f summaries/s opened and applied\n",
              static_cast<double>(messages) / absl::ToDoubleSeconds(opening + applying));
  std::printf("sector, reading the view: overview %.2f ms, one position %.2f ms\n",
              absl::ToDoubleMilliseconds(overview), absl::ToDoubleMilliseconds(position));
  std::printf(
      "view of %d assets: %.1f MiB resident added, at most (%.0f bytes per asset; "
      "buffers freed meanwhile may stay resident)\n",
      organisations * assets, rss_after - rss_before,
      (rss_after - rss_before) * 1024 * 1024 / (organisations * assets));
  return sink < 0 ? 1 : 0;
}
