#include "cluster/stream_reader.hpp"

#include "cluster/cluster_settings.hpp"
#include "cluster/stream_publisher.hpp"

namespace newswatch::cluster {

Result<StreamReader> StreamReader::open(const NatsSession& session, const std::string& stream,
                                        std::optional<std::uint64_t> after_seq) {
  auto js = session.jetstream(5000);
  if (!js) return js.error();
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  if (!after_seq) {
    so.Config.DeliverPolicy = js_DeliverNew;
  } else if (*after_seq == 0) {
    so.Config.DeliverPolicy = js_DeliverAll;
  } else {
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = *after_seq + 1;
  }
  const std::string subjects = std::string(kSubjectPrefix) + ">";
  natsSubscription* sub = nullptr;
  jsErrCode code{};
  if (auto st = js_SubscribeSync(&sub, js->get(), subjects.c_str(), nullptr, &so, &code); st != NATS_OK)
    return nats_error("follow stream " + stream, st, code);
  return StreamReader(std::move(*js), NatsSubscriptionHandle(sub));
}

Result<std::optional<StreamMessage>> StreamReader::next(int64_t timeout_ms) {
  natsMsg* raw = nullptr;
  const natsStatus st = natsSubscription_NextMsg(&raw, sub_.get(), timeout_ms);
  if (st == NATS_TIMEOUT) return std::optional<StreamMessage>{};
  if (st != NATS_OK) return nats_error("read stream", st);
  NatsMsgHandle msg(raw);
  StreamMessage out;
  const std::string_view subject = natsMsg_GetSubject(msg.get());
  out.topic = std::string(subject.substr(subject.rfind(kSubjectPrefix, 0) == 0 ? kSubjectPrefix.size() : 0));
  out.payload.assign(natsMsg_GetData(msg.get()), static_cast<std::size_t>(natsMsg_GetDataLength(msg.get())));
  const char* node = nullptr;
  if (natsMsgHeader_Get(msg.get(), kNodeHeader, &node) == NATS_OK && node != nullptr) out.node = node;
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg.get()) == NATS_OK) {
    JsMetaDataHandle held(meta);
    out.stream_seq = meta->Sequence.Stream;
    out.pending = meta->NumPending;
  }
  return std::optional<StreamMessage>(std::move(out));
}

}  // namespace newswatch::cluster
