// `newswatch tail`: subscribe to alert topics and print each alert exactly once, in seq
// order. With --since it subscribes first, then replays the journal from the replay
// endpoint (paging while `more`), then goes live; a seq jump in the live stream, or a
// heartbeat naming a seq it has not seen, is filled from the replay endpoint. The ordering
// logic is alerts::AlertSequencer; this file is the socket loop around it.
//
// Options: TOPIC... (prefixes, default "alert." "story." "burst."), --since N|last, --state-file F (the last
// printed seq is written there; `--since last` resumes from it, or from 0 if it does not
// exist yet), --json, --seconds S (stop after S seconds), --config FILE, --endpoint ADDR,
// --replay ADDR, and for a CURVE daemon --curve-server-key FILE (the daemon's public key)
// with --curve-secret-key FILE (our key file from `newswatch keygen`).
// Exactly-once holds within one run; across runs with --state-file it is at-least-once if
// tail itself is killed between printing an alert and saving the file.
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "alerts/alert_sequencer.hpp"
#include "alerts/curve.hpp"
#include "alerts/zmq_watch.hpp"
#include "bursts/burst_message.hpp"
#include "cli/cli.hpp"
#include "daemon/config.hpp"

namespace newswatch::cli {
namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_interrupted = 0;  // the one thing a signal handler may touch
extern "C" void on_interrupt(int /*signo*/) { g_interrupted = 1; }

constexpr std::size_t kReplayLimit = 1000;
// Every kind of message that takes a seq: following all of them, a skipped seq is a gap.
const std::vector<std::string> kJournalledTopics = {"alert.", "story.", "burst."};
constexpr auto kReplayTimeout = std::chrono::seconds(5);

struct TailOptions {
  std::vector<std::string> topics;
  std::string config_path = daemon::kDefaultConfigPath;
  bool config_given = false;
  std::string endpoint;
  std::optional<std::string> replay;
  bool json = false;
  double seconds = 0;  // 0: until interrupted
  std::string since;
  std::string state_file;
  std::string curve_server_key;
  std::string curve_secret_key;
};

// A story update under the alert it belongs to: "#7 ↳ also: story.sahel [echo] Title (copy of
// ID; story 3 items, 2 sources)  link".
std::string story_update_line(const std::string& topic, const nlohmann::json& j) {
  const auto& item = j.value("item", nlohmann::json::object());
  const auto& story = j.value("story", nlohmann::json::object());
  std::string line = "#";
  line += std::to_string(j.value("seq", 0));
  line += " \u21b3 also: ";
  line += topic;
  line += " [";
  line += j.value("feed", "");
  line += "] ";
  line += item.value("title", "");
  line += "  (";
  const auto copy_of = story.find("copy_of");
  if (copy_of != story.end() && copy_of->is_string()) {
    line += "copy of ";
    line += copy_of->get<std::string>();
    line += "; ";
  }
  line += "story ";
  line += std::to_string(story.value("size", 0));
  line += " items, ";
  line += std::to_string(story.value("sources", 0));
  line += " sources)  ";
  line += item.value("link", "");
  return line;
}

// One readable line: topic, feed, title, matched terms.
std::string readable_line(const std::string& topic, const std::string& payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return topic + " " + payload;
  if (topic.rfind("sys.", 0) == 0) return topic + " " + payload;
  if (topic.rfind("burst.", 0) == 0) {
    if (auto line = bursts::format_burst_line(payload)) return "#" + std::to_string(j.value("seq", 0)) + " " + *line;
  }
  if (topic.rfind("story.", 0) == 0) return story_update_line(topic, j);
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

std::optional<std::uint64_t> parse_seq(std::string_view text) {
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, v);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return v;
}

// The seq of an alert payload, if it has one.
std::optional<std::uint64_t> payload_seq(const std::string& payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto it = j.find("seq");
  if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
}

bool starts_with_any(const std::string& topic, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return topic.rfind(p, 0) == 0; });
}

// Written to a temporary file and renamed, so a crash never leaves a torn number.
bool save_state(const std::string& path, std::uint64_t seq) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << seq << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

class Tail {
 public:
  Tail(TailOptions o, alerts::AlertSequencer seq) : o_(std::move(o)), seq_(std::move(seq)) {}

  int run(zmq::context_t& context, const std::optional<alerts::CurveKeyPair>& client_key,
          const std::string& server_key) {
    zmq::socket_t sub(context, zmq::socket_type::sub);
    sub.set(zmq::sockopt::linger, 0);
    sub.set(zmq::sockopt::rcvhwm, 0);  // never drop on our side
    secure(sub, client_key, server_key);
    for (const auto& t : o_.topics)
      sub.set(zmq::sockopt::subscribe, t);
    // Heartbeats carry the daemon's newest seq: our way to notice a loss when nothing flows.
    sub.set(zmq::sockopt::subscribe, "sys.heartbeat");
    sub.connect(o_.endpoint);
    std::optional<zmq::socket_t> replay;
    if (!o_.replay->empty()) {
      replay.emplace(context, zmq::socket_type::dealer);
      replay->set(zmq::sockopt::linger, 0);
      secure(*replay, client_key, server_key);
      replay->connect(*o_.replay);
    }
    if (!o_.json) {
      std::fprintf(stderr, "newswatch tail: subscribed to %zu topic(s) on %s%s%s\n", o_.topics.size(),
                   o_.endpoint.c_str(), replay ? ", replay " : "", replay ? o_.replay->c_str() : "");
    }
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
    while (g_interrupted == 0) {
      if (o_.seconds > 0 && Clock::now() >= deadline) break;
      if (replay) maybe_request(*replay);
      zmq::pollitem_t items[] = {{sub.handle(), 0, ZMQ_POLLIN, 0},
                                 {replay ? replay->handle() : nullptr, 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, replay ? 2 : 1, std::chrono::milliseconds(100));
      if ((items[0].revents & ZMQ_POLLIN) != 0) {
        for (int i = 0; i < 1000 && alerts::ZmqReadWatcher::has_input(sub); ++i)
          on_live(alerts::recv_multipart(sub));
      }
      if (replay && (items[1].revents & ZMQ_POLLIN) != 0) {
        while (alerts::ZmqReadWatcher::has_input(*replay))
          on_reply(alerts::recv_multipart(*replay));
      }
      if (!o_.state_file.empty() && printed_ != saved_) {
        if (!save_state(o_.state_file, printed_))
          std::fprintf(stderr, "newswatch tail: cannot write state file %s\n", o_.state_file.c_str());
        saved_ = printed_;
      }
    }
    return exit_code_;
  }

 private:
  void secure(zmq::socket_t& s, const std::optional<alerts::CurveKeyPair>& client_key, const std::string& server_key) {
    if (!client_key) return;
    s.set(zmq::sockopt::curve_serverkey, server_key);
    s.set(zmq::sockopt::curve_publickey, client_key->public_z85);
    s.set(zmq::sockopt::curve_secretkey, client_key->secret_z85);
  }

  void maybe_request(zmq::socket_t& replay) {
    const auto now = Clock::now();
    if (in_flight_ && now - sent_at_ < kReplayTimeout) return;
    if (in_flight_ && !warned_timeout_) {
      // The request or its reply may have died with a connection (a daemon restart):
      // ask again; a late duplicate reply is harmless, the sequencer drops what it has.
      std::fprintf(stderr, "newswatch tail: no answer from the replay endpoint %s yet; retrying\n", o_.replay->c_str());
      warned_timeout_ = true;
    }
    if (!seq_.wants_replay() && !in_flight_) return;
    nlohmann::json req = {{"since", seq_.covered()}, {"limit", kReplayLimit}, {"topics", o_.topics}};
    const std::string body = req.dump();
    if (replay.send(zmq::buffer(body), zmq::send_flags::dontwait)) {
      in_flight_ = true;
      sent_at_ = now;
    }
  }

  void on_live(const std::vector<std::string>& frames) {
    if (frames.size() < 2) return;
    const std::string& topic = frames[0];
    const std::string& payload = frames[1];
    if (topic.rfind("sys.", 0) == 0) {
      if (topic == "sys.heartbeat") {
        const auto j = nlohmann::json::parse(payload, nullptr, false);
        if (j.is_object() && j.contains("last_seq") && j["last_seq"].is_number_unsigned()) {
          const auto newest = j["last_seq"].get<std::uint64_t>();
          if (seq_.anchored() && newest < seq_.covered() && !warned_reset_) {
            std::fprintf(stderr,
                         "newswatch tail: the daemon's last seq (%llu) is behind ours (%llu): was its state reset?\n",
                         static_cast<unsigned long long>(newest), static_cast<unsigned long long>(seq_.covered()));
            warned_reset_ = true;
          }
          print_all(seq_.on_heartbeat(newest));
        }
      }
      if (starts_with_any(topic, o_.topics)) print(topic, payload);
      return;
    }
    const auto seq = payload_seq(payload);
    if (!seq) {
      print(topic, payload);  // not an alert we can order: show it as it came
      return;
    }
    if (o_.replay->empty()) {
      // No replay endpoint: we cannot fill gaps, but we can say when one happens.
      if (seq_.anchored() && *seq > seq_.covered() + 1 && o_.topics == kJournalledTopics)
        std::fprintf(stderr, "newswatch tail: gap: seq %llu..%llu missed\n",
                     static_cast<unsigned long long>(seq_.covered() + 1), static_cast<unsigned long long>(*seq - 1));
      print_all(seq_.on_replay({}, *seq - 1, false));
    }
    print_all(seq_.on_live(alerts::Alert{*seq, topic, payload}));
  }

  void on_reply(std::vector<std::string> frames) {
    if (frames.empty()) return;
    in_flight_ = false;
    warned_timeout_ = false;
    const auto header = nlohmann::json::parse(frames[0], nullptr, false);
    if (!header.is_object() || !header.contains("ok")) {
      std::fprintf(stderr, "newswatch tail: malformed replay reply\n");
      return;
    }
    if (!header.value("ok", false)) {
      const auto oldest = header.value("oldest_seq", std::uint64_t{0});
      const std::string error = header.value("error", std::string("?"));
      if (oldest == 0 && error.find("no longer journalled") == std::string::npos) {
        std::fprintf(stderr, "newswatch tail: replay refused: %s\n", error.c_str());
        exit_code_ = 1;
        g_interrupted = 1;
        return;
      }
      const auto first_lost = seq_.on_horizon(oldest);
      std::fprintf(stderr, "newswatch tail: LOST: alerts from seq %llu to %s are no longer journalled\n",
                   static_cast<unsigned long long>(first_lost),
                   oldest > 0 ? std::to_string(oldest - 1).c_str() : "the newest");
      return;
    }
    std::vector<alerts::Alert> page;
    for (std::size_t i = 1; i + 1 < frames.size(); i += 2) {
      const auto seq = payload_seq(frames[i + 1]);
      if (seq) page.push_back(alerts::Alert{*seq, std::move(frames[i]), std::move(frames[i + 1])});
    }
    print_all(seq_.on_replay(std::move(page), header.value("last_seq", std::uint64_t{0}), header.value("more", false)));
  }

  void print_all(const std::vector<alerts::Alert>& alerts) {
    for (const auto& a : alerts) {
      print(a.topic, a.payload);
      printed_ = a.seq;
    }
  }

  void print(const std::string& topic, const std::string& payload) {
    if (o_.json) {
      std::cout << payload << '\n' << std::flush;
    } else {
      std::cout << readable_line(topic, payload) << '\n' << std::flush;
    }
  }

  TailOptions o_;
  alerts::AlertSequencer seq_;
  bool in_flight_ = false;
  bool warned_timeout_ = false;
  bool warned_reset_ = false;
  Clock::time_point sent_at_{};
  std::uint64_t printed_ = 0;
  std::uint64_t saved_ = 0;
  int exit_code_ = 0;
};

}  // namespace

int cmd_tail(const std::vector<std::string>& args) {
  CLI::App app{
      "Subscribe to alert topics and print each alert once, in seq order; with --since, first replay what "
      "was missed from the daemon's journal.",
      "newswatch tail"};
  apply_conventions(app);
  TailOptions o;
  std::string replay;
  add_config_option(app, o.config_path)->description("The config to read endpoints from, if it exists");
  app.add_option("TOPIC", o.topics, "Topic prefixes to follow")->default_str("alert. story. burst.")->type_name("");
  app.add_option("--since", o.since, "Replay from after this seq ('last': from --state-file), then go live")
      ->default_str("live only")
      ->type_name("N|last");
  app.add_option("--state-file", o.state_file, "Save the last printed seq here (for --since last)")->type_name("FILE");
  app.add_flag("--json", o.json, "Print each alert's JSON payload as it came");
  app.add_option("--seconds", o.seconds, "Stop after this many seconds; 0 runs until interrupted")->type_name("S");
  app.add_option("--endpoint", o.endpoint, "The daemon's PUB endpoint")->default_str("[publish] endpoint of --config");
  app.add_option("--replay", replay, "The daemon's replay endpoint; '' for none")
      ->default_str("[publish] replay_endpoint of --config");
  app.add_option("--curve-server-key", o.curve_server_key, "The daemon's public key file (CURVE)")->type_name("FILE");
  app.add_option("--curve-secret-key", o.curve_secret_key, "Our key file from `newswatch keygen` (CURVE)")
      ->type_name("FILE");
  if (auto code = parse_command_line(app, args)) return *code;
  if (!(o.seconds >= 0)) {
    std::fprintf(stderr, "newswatch tail: --seconds: '%s' is not a number of seconds >= 0\n",
                 app.get_option("--seconds")->as<std::string>().c_str());
    return kExitUsage;
  }
  o.config_given = app.count("--config") > 0;
  if (app.count("--replay") > 0) o.replay = replay;
  if (o.topics.empty()) o.topics = kJournalledTopics;
  if (o.curve_server_key.empty() != o.curve_secret_key.empty()) {
    std::fprintf(stderr, "newswatch tail: --curve-server-key and --curve-secret-key go together\n");
    return 2;
  }

  if (o.endpoint.empty() || !o.replay) {
    Config config;
    std::error_code ec;
    if (o.config_given || std::filesystem::exists(o.config_path, ec)) {
      auto loaded = load_config(o.config_path);
      if (!loaded) {
        for (const auto& e : loaded.error())
          std::fprintf(stderr, "%s\n", format_error(e).c_str());
        return 1;
      }
      config = std::move(*loaded);
    }
    if (o.endpoint.empty()) o.endpoint = config.publish.endpoint;
    if (!o.replay) o.replay = config.publish.replay_endpoint;
  }

  // Where to start: a number, `last` (the state file), or nothing (live from now).
  std::optional<std::uint64_t> since;
  if (o.since == "last") {
    if (o.state_file.empty()) {
      std::fprintf(stderr, "newswatch tail: --since last needs --state-file FILE\n");
      return 2;
    }
    std::ifstream in(o.state_file);
    if (!in) {
      since = 0;  // first run: everything still journalled
    } else {
      std::string text;
      in >> text;
      since = parse_seq(text);
      if (!since) {
        std::fprintf(stderr, "newswatch tail: %s: not a seq number\n", o.state_file.c_str());
        return 1;
      }
    }
  } else if (!o.since.empty()) {
    since = parse_seq(o.since);
    if (!since) {
      std::fprintf(stderr, "newswatch tail: --since takes a seq number or 'last'\n");
      return 2;
    }
  }
  if (since && o.replay->empty()) {
    std::fprintf(stderr, "newswatch tail: --since needs a replay endpoint (--replay ADDR or replay_endpoint)\n");
    return 2;
  }

  std::optional<alerts::CurveKeyPair> client_key;
  std::string server_key;
  if (!o.curve_secret_key.empty()) {
    auto secret = alerts::read_key_file(o.curve_secret_key, alerts::KeyKind::secret_key);
    auto server = alerts::read_key_file(o.curve_server_key, alerts::KeyKind::public_key);
    if (!secret || !server) {
      std::fprintf(stderr, "newswatch tail: %s\n", (!secret ? secret.error() : server.error()).message.c_str());
      return 1;
    }
    auto pub = alerts::public_key_for(*secret);
    if (!pub) {
      std::fprintf(stderr, "newswatch tail: %s: %s\n", o.curve_secret_key.c_str(), pub.error().message.c_str());
      return 1;
    }
    client_key = alerts::CurveKeyPair{*pub, *secret};
    server_key = *server;
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  try {
    zmq::context_t context(1);
    Tail tail(o, since ? alerts::AlertSequencer::after(*since) : alerts::AlertSequencer::live());
    return tail.run(context, client_key, server_key);
  } catch (const zmq::error_t& e) {
    if (g_interrupted != 0) return 0;
    std::fprintf(stderr, "newswatch tail: %s\n", e.what());
    return 1;
  }
}

}  // namespace newswatch::cli
