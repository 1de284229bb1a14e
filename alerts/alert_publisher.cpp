#include "alerts/alert_publisher.hpp"

namespace newswatch::alerts {

Result<std::unique_ptr<AlertPublisher>> AlertPublisher::bind(zmq::context_t& context, const std::string& endpoint,
                                                             int send_hwm, const CurveKeyPair* curve) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::pub);
    socket.set(zmq::sockopt::sndhwm, send_hwm);
    socket.set(zmq::sockopt::linger, 500);  // the default (infinite) would hang shutdown
    if (curve != nullptr) make_curve_server(socket, *curve);
    socket.bind(endpoint);
    std::string bound = socket.get(zmq::sockopt::last_endpoint);
    return std::make_unique<AlertPublisher>(std::move(socket), std::move(bound));
  } catch (const zmq::error_t& e) {
    return make_error("cannot bind publish endpoint " + endpoint + ": " + e.what());
  }
}

bool AlertPublisher::send(std::string_view topic, std::string_view payload) {
  try {
    const auto first = socket_.send(zmq::const_buffer(topic.data(), topic.size()),
                                    zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    if (!first) {
      ++dropped_;
      return false;
    }
    // Once the first frame is queued the second always is (ZeroMQ queues whole messages).
    (void)socket_.send(zmq::const_buffer(payload.data(), payload.size()), zmq::send_flags::dontwait);
    return true;
  } catch (const zmq::error_t&) {
    ++dropped_;
    return false;
  }
}

}  // namespace newswatch::alerts
