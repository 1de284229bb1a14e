#pragma once
// StreamPublisher: puts alert, story and burst messages on the cluster's JetStream stream,
// subject "newswatch.<topic>", each with a message id that the stream uses to drop a
// re-publication (by this node after an outage, or by another node after a takeover).
//
// The message id is derived from what the message is about, never from the node-local seq:
// "<topic>|<filter>|<feed>|<item id>" for alert. and story. messages (the same alert from any
// node), "<topic>|<filter>|<level>|<window>|<entity>|<started_at>" for burst. messages, and the
// whole payload less its seq and detected_at for anything else; hashed to 32 hex digits.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cluster/callback_slot.hpp"
#include "cluster/cluster_settings.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/nats_session.hpp"
#include "common/result.hpp"

namespace newswatch::cluster {

// The message id of a payload on `topic` (see above). Pure.
std::string message_id(std::string_view topic, std::string_view payload);

// Creates the stream (subjects "newswatch.>", file storage) or brings its duplicate window
// and age limit to the settings'.
Result<Ok> ensure_stream(jsCtx* js, const ClusterSettings& settings);

// Headers on every message: who published it, under which node-local seq.
inline constexpr const char* kNodeHeader = "Newswatch-Node";
inline constexpr const char* kSeqHeader = "Newswatch-Seq";

struct PublishAck {
  std::uint64_t local_seq = 0;
  bool ok = false;
  bool duplicate = false;        // the stream already had this message id
  std::uint64_t stream_seq = 0;  // where the stream keeps it (0 for a duplicate or an error)
  std::string error;
};

class StreamPublisher {
 public:
  // Called on a libnats thread, once per publish_async(), when the stream answered or the
  // wait ran out (then ok is false: publish it again); never after the publisher is gone.
  using AckHandler = std::function<void(const PublishAck&)>;

  static Result<std::unique_ptr<StreamPublisher>> open(const NatsSession& session, const ClusterSettings& settings,
                                                       AckHandler on_ack, int64_t ack_wait_ms = 5000);
  ~StreamPublisher();
  StreamPublisher(const StreamPublisher&) = delete;
  StreamPublisher& operator=(const StreamPublisher&) = delete;

  // Queues one message; the answer comes to the AckHandler. Fails at once when libnats
  // cannot take it (too many awaiting an answer): try again later.
  Result<Ok> publish_async(std::uint64_t local_seq, const std::string& topic, const std::string& payload);
  // Publishes and waits for the stream's answer (tools and tests).
  Result<PublishAck> publish(std::uint64_t local_seq, const std::string& topic, const std::string& payload);

 private:
  StreamPublisher(std::string node, AckHandler on_ack)
      : node_(std::move(node)), on_ack_(CallbackSlot<const PublishAck&>::make(std::move(on_ack))) {}
  static void on_async_ack(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  // The message with its node and seq headers, and in `options` what both publishes send it
  // with: its message id (pointing into `id`, which must outlive them) and the ack wait.
  Result<NatsMsgHandle> make_message(std::uint64_t local_seq, const std::string& topic, const std::string& payload,
                                     std::string& id, jsPubOptions& options) const;
  // A stream's answer that took the message: ok, and where it stands (nowhere new if a duplicate).
  static void accept(PublishAck& ack, const jsPubAck& pa);

  std::string node_;
  CallbackSlot<const PublishAck&>* on_ack_;  // kept for the process (callback_slot.hpp)
  int64_t ack_wait_ms_ = 5000;
  JsContextHandle js_;
};

}  // namespace newswatch::cluster
