#pragma once
// StreamReader: follows the cluster's stream in order (an ordered JetStream consumer, which
// the server forgets when we go), from a stream sequence or from now. For `newswatch tail --nats`.

#include <cstdint>
#include <optional>
#include <string>

#include "cluster/nats_handles.hpp"
#include "cluster/nats_session.hpp"
#include "common/result.hpp"

namespace newswatch::cluster {

struct StreamMessage {
  std::uint64_t stream_seq = 0;
  std::string topic;  // the subject less "newswatch."
  std::string payload;
  std::string node;           // who published it ("" if the header is missing)
  std::uint64_t pending = 0;  // messages after this one already in the stream
};

class StreamReader {
 public:
  // after_seq: deliver from stream sequence after_seq + 1 (0: everything kept); nullopt:
  // only what arrives from now on.
  static Result<StreamReader> open(const NatsSession& session, const std::string& stream,
                                   std::optional<std::uint64_t> after_seq);
  // The next message, or nullopt when none came within `timeout_ms`.
  Result<std::optional<StreamMessage>> next(int64_t timeout_ms);

 private:
  StreamReader(JsContextHandle js, NatsSubscriptionHandle sub) : js_(std::move(js)), sub_(std::move(sub)) {}
  JsContextHandle js_;
  NatsSubscriptionHandle sub_;
};

}  // namespace newswatch::cluster
