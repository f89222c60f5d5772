#include "cli/token_commands.h"

#include <map>
#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "common/config/yaml_config.h"
#include "common/transport/private_file.h"

namespace postura::cli {
namespace {

using Access = v1::AccessService::Stub;

struct TokenRequest {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string tenant;
  std::string department;  // For --role department.
  std::string name;
  std::string ttl;
  std::vector<std::string> assets;
  uint32_t uses = 1;
  std::string output;  // Where to write the token; empty: stdout.
};

absl::StatusOr<int64_t> TtlSeconds(const std::string& text) {
  if (text.empty() || text == "0") return 0;
  absl::StatusOr<absl::Duration> ttl = ParseConfigDuration(text);
  if (!ttl.ok()) return absl::InvalidArgumentError(absl::StrCat("--ttl: ", ttl.status().message()));
  return absl::ToInt64Seconds(*ttl);
}

// The tenant, and a department officer's department after a slash ("org/finance").
std::string TenantText(const v1::Credential& credential) {
  if (credential.department_id().empty()) return credential.tenant_id();
  return absl::StrCat(credential.tenant_id(), "/", credential.department_id());
}

std::string RoleText(v1::Role role) {
  std::string name = v1::Role_Name(role).substr(std::string_view("ROLE_").size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// Prints (or writes) a token that was just created.
int Created(CommandContext& c, const absl::StatusOr<v1::CreatedToken>& created,
            const std::string& output) {
  if (!created.ok()) return c.Fail(created.status());
  if (!output.empty()) {
    if (absl::Status written = WritePrivateFile(output, created->token() + "\n"); !written.ok()) {
      c.err << "postura: the token was created (id " << created->credential().id()
            << ") but not saved: " << written.message()
            << "; revoke it with `postura tokens revoke " << created->credential().id() << "`\n";
      return kExitBadInput;
    }
  }
  if (c.format == OutputFormat::kJson) {
    v1::CreatedToken shown = *created;
    if (!output.empty()) shown.clear_token();
    c.PrintJson(shown);
    return kExitOk;
  }
  c.out << "Token " << created->credential().id() << " created";
  if (output.empty()) {
    c.out << "; it is shown only now:\n" << created->token() << "\n";
  } else {
    c.out << " and written to " << output << " (owner-only).\n";
  }
  return kExitOk;
}

int CreateApiToken(CommandContext& c, const TokenRequest& options) {
  absl::StatusOr<int64_t> ttl = TtlSeconds(options.ttl);
  if (!ttl.ok()) return c.Fail(ttl.status());
  v1::CreateApiTokenRequest request;
  request.set_role(options.role);
  request.set_tenant_id(options.tenant);
  request.set_department_id(options.department);
  request.set_name(options.name);
  request.set_ttl_seconds(*ttl);
  return Created(c, c.collector.Call(c.collector.access(), &Access::CreateApiToken, request),
                 options.output);
}

int CreateEnrollmentToken(CommandContext& c, const TokenRequest& options) {
  absl::StatusOr<int64_t> ttl = TtlSeconds(options.ttl.empty() ? "1h" : options.ttl);
  if (!ttl.ok()) return c.Fail(ttl.status());
  v1::CreateEnrollmentTokenRequest request;
  request.set_tenant_id(options.tenant);
  for (const std::string& asset : options.assets) request.add_asset_ids(asset);
  request.set_uses(options.uses);
  request.set_ttl_seconds(*ttl);
  request.set_name(options.name);
  return Created(c, c.collector.Call(c.collector.access(), &Access::CreateEnrollmentToken, request),
                 options.output);
}

int ListTokens(CommandContext& c) {
  absl::StatusOr<v1::ListTokensResponse> tokens =
      c.collector.Call(c.collector.access(), &Access::ListTokens, v1::ListTokensRequest());
  if (!tokens.ok()) return c.Fail(tokens.status());
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(*tokens);
  } else {
    c.out << TokensText(*tokens, absl::ToUnixSeconds(absl::Now()));
  }
  return kExitOk;
}

int Revoked(CommandContext& c, const absl::Status& status, const std::string& done) {
  if (!status.ok()) return c.Fail(status);
  c.out << done << "\n";
  return kExitOk;
}

void AddCreateCommands(CLI::App* tokens, CommandLine& line) {
  CLI::App* create = tokens->add_subcommand("create", "Create an API or enrollment token");
  create->require_subcommand(1);
  auto options = std::make_shared<TokenRequest>();
  CLI::App* api =
      create->add_subcommand("api", "An API token for a person or script, with one role");
  AddChoiceOption(api, "--role", options->role,
                  std::map<std::string, v1::Role>{{"admin", v1::ROLE_ADMIN},
                                                  {"operator", v1::ROLE_OPERATOR},
                                                  {"auditor", v1::ROLE_AUDITOR},
                                                  {"supplier", v1::ROLE_SUPPLIER},
                                                  {"department", v1::ROLE_DEPARTMENT}},
                  "admin (registry, tokens), operator (read all, watch), auditor (read all, "
                  "export), supplier (its own assets only), department (an officer: its "
                  "department's requests and assets only)")
      ->required();
  api->add_option("--tenant", options->tenant, "The supplier tenant, for --role supplier");
  api->add_option("--department", options->department,
                  "The officer's department, for --role department");
  api->add_option("--name", options->name, "Who or what it is for");
  api->add_option("--ttl", options->ttl, "Lifetime such as 90d or 12h (default: no expiry)");
  api->add_option("-o,--output", options->output, "Write the token to this file (owner-only)");
  AddFormatOption(api, line);
  OnSelected(api, line, [options](CommandContext& c) { return CreateApiToken(c, *options); });

  CLI::App* enroll = create->add_subcommand(
      "enrollment", "A short-lived token with which agents obtain their own credential");
  enroll->add_option("--tenant", options->tenant,
                     "Tenant enrolled agents report for (default: org)");
  enroll->add_option("--asset", options->assets, "Asset enrolled agents report for (repeatable)")
      ->required();
  enroll->add_option("--uses", options->uses, "How many agents may enroll with it (default 1)");
  enroll->add_option("--ttl", options->ttl, "Lifetime, 1m to 30d (default 1h)");
  enroll->add_option("--name", options->name, "What it is for");
  enroll->add_option("-o,--output", options->output, "Write the token to this file (owner-only)");
  AddFormatOption(enroll, line);
  OnSelected(enroll, line,
             [options](CommandContext& c) { return CreateEnrollmentToken(c, *options); });
}

}  // namespace

std::string TokensText(const v1::ListTokensResponse& tokens, int64_t now_unix_seconds) {
  if (tokens.credentials().empty()) return "No credentials.\n";
  TextTable table({"ID", "KIND", "ROLE", "TENANT", "AGENT/ASSETS", "USES LEFT", "STATE",
                   "LAST USED", "FROM", "NAME"});
  table.AlignRight(5);
  for (const v1::Credential& credential : tokens.credentials()) {
    const bool enrollment = credential.kind() == v1::ENROLLMENT_TOKEN;
    const bool expired = credential.expires_unix_seconds() != 0 &&
                         now_unix_seconds >= credential.expires_unix_seconds();
    const std::string state = expired                                     ? "expired"
                              : enrollment && credential.uses_left() == 0 ? "used up"
                                                                          : "live";
    const bool certificate = credential.kind() == v1::AGENT_CERTIFICATE;
    const std::string kind = credential.kind() == v1::API_TOKEN ? "api"
                             : enrollment                       ? "enrollment"
                             : certificate                      ? "certificate"
                                                                : "agent";
    table.AddRow({credential.id(), kind, RoleText(credential.role()), TenantText(credential),
                  credential.kind() == v1::AGENT_CREDENTIAL || certificate
                      ? credential.agent_id()
                      : absl::StrJoin(credential.asset_ids(), ","),
                  enrollment ? absl::StrCat(credential.uses_left()) : "", state,
                  UnixNanosText(credential.last_used_unix_seconds() * 1'000'000'000),
                  credential.last_used_from().empty() ? "-" : credential.last_used_from(),
                  credential.name()});
  }
  return absl::StrCat(tokens.credentials_size(), " credentials\n", table.Render());
}

void AddTokenCommands(CLI::App& app, CommandLine& line) {
  CLI::App* tokens =
      app.add_subcommand("tokens", "API tokens, enrollment tokens and agent credentials (admin)");
  tokens->require_subcommand(1);
  AddCreateCommands(tokens, line);
  CLI::App* list = tokens->add_subcommand("list", "List every credential (never its secret)");
  AddFormatOption(list, line);
  OnSelected(list, line, ListTokens);
  auto id = std::make_shared<std::string>();
  CLI::App* revoke = tokens->add_subcommand("revoke", "Revoke a token or credential at once");
  revoke->add_option("id", *id, "The credential's id (see `postura tokens list`)")->required();
  OnSelected(revoke, line, [id](CommandContext& c) {
    v1::RevokeTokenRequest request;
    request.set_id(*id);
    return Revoked(c,
                   c.collector.Call(c.collector.access(), &Access::RevokeToken, request).status(),
                   absl::StrCat("Credential ", *id, " revoked."));
  });

  CLI::App* agents = app.get_subcommand("agents");
  auto agent = std::make_shared<std::string>();
  CLI::App* revoke_agent = agents->add_subcommand(
      "revoke", "Revoke an agent's credentials: it is refused at once and must enroll again");
  revoke_agent->add_option("id", *agent, "The agent's id")->required();
  OnSelected(revoke_agent, line, [agent](CommandContext& c) {
    v1::RevokeAgentRequest request;
    request.set_agent_id(*agent);
    absl::StatusOr<v1::RevokeAgentResponse> revoked =
        c.collector.Call(c.collector.access(), &Access::RevokeAgent, request);
    return Revoked(c, revoked.status(),
                   absl::StrCat("Agent ", *agent, ": ", revoked.ok() ? revoked->revoked() : 0,
                                " credential(s) revoked."));
  });

  CLI::App* whoami = app.add_subcommand("whoami", "Show the role and tenant of your token");
  AddFormatOption(whoami, line);
  OnSelected(whoami, line, [](CommandContext& c) {
    absl::StatusOr<v1::Credential> me =
        c.collector.Call(c.collector.access(), &Access::WhoAmI, v1::WhoAmIRequest());
    if (!me.ok()) return c.Fail(me.status());
    if (c.format == OutputFormat::kJson) {
      c.PrintJson(*me);
    } else {
      c.out << "Credential " << me->id() << ": role " << RoleText(me->role()) << ", tenant "
            << me->tenant_id()
            << (me->department_id().empty() ? ""
                                            : absl::StrCat(", department ", me->department_id()))
            << (me->name().empty() ? "" : absl::StrCat(" (", me->name(), ")")) << "\n";
    }
    return kExitOk;
  });
}

}  // namespace postura::cli
