#pragma once
// ZmqReadWatcher: runs a callback on the Asio loop whenever a ZeroMQ socket may have
// messages to read, without blocking and without a thread.
//
// ZMQ_FD is not the socket's data descriptor: it is ZeroMQ's internal signal, edge-like,
// readable when the socket's state *may* have changed. So: we never own it (release(),
// never close: ZeroMQ does), the callback must drain until ZMQ_EVENTS shows no POLLIN,
// and after re-arming we look at ZMQ_EVENTS once more, because a message that arrived
// between the last drain and the re-arm may have consumed the only edge we would get.

#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "common/asio.hpp"

namespace newswatch::alerts {

class ZmqReadWatcher {
 public:
  // `socket` must outlive the watcher; `drain` runs on the loop and must read until
  // has_input() is false. Exceptions thrown by `drain` are the caller's bug: catch inside.
  ZmqReadWatcher(asio::io_context& io, zmq::socket_t& socket, std::function<void()> drain);
  ~ZmqReadWatcher();
  ZmqReadWatcher(const ZmqReadWatcher&) = delete;
  ZmqReadWatcher& operator=(const ZmqReadWatcher&) = delete;

  // Starts watching (and drains whatever is already queued).
  void start();
  // Stops: pending handlers become no-ops; the descriptor is released, not closed.
  void stop();

  static bool has_input(zmq::socket_t& socket);

 private:
  void arm();
  void ready();
  void post_ready();

  asio::io_context& io_;
  zmq::socket_t& socket_;
  std::function<void()> drain_;
  asio::posix::stream_descriptor fd_;
  // Handlers hold a weak reference: once the watcher is gone they do nothing, even when
  // their completion was already queued (operation_aborted alone cannot tell us that).
  std::shared_ptr<ZmqReadWatcher*> token_;
  bool armed_ = false;
  bool posted_ = false;
};

// Reads one whole multipart message without waiting (ZeroMQ delivers a message whole, so
// once its first frame is there the rest is too); empty when nothing was queued. Frames past
// `max_frames` are read and dropped, so the next message starts clean; `truncated` says so.
std::vector<std::string> recv_multipart(zmq::socket_t& socket,
                                        std::size_t max_frames = std::numeric_limits<std::size_t>::max(),
                                        bool* truncated = nullptr);

}  // namespace newswatch::alerts
