#pragma once
// ZapHandler: the ZeroMQ authentication (ZAP, RFC 27) handler for our CURVE sockets. A REP
// socket on inproc://zeromq.zap.01 in the daemon's context, driven by the Asio loop. It
// answers 200 for a CURVE client whose public key is in the allow-list directory and 400
// for everyone else, logging each refused key once (so a client retrying every second
// does not flood the journal).
//
// The directory is re-read when its modification time changes (adding, removing or
// renaming a key file), so allowing or revoking a client needs no restart.

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "alerts/zmq_watch.hpp"
#include "common/asio.hpp"
#include "common/result.hpp"

namespace newswatch::alerts {

// The decision for one ZAP request, pure: frames in, reply frames out.
std::vector<std::string> zap_reply(const std::vector<std::string>& request, const std::set<std::string>& allowed_z85,
                                   std::string* refused_key_z85);

class ZapHandler {
 public:
  // Must be started before any CURVE socket binds, in the same context.
  static Result<std::unique_ptr<ZapHandler>> start(asio::io_context& io, zmq::context_t& context,
                                                   std::string allowed_keys_dir);
  ~ZapHandler();

  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t refused() const { return refused_; }
  std::size_t allowed_count() const { return allowed_.size(); }

  ZapHandler(asio::io_context& io, zmq::socket_t socket, std::string dir);

 private:
  void drain();
  void refresh_keys();

  zmq::socket_t socket_;
  std::string dir_;
  std::set<std::string> allowed_;
  std::filesystem::file_time_type dir_mtime_{};
  std::set<std::string> logged_refusals_;
  std::uint64_t accepted_ = 0;
  std::uint64_t refused_ = 0;
  ZmqReadWatcher watcher_;
};

}  // namespace newswatch::alerts
