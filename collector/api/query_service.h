#ifndef POSTURA_COLLECTOR_API_QUERY_SERVICE_H_
#define POSTURA_COLLECTOR_API_QUERY_SERVICE_H_

#include "collector/access/gatekeeper.h"
#include "collector/api/past_queries.h"
#include "collector/api/proof_export.h"
#include "collector/api/remediation_queries.h"
#include "collector/api/score_queries.h"
#include "collector/scoring/live_scorer.h"
#include "postura/v1/query.grpc.pb.h"

namespace postura::collector {

// Live scores over gRPC (postura/v1/query.proto). Unary calls answer from memory (and the
// store for evidence; past_queries.h for as-of scores, history and diffs;
// remediation_queries.h for remediation time); Watch streams coalesced
// updates and never holds up scoring. Every call is admitted by `gate` first (kReadScores,
// kReadOrganization, kReadEvidence or kWatch) and scoped to the caller's tenant. Thread-safe.
// Everything borrowed must outlive the service.
class QueryService final : public v1::QueryService::CallbackService {
 public:
  QueryService(const Gatekeeper& gate, const ScoreQueries& queries, const PastQueries& past,
               const RemediationQueries& remediation, const ProofExporter& proofs,
               LiveScorer& scorer)
      : gate_(gate),
        queries_(queries),
        past_(past),
        remediation_(remediation),
        proofs_(proofs),
        scorer_(scorer) {}

  grpc::ServerUnaryReactor* GetAssetScore(grpc::CallbackServerContext* context,
                                          const v1::GetAssetScoreRequest* request,
                                          v1::AssetScore* response) override;
  grpc::ServerUnaryReactor* ListAssetScores(grpc::CallbackServerContext* context,
                                            const v1::ListAssetScoresRequest* request,
                                            v1::ListAssetScoresResponse* response) override;
  grpc::ServerUnaryReactor* GetOrganizationScore(grpc::CallbackServerContext* context,
                                                 const v1::GetOrganizationScoreRequest* request,
                                                 v1::OrganizationScore* response) override;
  grpc::ServerUnaryReactor* GetGaps(grpc::CallbackServerContext* context,
                                    const v1::GetGapsRequest* request, v1::Gaps* response) override;
  grpc::ServerUnaryReactor* GetEvidenceHistory(grpc::CallbackServerContext* context,
                                               const v1::GetEvidenceHistoryRequest* request,
                                               v1::EvidenceHistory* response) override;
  grpc::ServerUnaryReactor* GetScoreHistory(grpc::CallbackServerContext* context,
                                            const v1::GetScoreHistoryRequest* request,
                                            v1::ScoreHistory* response) override;
  grpc::ServerUnaryReactor* GetScoreDiff(grpc::CallbackServerContext* context,
                                         const v1::GetScoreDiffRequest* request,
                                         v1::ScoreDiff* response) override;
  grpc::ServerUnaryReactor* GetRemediation(grpc::CallbackServerContext* context,
                                           const v1::GetRemediationRequest* request,
                                           v1::Remediation* response) override;
  grpc::ServerUnaryReactor* PlanAsset(grpc::CallbackServerContext* context,
                                      const v1::PlanAssetRequest* request,
                                      v1::AssetPlan* response) override;
  grpc::ServerUnaryReactor* ExportEvidenceProof(grpc::CallbackServerContext* context,
                                                const v1::ExportEvidenceProofRequest* request,
                                                v1::EvidenceProof* response) override;
  grpc::ServerWriteReactor<v1::ScoreUpdate>* Watch(grpc::CallbackServerContext* context,
                                                   const v1::WatchRequest* request) override;

 private:
  // Answers with what `compute(principal)` returns if the call is admitted.
  template <typename Response, typename Compute>
  grpc::ServerUnaryReactor* Admitted(grpc::CallbackServerContext* context, Permission permission,
                                     Response* response, Compute compute);

  const Gatekeeper& gate_;
  const ScoreQueries& queries_;
  const PastQueries& past_;
  const RemediationQueries& remediation_;
  const ProofExporter& proofs_;
  LiveScorer& scorer_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_QUERY_SERVICE_H_
