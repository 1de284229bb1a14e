// `newswatch tail`: subscribe to alert topics and print each alert as it arrives.
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace newswatch::daemon {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;  // the one thing a signal handler may touch
extern "C" void on_interrupt(int /*signo*/) { g_interrupted = 1; }

struct TailOptions {
  std::vector<std::string> topics;
  std::string config_path = kDefaultConfigPath;
  bool config_given = false;
  std::string endpoint;
  std::string replay;
  bool json = false;
  double seconds = 0;  // 0: until interrupted
  std::string since;
};

// One readable line: topic, feed, title, matched terms.
std::string readable_line(const std::string& topic, const std::string& payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return topic + " " + payload;
  if (topic.rfind("sys.", 0) == 0) return topic + " " + payload;
  std::vector<std::string> terms;
  for (const auto& m : j.value("matches", nlohmann::json::array())) {
    const std::string t = m.value("term", "");
    if (std::find(terms.begin(), terms.end(), t) == terms.end()) terms.push_back(t);
  }
  std::string joined;
  for (const auto& t : terms)
    joined += (joined.empty() ? "" : ", ") + t;
  const auto& item = j.value("item", nlohmann::json::object());
  // Built with += : GCC 12 warns (-Wrestrict, falsely) on chains of operator+ here.
  std::string line = "#";
  line += std::to_string(j.value("seq", 0));
  line += ' ';
  line += topic;
  line += " [";
  line += j.value("feed", "");
  line += "] ";
  line += item.value("title", "");
  line += "  (";
  line += joined;
  line += ")  ";
  line += item.value("link", "");
  return line;
}

}  // namespace

int cmd_tail(const std::vector<std::string>& args) {
  TailOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--json") {
      o.json = true;
    } else if (a == "--config" && has_value) {
      o.config_path = args[++i];
      o.config_given = true;
    } else if (a == "--endpoint" && has_value) {
      o.endpoint = args[++i];
    } else if (a == "--replay" && has_value) {
      o.replay = args[++i];
    } else if (a == "--since" && has_value) {
      o.since = args[++i];
    } else if (a == "--seconds" && has_value) {
      o.seconds = std::atof(args[++i].c_str());
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "newswatch tail: unknown option '%s'\n", a.c_str());
      return 2;
    } else {
      o.topics.push_back(a);
    }
  }
  if (o.topics.empty()) o.topics.push_back("alert.");

  if (o.endpoint.empty()) {
    std::error_code ec;
    if (o.config_given || std::filesystem::exists(o.config_path, ec)) {
      auto config = load_config(o.config_path);
      if (!config) {
        for (const auto& e : config.error())
          std::fprintf(stderr, "%s\n", format_error(e).c_str());
        return 1;
      }
      o.endpoint = config->publish.endpoint;
    } else {
      o.endpoint = Config{}.publish.endpoint;
    }
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  try {
    zmq::context_t context(1);
    zmq::socket_t sub(context, zmq::socket_type::sub);
    sub.set(zmq::sockopt::linger, 0);
    sub.set(zmq::sockopt::rcvhwm, 0);  // never drop on our side
    for (const auto& t : o.topics)
      sub.set(zmq::sockopt::subscribe, t);
    sub.connect(o.endpoint);
    if (!o.json)
      std::fprintf(stderr, "newswatch tail: subscribed to %zu topic(s) on %s\n", o.topics.size(), o.endpoint.c_str());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.seconds);
    while (g_interrupted == 0) {
      if (o.seconds > 0 && std::chrono::steady_clock::now() >= deadline) break;
      zmq::pollitem_t items[] = {{sub.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(200));
      if ((items[0].revents & ZMQ_POLLIN) == 0) continue;
      zmq::message_t topic;
      zmq::message_t payload;
      if (!sub.recv(topic, zmq::recv_flags::none)) continue;
      if (!topic.more() || !sub.recv(payload, zmq::recv_flags::none)) continue;
      while (payload.more())
        (void)sub.recv(payload, zmq::recv_flags::none);  // ignore extra frames
      const std::string t = topic.to_string();
      const std::string p = payload.to_string();
      if (o.json) {
        std::cout << p << '\n' << std::flush;
      } else {
        std::cout << readable_line(t, p) << '\n' << std::flush;
      }
    }
  } catch (const zmq::error_t& e) {
    if (g_interrupted != 0) return 0;
    std::fprintf(stderr, "newswatch tail: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace newswatch::daemon
