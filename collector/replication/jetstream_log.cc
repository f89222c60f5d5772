#include "collector/replication/jetstream_log.h"

#include <nats/nats.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace postura::collector {
namespace {

// "what: the library's text (the JetStream error code)".
std::string NatsError(absl::string_view what, natsStatus status, jsErrCode code = jsErrCode(0)) {
  std::string text = absl::StrCat(what, ": ", natsStatus_GetText(status));
  if (code != 0) absl::StrAppend(&text, " (JetStream error ", static_cast<int>(code), ")");
  return text;
}

absl::Status FromNats(absl::string_view what, natsStatus status, jsErrCode code = jsErrCode(0)) {
  const std::string text = NatsError(what, status, code);
  if (code == JSStreamNotFoundErr || code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
    return absl::FailedPreconditionError(text);
  }
  switch (status) {
    case NATS_OK:
      return absl::OkStatus();
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_IO_ERROR:
      return absl::UnavailableError(text);
    default:
      return absl::InternalError(text);
  }
}

bool IsPlainSubject(absl::string_view subject) {
  return !subject.empty() && subject.find_first_of("*> ") == absl::string_view::npos &&
         subject.front() != '.' && subject.back() != '.' &&
         subject.find("..") == absl::string_view::npos;
}

// A plain subject, or "prefix.>" with a plain prefix.
bool IsStreamSubject(absl::string_view subject) {
  if (absl::ConsumeSuffix(&subject, ".>")) return IsPlainSubject(subject);
  return IsPlainSubject(subject);
}

absl::Status CheckOptions(const JetStreamLogOptions& options) {
  if (options.servers.empty()) return absl::InvalidArgumentError("no NATS server given");
  if (!IsJetStreamName(options.stream)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream name '", options.stream, "': 1 to 64 of A-Z, a-z, 0-9, - and _"));
  }
  if (!IsStreamSubject(options.subject)) {
    return absl::InvalidArgumentError(
        absl::StrCat("subject '", options.subject, "': a plain subject, or one ending in \".>\""));
  }
  if (options.max_messages_per_subject < 0) {
    return absl::InvalidArgumentError("max_messages_per_subject must be 0 (all) or more");
  }
  if (options.replicas != 1 && options.replicas != 3 && options.replicas != 5) {
    return absl::InvalidArgumentError(absl::StrCat("replicas ", options.replicas, ": 1, 3 or 5"));
  }
  if (options.duplicate_window <= absl::ZeroDuration() || options.timeout <= absl::ZeroDuration() ||
      options.redelivery_after <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "duplicate_window, timeout and redelivery_after must be positive");
  }
  return absl::OkStatus();
}

// Connects to the servers; one attempt each, within the timeout, then no reconnecting
// forever in the background: a caller that lost the connection is told Unavailable.
absl::StatusOr<natsConnection*> Connect(const JetStreamLogOptions& options) {
  natsOptions* nats_options = nullptr;
  natsStatus status = natsOptions_Create(&nats_options);
  std::vector<const char*> servers;
  for (const std::string& server : options.servers) servers.push_back(server.c_str());
  if (status == NATS_OK) {
    status = natsOptions_SetServers(nats_options, servers.data(), static_cast<int>(servers.size()));
  }
  if (status == NATS_OK) {
    status = natsOptions_SetTimeout(nats_options, absl::ToInt64Milliseconds(options.timeout));
  }
  if (status == NATS_OK) status = natsOptions_SetMaxReconnect(nats_options, 60);
  natsConnection* connection = nullptr;
  if (status == NATS_OK) status = natsConnection_Connect(&connection, nats_options);
  natsOptions_Destroy(nats_options);
  if (status != NATS_OK) {
    return FromNats(absl::StrCat("connecting to NATS at ", absl::StrJoin(options.servers, ", ")),
                    status);
  }
  return connection;
}

// Creates the stream, or checks that the one of that name stores our subject with our
// replica count.
absl::Status EnsureStream(jsCtx* context, const JetStreamLogOptions& options) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = jsErrCode(0);
  natsStatus status = js_GetStreamInfo(&info, context, options.stream.c_str(), nullptr, &code);
  if (status == NATS_OK) {
    const jsStreamConfig& config = *info->Config;
    const bool same_subject = config.SubjectsLen == 1 && options.subject == config.Subjects[0];
    const int64_t replicas = config.Replicas;
    // JetStream stores "no limit" as -1.
    const int64_t per_subject = std::max<int64_t>(0, config.MaxMsgsPerSubject);
    jsStreamInfo_Destroy(info);
    if (!same_subject || replicas != options.replicas ||
        per_subject != options.max_messages_per_subject) {
      return absl::FailedPreconditionError(absl::StrCat(
          "NATS stream ", options.stream, " exists with another subject, ", replicas,
          " replicas or ", per_subject, " messages per subject; expected subject ", options.subject,
          ", ", options.replicas, " and ", options.max_messages_per_subject,
          " (fix the configuration, or remove the stream)"));
    }
    return absl::OkStatus();
  }
  if (status != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
    return FromNats(absl::StrCat("reading NATS stream ", options.stream), status, code);
  }
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = options.stream.c_str();
  const char* subjects[] = {options.subject.c_str()};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = options.replicas;
  config.Duplicates = absl::ToInt64Nanoseconds(options.duplicate_window);
  if (options.max_messages_per_subject > 0) {
    config.MaxMsgsPerSubject = options.max_messages_per_subject;
  }
  status = js_AddStream(nullptr, context, &config, nullptr, &code);
  return FromNats(absl::StrCat("creating NATS stream ", options.stream), status, code);
}

}  // namespace

bool IsJetStreamName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<JetStreamLog>> JetStreamLog::Open(
    const JetStreamLogOptions& options) {
  if (absl::Status valid = CheckOptions(options); !valid.ok()) return valid;
  absl::StatusOr<natsConnection*> connection = Connect(options);
  if (!connection.ok()) return connection.status();
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = absl::ToInt64Milliseconds(options.timeout);
  jsCtx* context = nullptr;
  if (natsStatus status = natsConnection_JetStream(&context, *connection, &js_options);
      status != NATS_OK) {
    natsConnection_Destroy(*connection);
    return FromNats("opening JetStream", status);
  }
  std::unique_ptr<JetStreamLog> log(new JetStreamLog(options, *connection, context));
  if (absl::Status ensured = EnsureStream(context, options); !ensured.ok()) return ensured;
  return log;
}

JetStreamLog::~JetStreamLog() {
  jsCtx_Destroy(context_);
  natsConnection_Destroy(connection_);
}

absl::StatusOr<Appended> JetStreamLog::Append(absl::string_view message_id,
                                              absl::string_view data) {
  return AppendTo(options_.subject, message_id, data);
}

absl::StatusOr<Appended> JetStreamLog::AppendTo(absl::string_view subject,
                                                absl::string_view message_id,
                                                absl::string_view data) {
  absl::string_view prefix = options_.subject;
  const bool below = absl::ConsumeSuffix(&prefix, ">") && absl::StartsWith(subject, prefix) &&
                     subject.size() > prefix.size();
  if (!IsPlainSubject(subject) || (!below && subject != options_.subject)) {
    return absl::InvalidArgumentError(absl::StrCat("subject '", subject,
                                                   "' is not one of NATS stream ", options_.stream,
                                                   " (", options_.subject, ")"));
  }
  const std::string target(subject);
  if (message_id.empty()) return absl::InvalidArgumentError("an appended message needs an id");
  const std::string id(message_id);
  jsPubOptions publish;
  jsPubOptions_Init(&publish);
  publish.MsgId = id.c_str();
  publish.ExpectStream = options_.stream.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code = jsErrCode(0);
  const natsStatus status = js_Publish(&ack, context_, target.c_str(), data.data(),
                                       static_cast<int>(data.size()), &publish, &code);
  if (status != NATS_OK) {
    return FromNats(absl::StrCat("appending to NATS stream ", options_.stream), status, code);
  }
  Appended appended{.sequence = ack->Sequence, .duplicate = ack->Duplicate};
  jsPubAck_Destroy(ack);
  return appended;
}

absl::Status JetStreamLog::RemoveConsumer(const std::string& name) {
  if (!IsJetStreamName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("consumer name '", name, "': 1 to 64 of A-Z, a-z, 0-9, - and _"));
  }
  jsErrCode deleted = jsErrCode(0);
  const natsStatus deleting =
      js_DeleteConsumer(context_, options_.stream.c_str(), name.c_str(), nullptr, &deleted);
  if (deleting != NATS_OK && deleting != NATS_NOT_FOUND && deleted != JSConsumerNotFoundErr) {
    return FromNats(absl::StrCat("removing consumer ", name, " of NATS stream ", options_.stream),
                    deleting, deleted);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LogConsumer>> JetStreamLog::Consumer(const std::string& name,
                                                                    uint64_t start_sequence,
                                                                    const std::string& filter) {
  if (start_sequence == 0) return absl::InvalidArgumentError("a stream's sequences start at 1");
  absl::string_view prefix = options_.subject;
  if (!filter.empty() && !(absl::ConsumeSuffix(&prefix, ">") && absl::StartsWith(filter, prefix) &&
                           filter.size() > prefix.size())) {
    return absl::InvalidArgumentError(absl::StrCat("filter '", filter,
                                                   "' is not below NATS stream ", options_.stream,
                                                   "'s subject ", options_.subject));
  }
  if (absl::Status removed = RemoveConsumer(name); !removed.ok()) return removed;
  jsSubOptions subscribe;
  jsSubOptions_Init(&subscribe);
  subscribe.Stream = options_.stream.c_str();
  subscribe.Config.AckPolicy = js_AckExplicit;
  subscribe.Config.DeliverPolicy = js_DeliverByStartSequence;
  subscribe.Config.OptStartSeq = start_sequence;
  subscribe.Config.AckWait = absl::ToInt64Nanoseconds(options_.redelivery_after);
  natsSubscription* subscription = nullptr;
  jsErrCode code = jsErrCode(0);
  const std::string& subject = filter.empty() ? options_.subject : filter;
  const natsStatus status = js_PullSubscribe(&subscription, context_, subject.c_str(), name.c_str(),
                                             nullptr, &subscribe, &code);
  if (status != NATS_OK) {
    return FromNats(absl::StrCat("reading NATS stream ", options_.stream, " as ", name), status,
                    code);
  }
  return std::unique_ptr<LogConsumer>(new LogConsumer(subscription));
}

LogConsumer::~LogConsumer() { natsSubscription_Destroy(subscription_); }

absl::StatusOr<int> LogConsumer::Next(
    int max_messages, absl::Duration wait,
    const std::function<absl::Status(std::vector<LogMessage>&)>& apply) {
  natsMsgList list{};
  jsErrCode code = jsErrCode(0);
  const natsStatus status =
      natsSubscription_Fetch(&list, subscription_, std::max(1, max_messages),
                             std::max<int64_t>(1, absl::ToInt64Milliseconds(wait)), &code);
  if (status == NATS_TIMEOUT) return 0;
  if (status != NATS_OK) return FromNats("fetching from NATS", status, code);
  std::vector<LogMessage> messages;
  absl::Status failed;
  for (int i = 0; i < list.Count && failed.ok(); ++i) {
    natsMsg* message = list.Msgs[i];
    jsMsgMetaData* meta = nullptr;
    if (natsStatus read = natsMsg_GetMetaData(&meta, message); read != NATS_OK) {
      failed = FromNats("reading a NATS message's metadata", read);
      break;
    }
    messages.push_back({.sequence = meta->Sequence.Stream,
                        .subject = natsMsg_GetSubject(message),
                        .data = std::string(natsMsg_GetData(message),
                                            static_cast<size_t>(natsMsg_GetDataLength(message)))});
    jsMsgMetaData_Destroy(meta);
  }
  if (failed.ok()) failed = apply(messages);
  for (int i = 0; i < list.Count && failed.ok(); ++i) {
    if (natsStatus acked = natsMsg_Ack(list.Msgs[i], nullptr); acked != NATS_OK) {
      failed = FromNats("acknowledging a NATS message", acked);
    }
  }
  const int applied = list.Count;
  natsMsgList_Destroy(&list);
  if (!failed.ok()) return failed;
  return applied;
}

}  // namespace postura::collector
