// dashboard_fixture: sets up a collector for the dashboard's browser test
// (dashboard.test.mjs) through its gRPC APIs, as an operator and an agent would.
//
//   dashboard_fixture register DATA_DIR GRPC_ADDRESS
//     With the admin token and CA the collector wrote to its DATA_DIR, registers the
//     supplier "hoster", the department "finance", the assets "platform" (IG1, run by
//     hoster), "portal" (IG2, finance, depends on platform) and "payroll" (IG3, finance), a
//     target on portal (ID_AM_CSC_1_1 >= 0.67) and the agent "host-1" bound to all three,
//     and enrolls host-1, keeping its credential in DATA_DIR/fixture-agent.credential.
//   dashboard_fixture send DATA_DIR GRPC_ADDRESS SEQUENCE ITEM...
//     Sends one batch as host-1 over the ingest protocol and waits until it is durable.
//     ITEM is ASSET:OUTCOME:LEVEL[:stale][:attested|:openscap], LEVEL one of 0, 0.33, 0.67, 1;
//     "stale" evidence expired an hour ago, other evidence expires in an hour.
//   dashboard_fixture targets DATA_DIR GRPC_ADDRESS ASSET TARGET...
//     Replaces ASSET's targets, made as the admin. TARGET is SCOPE[:ID]OPERATOR VALUE with
//     no space, SCOPE one of asset, function, category, outcome and OPERATOR one of
//     >=, >, <=, <, =: "asset>=0.5", "outcome:ID_AM_CSC_1_1>=0.67".
//   dashboard_fixture token DATA_DIR GRPC_ADDRESS ROLE [TENANT]
//     Prints a new API token of ROLE (auditor, supplier or department) for TENANT, made as
//     the admin; for the department role (an officer), TENANT is the department.
//   dashboard_fixture spki CERTIFICATE_FILE
//     Prints the certificate's SPKI hash, for Chromium's --ignore-certificate-errors-spki-list.
//
// Exits 0 on success, 1 with the reason on stderr otherwise, 2 for bad usage.

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"
#include "common/transport/grpc_status.h"
#include "common/transport/private_file.h"
#include "common/transport/tls_files.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/collector_client.h"

namespace postura {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(10);
constexpr char kAgentId[] = "host-1";

std::unique_ptr<grpc::ClientContext> ContextWithDeadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
  return context;
}

v1::Asset MakeAsset(const std::string& id, const std::string& name, v1::ImplementationGroup group) {
  v1::Asset asset;
  asset.set_id(id);
  asset.set_name(name);
  asset.set_implementation_group(group);
  return asset;
}

absl::Status PutAsset(v1::AdminService::Stub& admin, const v1::Asset& asset) {
  v1::PutAssetRequest request;
  *request.mutable_asset() = asset;
  v1::PutAssetResponse response;
  return FromGrpcStatus(admin.PutAsset(ContextWithDeadline().get(), request, &response));
}

absl::Status RegisterOrganisation(v1::AdminService::Stub& admin) {
  v1::PutTenantRequest tenant;
  tenant.mutable_tenant()->set_id("hoster");
  tenant.mutable_tenant()->set_name("Hosting Ltd");
  tenant.mutable_tenant()->set_kind(v1::SUPPLIER);
  v1::PutTenantResponse tenant_response;
  if (absl::Status s =
          FromGrpcStatus(admin.PutTenant(ContextWithDeadline().get(), tenant, &tenant_response));
      !s.ok()) {
    return s;
  }
  v1::PutDepartmentRequest department;
  department.mutable_department()->set_id("finance");
  department.mutable_department()->set_name("Finance");
  v1::PutDepartmentResponse department_response;
  if (absl::Status s = FromGrpcStatus(
          admin.PutDepartment(ContextWithDeadline().get(), department, &department_response));
      !s.ok()) {
    return s;
  }

  v1::Asset platform = MakeAsset("platform", "Hosting platform", v1::IG1);
  platform.set_supplier_id("hoster");
  v1::Asset portal = MakeAsset("portal", "Customer portal", v1::IG2);
  portal.set_department_id("finance");
  portal.add_dependency_ids("platform");
  v1::Asset payroll = MakeAsset("payroll", "Payroll", v1::IG3);
  payroll.set_department_id("finance");
  for (const v1::Asset* asset : {&platform, &portal, &payroll}) {
    if (absl::Status s = PutAsset(admin, *asset); !s.ok()) return s;
  }

  v1::PutTargetsRequest targets;
  targets.set_asset_id("portal");
  v1::Target& target = *targets.add_targets();
  target.set_scope(v1::SCOPE_OUTCOME);
  target.set_scope_id("ID_AM_CSC_1_1");
  target.set_operator_(v1::GREATER_OR_EQUAL);
  target.set_value(0.67);
  v1::PutTargetsResponse targets_response;
  if (absl::Status s =
          FromGrpcStatus(admin.PutTargets(ContextWithDeadline().get(), targets, &targets_response));
      !s.ok()) {
    return s;
  }

  v1::PutAgentRequest agent;
  agent.mutable_agent()->set_id(kAgentId);
  for (const char* asset : {"platform", "portal", "payroll"}) {
    agent.mutable_agent()->add_asset_ids(asset);
  }
  v1::PutAgentResponse agent_response;
  return FromGrpcStatus(admin.PutAgent(ContextWithDeadline().get(), agent, &agent_response));
}

// SCOPE[:ID]OPERATOR VALUE, as in the usage above.
absl::StatusOr<v1::Target> ParseTarget(absl::string_view text) {
  const size_t op_at = text.find_first_of("<>=");
  if (op_at == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("target '", text, "' has no operator (>=, >, <=, <, =)"));
  }
  absl::string_view scope = text.substr(0, op_at);
  absl::string_view rest = text.substr(op_at);
  v1::Target target;
  const size_t colon = scope.find(':');
  if (colon != absl::string_view::npos) {
    target.set_scope_id(std::string(scope.substr(colon + 1)));
    scope = scope.substr(0, colon);
  }
  const std::pair<absl::string_view, v1::TargetScopeKind> scopes[] = {
      {"asset", v1::SCOPE_ASSET},
      {"function", v1::SCOPE_FUNCTION},
      {"category", v1::SCOPE_CATEGORY},
      {"outcome", v1::SCOPE_OUTCOME}};
  for (const auto& [name, kind] : scopes) {
    if (scope == name) target.set_scope(kind);
  }
  // Two-character operators first, so that ">=" is not read as ">".
  const std::pair<absl::string_view, v1::TargetOperator> operators[] = {
      {">=", v1::GREATER_OR_EQUAL},
      {"<=", v1::LESS_OR_EQUAL},
      {">", v1::GREATER},
      {"<", v1::LESS},
      {"=", v1::EQUAL}};
  for (const auto& [symbol, kind] : operators) {
    if (absl::ConsumePrefix(&rest, symbol)) {
      target.set_operator_(kind);
      break;
    }
  }
  double value = 0;
  if (target.scope() == v1::TARGET_SCOPE_KIND_UNSPECIFIED || !absl::SimpleAtod(rest, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("target '", text, "' is not SCOPE[:ID]OPERATOR VALUE, e.g. asset>=0.5"));
  }
  target.set_value(value);
  return target;
}

absl::Status PutTargets(const std::string& data_dir, const std::string& address,
                        const std::string& asset_id, const std::vector<std::string>& texts) {
  v1::PutTargetsRequest request;
  request.set_asset_id(asset_id);
  for (const std::string& text : texts) {
    absl::StatusOr<v1::Target> target = ParseTarget(text);
    if (!target.ok()) return target.status();
    *request.add_targets() = *std::move(target);
  }
  absl::StatusOr<CollectorTrust> admin_trust = test::AdminTrust(data_dir);
  if (!admin_trust.ok()) return admin_trust.status();
  auto admin = v1::AdminService::NewStub(CreateCollectorChannel(address, *admin_trust));
  v1::PutTargetsResponse response;
  return FromGrpcStatus(admin->PutTargets(ContextWithDeadline().get(), request, &response));
}

absl::StatusOr<v1::Level> ParseLevel(absl::string_view text) {
  if (text == "0") return v1::DLI_0;
  if (text == "0.33") return v1::DLI_33;
  if (text == "0.67") return v1::DLI_67;
  if (text == "1") return v1::DLI_100;
  return absl::InvalidArgumentError(absl::StrCat("level '", text, "' is not 0, 0.33, 0.67 or 1"));
}

// ASSET:OUTCOME:LEVEL[:stale][:attested|:openscap] as an evidence item observed now (or, when
// stale, two hours ago and expired an hour ago).
absl::StatusOr<v1::Evidence> ParseItem(absl::string_view text, absl::Time now) {
  std::vector<std::string> fields = absl::StrSplit(text, ':');
  if (fields.size() < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("item '", text, "' is not ASSET:OUTCOME:LEVEL[:stale][:attested|:openscap]"));
  }
  absl::StatusOr<v1::Level> level = ParseLevel(fields[2]);
  if (!level.ok()) return level.status();
  v1::Evidence item;
  item.set_asset_id(fields[0]);
  item.set_outcome_id(fields[1]);
  item.set_level(*level);
  item.set_kind(v1::OBSERVED);
  item.set_check_id(absl::StrCat("browser-test.", absl::AsciiStrToLower(fields[1])));
  absl::Time observed = now;
  absl::Time expires = now + absl::Hours(1);
  for (size_t i = 3; i < fields.size(); ++i) {
    if (fields[i] == "stale") {
      observed = now - absl::Hours(2);
      expires = now - absl::Hours(1);
    } else if (fields[i] == "attested") {
      item.set_kind(v1::ATTESTED);
    } else if (fields[i] == "openscap") {  // As agent/openscap_evidence.h names them.
      item.set_check_id("openscap:xccdf_org.ssgproject.content_profile_standard");
      item.set_detail(
          "1 of 2 rules fail: xccdf_org.ssgproject.content_rule_sshd_disable_root_login "
          "(Disable SSH Root Login, medium)");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("item '", text, "': unknown flag ", fields[i]));
    }
  }
  item.set_observed_at_unix_nanos(absl::ToUnixNanos(observed));
  item.set_expires_at_unix_nanos(absl::ToUnixNanos(expires));
  if (item.detail().empty()) item.set_detail("sent by the dashboard browser test");
  return item;
}

// Sends `items` as one batch and waits for its acknowledgement; every item must be stored.
absl::Status SendBatch(v1::IngestService::Stub& ingest, uint64_t sequence,
                       const std::vector<v1::Evidence>& items) {
  std::unique_ptr<grpc::ClientContext> context = ContextWithDeadline();
  auto stream = ingest.Report(context.get());
  v1::AgentMessage hello;
  hello.mutable_hello()->set_agent_id(kAgentId);
  hello.mutable_hello()->set_agent_version("dashboard_fixture");
  v1::CollectorMessage reply;
  if (!stream->Write(hello) || !stream->Read(&reply) || !reply.has_welcome()) {
    return FromGrpcStatus(stream->Finish());
  }
  v1::AgentMessage batch;
  batch.mutable_batch()->set_sequence(sequence);
  for (const v1::Evidence& item : items) *batch.mutable_batch()->add_items() = item;
  if (!stream->Write(batch) || !stream->Read(&reply)) return FromGrpcStatus(stream->Finish());
  if (reply.ack().sequence() != sequence || reply.ack().duplicate()) {
    return absl::FailedPreconditionError(
        absl::StrCat("batch ", sequence, " was not applied: ", reply.ShortDebugString()));
  }
  if (reply.ack().rejected_size() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("items rejected: ", reply.ack().ShortDebugString()));
  }
  stream->WritesDone();
  while (stream->Read(&reply)) {
  }
  grpc::Status finished = stream->Finish();
  if (finished.ok() || finished.error_code() == grpc::StatusCode::CANCELLED) {
    return absl::OkStatus();
  }
  return FromGrpcStatus(finished);
}

std::string AgentCredentialFile(const std::string& data_dir) {
  return data_dir + "/fixture-agent.credential";
}

absl::Status Register(const std::string& data_dir, const std::string& address) {
  absl::StatusOr<CollectorTrust> admin_trust = test::AdminTrust(data_dir);
  if (!admin_trust.ok()) return admin_trust.status();
  auto admin = v1::AdminService::NewStub(CreateCollectorChannel(address, *admin_trust));
  if (absl::Status s = RegisterOrganisation(*admin); !s.ok()) return s;
  absl::StatusOr<CollectorTrust> agent =
      test::EnrollAgent(address, *admin_trust, kAgentId, {"platform", "portal", "payroll"});
  if (!agent.ok()) return agent.status();
  return WritePrivateFile(AgentCredentialFile(data_dir), agent->token);
}

absl::Status PrintSpki(const std::string& certificate_file) {
  absl::StatusOr<std::string> certificate = ReadCertificateFile(certificate_file);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> spki = SpkiSha256Base64(*certificate);
  if (!spki.ok()) return spki.status();
  std::cout << *spki << "\n";
  return absl::OkStatus();
}

absl::Status Send(const std::string& data_dir, const std::string& address,
                  absl::string_view sequence_text, const std::vector<std::string>& item_texts) {
  uint64_t sequence = 0;
  if (!absl::SimpleAtoi(sequence_text, &sequence) || sequence == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("sequence '", sequence_text, "' is not a positive integer"));
  }
  const absl::Time now = absl::Now();
  std::vector<v1::Evidence> items;
  for (const std::string& text : item_texts) {
    absl::StatusOr<v1::Evidence> item = ParseItem(text, now);
    if (!item.ok()) return item.status();
    items.push_back(*std::move(item));
  }
  absl::StatusOr<CollectorTrust> trust =
      LoadCollectorTrust(data_dir + "/tls/ca.crt", AgentCredentialFile(data_dir));
  if (!trust.ok()) return trust.status();
  auto ingest = v1::IngestService::NewStub(CreateCollectorChannel(address, *trust));
  return SendBatch(*ingest, sequence, items);
}

absl::Status PrintApiToken(const std::string& data_dir, const std::string& address,
                           const std::string& role, const std::string& tenant) {
  if (role != "auditor" && role != "supplier" && role != "department") {
    return absl::InvalidArgumentError(
        absl::StrCat("role '", role, "' is not auditor, supplier or department"));
  }
  absl::StatusOr<CollectorTrust> admin = test::AdminTrust(data_dir);
  if (!admin.ok()) return admin.status();
  const bool officer = role == "department";
  const v1::Role wire = role == "auditor" ? v1::ROLE_AUDITOR
                        : officer         ? v1::ROLE_DEPARTMENT
                                          : v1::ROLE_SUPPLIER;
  absl::StatusOr<std::string> token = test::CreateApiToken(
      address, *admin, wire, officer ? "" : tenant, /*ttl_seconds=*/0, officer ? tenant : "");
  if (!token.ok()) return token.status();
  std::cout << *token << "\n";
  return absl::OkStatus();
}

int Run(const std::vector<std::string>& args) {
  absl::Status status;
  if (args.size() == 3 && args[0] == "register") {
    status = Register(args[1], args[2]);
  } else if (args.size() >= 5 && args[0] == "send") {
    status =
        Send(args[1], args[2], args[3], std::vector<std::string>(args.begin() + 4, args.end()));
  } else if (args.size() >= 5 && args[0] == "targets") {
    status = PutTargets(args[1], args[2], args[3],
                        std::vector<std::string>(args.begin() + 4, args.end()));
  } else if ((args.size() == 4 || args.size() == 5) && args[0] == "token") {
    status = PrintApiToken(args[1], args[2], args[3], args.size() == 5 ? args[4] : "");
  } else if (args.size() == 2 && args[0] == "spki") {
    status = PrintSpki(args[1]);
  } else {
    std::cerr << "usage: dashboard_fixture register DATA_DIR GRPC_ADDRESS\n"
                 "       dashboard_fixture send DATA_DIR GRPC_ADDRESS SEQUENCE "
                 "ASSET:OUTCOME:LEVEL[:stale][:attested|:openscap]...\n"
                 "       dashboard_fixture targets DATA_DIR GRPC_ADDRESS ASSET "
                 "SCOPE[:ID]OPERATOR VALUE...\n"
                 "       dashboard_fixture token DATA_DIR GRPC_ADDRESS ROLE [TENANT]\n"
                 "       dashboard_fixture spki CERTIFICATE_FILE\n";
    return 2;
  }
  if (!status.ok()) {
    std::cerr << "dashboard_fixture " << args[0] << ": " << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace postura

int main(int argc, char** argv) {
  return postura::Run(std::vector<std::string>(argv + 1, argv + argc));
}
