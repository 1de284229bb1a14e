#pragma once
// ReplayServer: the ROUTER socket at replay_endpoint answering "every alert after seq N"
// from the journal (protocol: alerts/replay_protocol.hpp and docs/protocol.md). Driven by the
// Asio loop through ZMQ_FD; each request is answered at once, in bounded pages, so a
// replay never holds the loop longer than one page's SQLite read.
//
// Clients may use REQ (envelope: identity, empty delimiter, body) or DEALER (with or
// without the empty delimiter): the reply goes back with exactly the envelope that came.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "alerts/alert_journal.hpp"
#include "alerts/curve.hpp"
#include "alerts/zmq_watch.hpp"
#include "common/asio.hpp"
#include "common/result.hpp"

namespace newswatch::alerts {

// Splits a ROUTER message into the envelope to send back (routing frames up to and
// including the first empty delimiter, or just the identity) and the body frames.
struct RoutedMessage {
  std::vector<std::string> envelope;
  std::vector<std::string> body;
};
RoutedMessage split_envelope(std::vector<std::string> frames);

// The reply frames for one request body, reading from `journal`. Never throws for bad
// input: malformed requests get the protocol's error reply.
std::vector<std::string> answer_replay(AlertJournal& journal, const std::vector<std::string>& body);

class ReplayServer {
 public:
  // `curve`: when set, the socket is a CURVE server (a ZapHandler must be running).
  static Result<std::unique_ptr<ReplayServer>> bind(asio::io_context& io, zmq::context_t& context,
                                                    const std::string& endpoint, AlertJournal& journal,
                                                    const CurveKeyPair* curve = nullptr);
  ~ReplayServer();

  const std::string& endpoint() const { return endpoint_; }

  ReplayServer(asio::io_context& io, zmq::socket_t socket, std::string endpoint, AlertJournal& journal);

 private:
  void drain();

  zmq::socket_t socket_;
  std::string endpoint_;
  AlertJournal& journal_;
  ZmqReadWatcher watcher_;
};

}  // namespace newswatch::alerts
