#include "agent/delivery/certificate_renewal.h"

#include <algorithm>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/grpc_status.h"
#include "common/transport/private_file.h"
#include "glog/logging.h"
#include "postura/v1/access.grpc.pb.h"

namespace postura::agent {
namespace {

// How often an expired certificate is logged again.
constexpr absl::Duration kExpiredReminder = absl::Hours(1);

// The validity of the certificate in `pem`; nullopt if it does not parse.
std::optional<std::pair<absl::Time, absl::Time>> Validity(const std::string& pem) {
  absl::StatusOr<AgentCertificateFacts> facts = ReadAgentCertificate(pem);
  if (!facts.ok()) return std::nullopt;
  return std::make_pair(facts->not_before, facts->not_after);
}

}  // namespace

absl::Time RenewalDue(absl::Time not_before, absl::Time not_after) {
  return not_before + (not_after - not_before) * 2 / 3;
}

CertificateRenewal::CertificateRenewal(const RenewalOptions& options, IdentityHolder& identity)
    : options_(options), identity_(identity) {
  thread_ = std::thread([this] { Run(); });
}

CertificateRenewal::~CertificateRenewal() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

uint64_t CertificateRenewal::renewals() const {
  absl::MutexLock lock(&mu_);
  return renewals_;
}

bool CertificateRenewal::WaitUntil(absl::Time until) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(absl::Condition(&stopping_), until);
  return !stopping_;
}

absl::Status CertificateRenewal::RenewOnce(const std::string& address) {
  const ClientCertificate current = identity_.certificate();
  absl::StatusOr<std::string> request = AgentSigningRequestPem(current.key_pem, options_.agent_id);
  if (!request.ok()) return request.status();
  std::unique_ptr<v1::EnrollmentService::Stub> stub =
      v1::EnrollmentService::NewStub(CreateCollectorChannel(address, options_.trust, current));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  v1::RenewCertificateRequest renew;
  renew.set_signing_request(*std::move(request));
  v1::RenewCertificateResponse response;
  if (grpc::Status s = stub->RenewCertificate(&context, renew, &response); !s.ok()) {
    return FromGrpcStatus(s);
  }
  absl::StatusOr<AgentCertificateFacts> facts = ReadAgentCertificate(response.certificate());
  if (!facts.ok() || facts->agent_id != options_.agent_id) {
    return absl::InternalError(absl::StrCat(
        "the collector's renewed certificate is not this agent's: ",
        facts.ok() ? absl::StrCat("it names ", facts->agent_id) : facts.status().message()));
  }
  if (absl::Status s = WriteFileAtomically(options_.certificate_file, response.certificate(), 0644);
      !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot save the renewed certificate: ", s.message()));
  }
  identity_.Replace({.key_pem = current.key_pem, .certificate_pem = response.certificate()});
  LOG(INFO) << "agent " << options_.agent_id << ": certificate renewed, valid until "
            << absl::FormatTime(facts->not_after) << "; saved to " << options_.certificate_file;
  absl::MutexLock lock(&mu_);
  ++renewals_;
  return absl::OkStatus();
}

void CertificateRenewal::Run() {
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  absl::Duration backoff = options_.initial_backoff;
  const std::vector<std::string>& collectors = options_.collector_addresses;
  size_t collector = 0;
  while (true) {
    const std::optional<std::pair<absl::Time, absl::Time>> validity =
        Validity(identity_.certificate().certificate_pem);
    if (!validity) {
      LOG(ERROR) << "agent " << options_.agent_id << ": its certificate does not parse; it "
                 << "cannot be renewed";
      return;
    }
    const auto [not_before, not_after] = *validity;
    if (!WaitUntil(RenewalDue(not_before, not_after))) return;
    if (absl::Now() >= not_after) {
      LOG(ERROR) << "agent " << options_.agent_id << ": its certificate "
                 << options_.certificate_file << " expired at " << absl::FormatTime(not_after)
                 << " before it could be renewed; the collector refuses it. Enroll the agent "
                 << "again: a new enrollment token in enrollment_token_file, delete "
                 << options_.certificate_file << ", restart the agent (docs/security.md)";
      if (!WaitUntil(absl::Now() + kExpiredReminder)) return;
      continue;
    }
    absl::Status renewed = RenewOnce(collectors[collector]);
    if (renewed.ok()) {
      backoff = options_.initial_backoff;
      continue;
    }
    collector = (collector + 1) % collectors.size();
    LOG(WARNING) << "agent " << options_.agent_id << ": certificate renewal failed ("
                 << renewed.message() << "); trying again, the certificate is valid until "
                 << absl::FormatTime(not_after);
    if (!WaitUntil(absl::Now() + backoff * jitter(random))) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace postura::agent
