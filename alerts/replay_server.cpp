#include "alerts/replay_server.hpp"

#include <spdlog/spdlog.h>

#include "alerts/replay_protocol.hpp"

namespace newswatch::alerts {

namespace {

constexpr std::int64_t kMaxRequestBytes = 64 * 1024;  // a request is a small JSON object
constexpr std::size_t kMaxFrames = 64;                // more routing frames than any sane proxy chain
constexpr int kReplySendHwm = 64;  // replies are big: a client that stops reading loses them, not our memory

}  // namespace

RoutedMessage split_envelope(std::vector<std::string> frames) {
  RoutedMessage m;
  std::size_t i = 0;
  while (i < frames.size() && !frames[i].empty())
    ++i;
  if (i < frames.size()) {  // REQ style: [identity..., "", body...]
    m.envelope.assign(frames.begin(), frames.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    m.body.assign(frames.begin() + static_cast<std::ptrdiff_t>(i) + 1, frames.end());
  } else if (!frames.empty()) {  // DEALER without a delimiter: [identity, body...]
    m.envelope.push_back(std::move(frames.front()));
    m.body.assign(std::make_move_iterator(frames.begin() + 1), std::make_move_iterator(frames.end()));
  }
  return m;
}

std::vector<std::string> answer_replay(AlertJournal& journal, const std::vector<std::string>& body) {
  if (body.size() != 1) return {build_replay_error("a request is exactly one frame of JSON", 0)};
  auto request = parse_replay_request(body.front());
  if (!request) return {build_replay_error(request.error().message, 0)};
  auto first_kept = journal.first_kept();
  if (!first_kept) return {build_replay_error("journal unavailable", 0)};
  if (behind_horizon(request->since, *first_kept)) {
    const std::uint64_t oldest = *first_kept > journal.last_seq() ? 0 : *first_kept;
    return {build_replay_error("alerts after seq " + std::to_string(request->since) +
                                   " are no longer journalled; the oldest kept is " + std::to_string(oldest),
                               oldest)};
  }
  auto page = journal.scan_after(request->since, request->limit, request->topics);
  if (!page) return {build_replay_error("journal unavailable", 0)};
  return build_replay_reply(*request, *page, journal.last_seq());
}

Result<std::unique_ptr<ReplayServer>> ReplayServer::bind(asio::io_context& io, zmq::context_t& context,
                                                         const std::string& endpoint, AlertJournal& journal,
                                                         const CurveKeyPair* curve) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, kMaxRequestBytes);
    socket.set(zmq::sockopt::sndhwm, kReplySendHwm);
    if (curve != nullptr) make_curve_server(socket, *curve);
    socket.bind(endpoint);
    std::string bound = socket.get(zmq::sockopt::last_endpoint);
    auto server = std::make_unique<ReplayServer>(io, std::move(socket), std::move(bound), journal);
    server->watcher_.start();
    return server;
  } catch (const zmq::error_t& e) {
    return make_error("cannot bind replay endpoint " + endpoint + ": " + e.what());
  }
}

ReplayServer::ReplayServer(asio::io_context& io, zmq::socket_t socket, std::string endpoint, AlertJournal& journal)
    : socket_(std::move(socket)),
      endpoint_(std::move(endpoint)),
      journal_(journal),
      watcher_(io, socket_, [this] { drain(); }) {}

ReplayServer::~ReplayServer() { watcher_.stop(); }

void ReplayServer::drain() {
  // Edge-triggered: keep going until ZeroMQ says nothing is left, re-checking after every
  // send too (sending processes ZeroMQ's commands, which may change the events).
  while (true) {
    try {
      if (!ZmqReadWatcher::has_input(socket_)) return;
      bool too_many = false;
      std::vector<std::string> frames = recv_multipart(socket_, kMaxFrames, &too_many);
      if (frames.empty()) continue;
      auto routed = split_envelope(std::move(frames));
      const auto reply = too_many ? std::vector<std::string>{build_replay_error("too many frames", 0)}
                                  : answer_replay(journal_, routed.body);
      std::vector<std::string> out = std::move(routed.envelope);
      out.insert(out.end(), std::make_move_iterator(reply.begin()), std::make_move_iterator(reply.end()));
      for (std::size_t i = 0; i < out.size(); ++i) {
        const auto flags =
            (i + 1 < out.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) | zmq::send_flags::dontwait;
        // ROUTER never blocks: a vanished client or one at its HWM just loses the reply.
        if (!socket_.send(zmq::buffer(out[i]), flags)) break;
      }
    } catch (const zmq::error_t& e) {
      spdlog::warn("replay: {}", e.what());
      return;
    } catch (const std::exception& e) {
      spdlog::error("replay: request failed: {}", e.what());
    }
  }
}

}  // namespace newswatch::alerts
