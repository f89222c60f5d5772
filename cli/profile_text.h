// The profile (postura/v1/profile.proto) as Markdown for people: current and target
// profile, gap per function and functional area, and the roadmap in its phases. Used by
// `postura profile` (cli/profile_command.cc). Every outside string goes through the
// Markdown cell helpers (cli/markdown_table.h), so names cannot act on a terminal or break
// a table. Threading: pure functions; any thread.
#ifndef POSTURA_CLI_PROFILE_TEXT_H_
#define POSTURA_CLI_PROFILE_TEXT_H_

#include <string>

#include "absl/time/time.h"
#include "postura/v1/profile.pb.h"

namespace postura::cli {

// One asset's profile (profile.assets(0)) or, when profile.has_organization(), the
// organisation's followed by each asset's. `generated_at` and `collector` head the page.
std::string ProfileMarkdown(const v1::Profile& profile, absl::Time generated_at,
                            const std::string& collector);

}  // namespace postura::cli

#endif  // POSTURA_CLI_PROFILE_TEXT_H_
