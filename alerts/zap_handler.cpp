#include "alerts/zap_handler.hpp"

#include <zmq.h>

#include <spdlog/spdlog.h>

#include <array>

#include "alerts/curve.hpp"

namespace newswatch::alerts {

namespace {

constexpr std::size_t kMaxLoggedRefusals = 1024;  // bounds memory under a key-spraying peer

}  // namespace

std::vector<std::string> zap_reply(const std::vector<std::string>& request, const std::set<std::string>& allowed_z85,
                                   std::string* refused_key_z85) {
  // Request: version, request id, domain, address, identity, mechanism, credentials...
  const std::string request_id = request.size() > 1 ? request[1] : std::string();
  auto reply = [&](const char* code, const char* text) {
    return std::vector<std::string>{"1.0", request_id, code, text, std::string(), std::string()};
  };
  if (request.size() < 6 || request[0] != "1.0") return reply("400", "malformed ZAP request");
  if (request[2] != kZapDomain) return reply("400", "unknown domain");
  if (request[5] != "CURVE" || request.size() != 7 || request[6].size() != 32) return reply("400", "CURVE required");
  std::array<char, 41> z85{};
  if (zmq_z85_encode(z85.data(), reinterpret_cast<const std::uint8_t*>(request[6].data()), 32) == nullptr)
    return reply("400", "bad key");
  const std::string key(z85.data());
  if (allowed_z85.count(key) == 0) {
    if (refused_key_z85 != nullptr) *refused_key_z85 = key;
    return reply("400", "key not allowed");
  }
  auto ok = reply("200", "OK");
  ok[4] = key;  // user id: the client's public key, for the curious
  return ok;
}

Result<std::unique_ptr<ZapHandler>> ZapHandler::start(asio::io_context& io, zmq::context_t& context,
                                                      std::string allowed_keys_dir) {
  std::vector<std::string> skipped;
  auto keys = load_allowed_keys(allowed_keys_dir, &skipped);
  if (!keys) return keys.error();
  try {
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind("inproc://zeromq.zap.01");
    auto handler = std::make_unique<ZapHandler>(io, std::move(socket), std::move(allowed_keys_dir));
    handler->refresh_keys();
    handler->watcher_.start();
    return handler;
  } catch (const zmq::error_t& e) {
    return make_error(std::string("cannot start the ZAP handler: ") + e.what());
  }
}

ZapHandler::ZapHandler(asio::io_context& io, zmq::socket_t socket, std::string dir)
    : socket_(std::move(socket)), dir_(std::move(dir)), watcher_(io, socket_, [this] { drain(); }) {}

ZapHandler::~ZapHandler() { watcher_.stop(); }

void ZapHandler::refresh_keys() {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(dir_, ec);
  if (!ec && mtime == dir_mtime_ && dir_mtime_ != std::filesystem::file_time_type{}) return;
  std::vector<std::string> skipped;
  auto keys = load_allowed_keys(dir_, &skipped);
  if (!keys) {
    // Keep the last good list: a directory briefly unreadable must not lock everyone out
    // or let everyone in.
    spdlog::error("curve: {}", keys.error().message);
    return;
  }
  for (const auto& s : skipped)
    spdlog::warn("curve: allowed keys: skipping {}", s);
  if (*keys != allowed_) spdlog::info("curve: {} client key(s) allowed from {}", keys->size(), dir_);
  allowed_ = std::move(*keys);
  dir_mtime_ = ec ? std::filesystem::file_time_type{} : mtime;
}

void ZapHandler::drain() {
  try {
    while (ZmqReadWatcher::has_input(socket_)) {
      const std::vector<std::string> request = recv_multipart(socket_);
      if (request.empty()) break;  // nothing was there after all: REP must not reply
      refresh_keys();
      std::string refused_key;
      const auto reply = zap_reply(request, allowed_, &refused_key);
      if (reply[2] == "200") {
        ++accepted_;
      } else {
        ++refused_;
        const std::string who = refused_key.empty() ? "a non-CURVE client" : "client key " + refused_key;
        if (logged_refusals_.size() < kMaxLoggedRefusals && logged_refusals_.insert(who).second) {
          spdlog::warn("curve: refused {} from {} ({})", who, request.size() > 3 ? request[3] : "?", reply[3]);
        }
      }
      for (std::size_t i = 0; i < reply.size(); ++i) {
        (void)socket_.send(zmq::buffer(reply[i]),
                           i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    }
  } catch (const zmq::error_t& e) {
    spdlog::error("curve: ZAP handler: {}", e.what());
  }
}

}  // namespace newswatch::alerts
