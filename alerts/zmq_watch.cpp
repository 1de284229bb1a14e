#include "alerts/zmq_watch.hpp"

#include <spdlog/spdlog.h>

namespace newswatch::alerts {

ZmqReadWatcher::ZmqReadWatcher(asio::io_context& io, zmq::socket_t& socket, std::function<void()> drain)
    : io_(io), socket_(socket), drain_(std::move(drain)), fd_(io) {}

ZmqReadWatcher::~ZmqReadWatcher() { stop(); }

bool ZmqReadWatcher::has_input(zmq::socket_t& socket) { return (socket.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0; }

std::vector<std::string> recv_multipart(zmq::socket_t& socket, std::size_t max_frames, bool* truncated) {
  std::vector<std::string> frames;
  zmq::message_t frame;
  bool dropped = false;
  do {
    if (!socket.recv(frame, zmq::recv_flags::dontwait)) break;
    if (frames.size() < max_frames) {
      frames.emplace_back(frame.to_string());
    } else {
      dropped = true;
    }
  } while (frame.more());
  if (truncated != nullptr) *truncated = dropped;
  return frames;
}

void ZmqReadWatcher::start() {
  if (token_) return;
  token_ = std::make_shared<ZmqReadWatcher*>(this);
  fd_.assign(socket_.get(zmq::sockopt::fd));
  post_ready();  // messages may already be queued: their edge came before we watched
}

void ZmqReadWatcher::stop() {
  token_.reset();
  if (fd_.is_open()) {
    boost::system::error_code ec;
    fd_.cancel(ec);
    (void)fd_.release();  // ZeroMQ owns the descriptor
  }
  armed_ = false;
  posted_ = false;
}

void ZmqReadWatcher::arm() {
  if (armed_ || !token_) return;
  armed_ = true;
  fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                 [weak = std::weak_ptr<ZmqReadWatcher*>(token_)](const boost::system::error_code& ec) {
                   if (ec == asio::error::operation_aborted) return;
                   const auto self = weak.lock();
                   if (!self) return;
                   (*self)->armed_ = false;
                   (*self)->ready();
                 });
}

void ZmqReadWatcher::post_ready() {
  if (posted_ || !token_) return;
  posted_ = true;
  asio::post(io_, [weak = std::weak_ptr<ZmqReadWatcher*>(token_)] {
    const auto self = weak.lock();
    if (!self) return;
    (*self)->posted_ = false;
    (*self)->ready();
  });
}

void ZmqReadWatcher::ready() {
  drain_();
  if (!token_) return;
  arm();
  try {
    if (has_input(socket_)) post_ready();
  } catch (const zmq::error_t& e) {
    spdlog::error("zeromq: cannot read socket events: {}", e.what());
  }
}

}  // namespace newswatch::alerts
