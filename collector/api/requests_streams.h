#ifndef POSTURA_COLLECTOR_API_REQUESTS_STREAMS_H_
#define POSTURA_COLLECTOR_API_REQUESTS_STREAMS_H_

// The streaming calls of the evidence-requests service (requests_service.h): an answer
// whose documents stream in, chunk by chunk into the store, and a document streamed out
// one stored chunk at a time, so the collector never holds a whole file.
//
// Threading: each reactor is driven by gRPC, one reaction at a time; it deletes itself
// in OnDone. The book is thread-safe and borrowed.

#include "absl/status/statusor.h"
#include "collector/requests/answer_intake.h"
#include "collector/requests/request_book.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// Reads an answer: its header, then each document; commits at the end of the stream or
// answers the first error, leaving nothing stored. Starts at once with `actor`'s error if
// the call was not admitted.
grpc::ServerReadReactor<v1::SubmitAnswerChunk>* NewAnswerReader(
    grpc::CallbackServerContext* context, RequestBook& book, absl::StatusOr<v1::Actor> actor,
    v1::EvidenceRequest* response);

// Writes `document` (the caller may see it: FindDocument said so), its description first,
// or finishes at once with `document`'s error.
grpc::ServerWriteReactor<v1::DocumentChunk>* NewDocumentWriter(
    const RequestBook& book, absl::StatusOr<v1::StoredDocument> document);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REQUESTS_STREAMS_H_
