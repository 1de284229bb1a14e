#pragma once
// AlertPublisher: the ZeroMQ PUB socket. Sends [topic, payload] without ever blocking. A
// subscriber at its high-water mark loses messages silently (PUB says nothing, per subscriber):
// it sees the gap in seq or heartbeats and replays. dropped() counts only sends that failed.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "alerts/curve.hpp"
#include "common/result.hpp"

namespace newswatch::alerts {

class AlertPublisher {
 public:
  static Result<std::unique_ptr<AlertPublisher>> bind(zmq::context_t& context, const std::string& endpoint,
                                                      int send_hwm, const CurveKeyPair* curve = nullptr);

  // False when the socket refused the message (shutting down, out of memory): no one got it.
  bool send(std::string_view topic, std::string_view payload);
  std::uint64_t dropped() const { return dropped_; }
  const std::string& endpoint() const { return endpoint_; }

  explicit AlertPublisher(zmq::socket_t socket, std::string endpoint)
      : socket_(std::move(socket)), endpoint_(std::move(endpoint)) {}

 private:
  zmq::socket_t socket_;
  std::string endpoint_;
  std::uint64_t dropped_ = 0;
};

}  // namespace newswatch::alerts
