#include "collector/api/query_service.h"

#include <memory>

#include "common/transport/grpc_status.h"

namespace postura::collector {
namespace {

// Finishes a unary call with the answer of `compute` (a StatusOr<Response>).
template <typename Response, typename Compute>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context, Response* response,
                                 Compute compute) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Response> answer = compute();
  if (answer.ok()) {
    *response = *std::move(answer);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(ToGrpcStatus(answer.status()));
  }
  return reactor;
}

// Streams a watcher's updates: one write in flight at a time; while it is, updates
// coalesce in the watcher. The watcher's wake-up call may come from the scoring thread
// at any moment, so it reaches the reactor through a shared link that OnDone cuts.
class WatchReactor : public grpc::ServerWriteReactor<v1::ScoreUpdate> {
 public:
  // Streams to `principal` for as long as its credential stays live.
  WatchReactor(LiveScorer& scorer, WatchFilter filter, const Gatekeeper& gate, Principal principal)
      : scorer_(scorer), gate_(gate), principal_(std::move(principal)) {
    link_ = std::make_shared<Link>();
    link_->reactor = this;
    std::weak_ptr<Link> weak = link_;
    watcher_ = scorer_.Watch(std::move(filter), [weak] {
      if (std::shared_ptr<Link> link = weak.lock()) link->Wake();
    });
    link_->Wake();
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&link_->mu);
      link_->writing = false;
    }
    if (ok) {
      link_->Wake();
    } else {
      FinishOnce(grpc::Status(grpc::StatusCode::UNAVAILABLE, "watch stream broken"));
    }
  }

  void OnCancel() override { FinishOnce(grpc::Status::CANCELLED); }

  void OnDone() override {
    {
      absl::MutexLock lock(&link_->mu);
      link_->reactor = nullptr;
    }
    scorer_.Unwatch(watcher_.get());
    watcher_->Close();
    delete this;
  }

 private:
  struct Link {
    absl::Mutex mu;
    WatchReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
    bool writing ABSL_GUARDED_BY(mu) = false;
    bool finished ABSL_GUARDED_BY(mu) = false;
    v1::ScoreUpdate current ABSL_GUARDED_BY(mu);

    // Starts the next write if none is in flight and an update waits.
    void Wake() {
      absl::MutexLock lock(&mu);
      if (reactor == nullptr || writing || finished || reactor->watcher_ == nullptr) return;
      // A revoked credential gets nothing more; checked per update, as ingest checks per batch.
      if (!reactor->gate_.StillAdmitted(reactor->principal_)) {
        finished = true;
        reactor->Finish(
            grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "this credential has been revoked"));
        return;
      }
      std::optional<v1::ScoreUpdate> next = reactor->watcher_->TryTake();
      if (!next) return;
      current = *std::move(next);
      HideForeignLimit(reactor->principal_, *current.mutable_summary());
      writing = true;
      reactor->StartWrite(&current);
    }
  };

  void FinishOnce(const grpc::Status& status) {
    {
      absl::MutexLock lock(&link_->mu);
      if (link_->finished) return;
      link_->finished = true;
    }
    Finish(status);
  }

  LiveScorer& scorer_;
  const Gatekeeper& gate_;
  const Principal principal_;
  std::shared_ptr<Link> link_;
  std::shared_ptr<Watcher> watcher_;
};

// A watch refused before it starts: finishes at once with `status`.
class RefusedWatch : public grpc::ServerWriteReactor<v1::ScoreUpdate> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

template <typename Response, typename Compute>
grpc::ServerUnaryReactor* QueryService::Admitted(grpc::CallbackServerContext* context,
                                                 Permission permission, Response* response,
                                                 Compute compute) {
  absl::StatusOr<Principal> principal = gate_.Admit(*context, permission);
  if (!principal.ok()) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  return Answer(context, response, [&] { return compute(*principal); });
}

grpc::ServerUnaryReactor* QueryService::GetAssetScore(grpc::CallbackServerContext* context,
                                                      const v1::GetAssetScoreRequest* request,
                                                      v1::AssetScore* response) {
  return Admitted(context, Permission::kReadScores, response, [&](const Principal& principal) {
    return request->as_of_unix_nanos() != 0 ? past_.GetAssetScore(principal, *request)
                                            : queries_.GetAssetScore(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::ListAssetScores(grpc::CallbackServerContext* context,
                                                        const v1::ListAssetScoresRequest* request,
                                                        v1::ListAssetScoresResponse* response) {
  return Admitted(context, Permission::kReadScores, response, [&](const Principal& principal) {
    return queries_.ListAssetScores(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::GetOrganizationScore(
    grpc::CallbackServerContext* context, const v1::GetOrganizationScoreRequest* request,
    v1::OrganizationScore* response) {
  return Admitted(context, Permission::kReadOrganization, response,
                  [&](const Principal&) -> absl::StatusOr<v1::OrganizationScore> {
                    if (request->as_of_unix_nanos() != 0) {
                      return past_.GetOrganizationScore(*request);
                    }
                    return queries_.GetOrganizationScore();
                  });
}

grpc::ServerUnaryReactor* QueryService::GetScoreHistory(grpc::CallbackServerContext* context,
                                                        const v1::GetScoreHistoryRequest* request,
                                                        v1::ScoreHistory* response) {
  const Permission permission = PastQueries::NeedsOrganization(*request)
                                    ? Permission::kReadOrganization
                                    : Permission::kReadScores;
  return Admitted(context, permission, response, [&](const Principal& principal) {
    return past_.GetScoreHistory(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::GetScoreDiff(grpc::CallbackServerContext* context,
                                                     const v1::GetScoreDiffRequest* request,
                                                     v1::ScoreDiff* response) {
  const Permission permission = PastQueries::NeedsOrganization(*request)
                                    ? Permission::kReadOrganization
                                    : Permission::kReadScores;
  return Admitted(context, permission, response, [&](const Principal& principal) {
    return past_.GetScoreDiff(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::GetRemediation(grpc::CallbackServerContext* context,
                                                       const v1::GetRemediationRequest* request,
                                                       v1::Remediation* response) {
  return Admitted(context, Permission::kReadScores, response, [&](const Principal& principal) {
    return remediation_.GetRemediation(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::GetGaps(grpc::CallbackServerContext* context,
                                                const v1::GetGapsRequest* request,
                                                v1::Gaps* response) {
  return Admitted(context, Permission::kReadScores, response, [&](const Principal& principal) {
    return queries_.GetGaps(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::GetEvidenceHistory(
    grpc::CallbackServerContext* context, const v1::GetEvidenceHistoryRequest* request,
    v1::EvidenceHistory* response) {
  return Admitted(context, Permission::kReadEvidence, response, [&](const Principal& principal) {
    return queries_.GetEvidenceHistory(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::PlanAsset(grpc::CallbackServerContext* context,
                                                  const v1::PlanAssetRequest* request,
                                                  v1::AssetPlan* response) {
  return Admitted(context, Permission::kReadScores, response, [&](const Principal& principal) {
    return queries_.PlanAsset(principal, *request);
  });
}

grpc::ServerUnaryReactor* QueryService::ExportEvidenceProof(
    grpc::CallbackServerContext* context, const v1::ExportEvidenceProofRequest* request,
    v1::EvidenceProof* response) {
  return Admitted(context, Permission::kReadEvidence, response,
                  [&](const Principal& principal) { return proofs_.Export(principal, *request); });
}

grpc::ServerWriteReactor<v1::ScoreUpdate>* QueryService::Watch(grpc::CallbackServerContext* context,
                                                               const v1::WatchRequest* request) {
  absl::StatusOr<Principal> principal = gate_.Admit(*context, Permission::kWatch);
  absl::StatusOr<WatchFilter> filter =
      principal.ok() ? queries_.ScopedWatchFilter(*principal, *request) : principal.status();
  if (!filter.ok()) return new RefusedWatch(ToGrpcStatus(filter.status()));
  return new WatchReactor(scorer_, *std::move(filter), gate_, *std::move(principal));
}

}  // namespace postura::collector
