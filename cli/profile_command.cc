#include "cli/profile_command.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/output_file.h"
#include "cli/profile_text.h"

namespace postura::cli {
namespace {

// The planner may take up to 20 s per asset on the collector (kProfilePlanTimeLimit).
constexpr absl::Duration kProfileTimeout = absl::Minutes(2);

}  // namespace

int RunProfile(CommandContext& c, const ProfileOptions& options) {
  if (options.organization == !options.asset.empty()) {
    return c.BadInput(absl::InvalidArgumentError("give an asset or --org (one of them)"));
  }
  v1::GetProfileRequest request;
  request.set_asset_id(options.asset);
  request.set_organization(options.organization);
  absl::StatusOr<v1::Profile> profile = c.collector.Call(
      c.collector.profiles(), &v1::Profiles::Stub::GetProfile, request, kProfileTimeout);
  if (!profile.ok()) return c.Fail(profile.status());
  const std::string text =
      options.format == "json"
          ? ProtoJson(*profile, /*indented=*/true) + "\n"
          : ProfileMarkdown(*profile, absl::FromUnixNanos(profile->computed_at_unix_nanos()),
                            c.collector.address());
  if (options.output.empty()) {
    c.out << text;
    return kExitOk;
  }
  if (absl::Status written = WriteOutputFile(options.output, text); !written.ok()) {
    return c.BadInput(written);
  }
  c.out << "Profile of " << profile->assets_size()
        << (profile->assets_size() == 1 ? " asset" : " assets") << " written to " << options.output
        << ".\n";
  return kExitOk;
}

void AddProfileCommand(CLI::App& app, CommandLine& line) {
  auto options = std::make_shared<ProfileOptions>();
  CLI::App* command = app.add_subcommand(
      "profile",
      "Current profile, target profile (the planner's least-work status meeting the targets), "
      "the gap per function and functional area, and the roadmap in phases (IG1 outcomes "
      "first), for an asset or the organisation (Markdown or JSON)");
  CLI::Option* asset = command->add_option("asset", options->asset, "The asset");
  command->add_flag("--org", options->organization, "Every asset you may see, and their rollup")
      ->excludes(asset);
  command->add_option("--format", options->format, "markdown (default; also md) or json")
      ->check(CLI::IsMember({"markdown", "md", "json"}));
  command->add_option("-o,--output", options->output, "Write the profile to this file");
  OnSelected(command, line, [options](CommandContext& c) { return RunProfile(c, *options); });
}

}  // namespace postura::cli
