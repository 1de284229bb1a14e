// `newswatch tail`: subscribe to alert topics and print each alert exactly once, in seq
// order. With --since it subscribes first, then replays the journal from the replay
// endpoint (paging while `more`), then goes live; a seq jump in the live stream, or a
// heartbeat naming a seq it has not seen, is filled from the replay endpoint. The ordering
// logic is alerts::AlertSequencer; this file is the socket loop around it.
//
// Options: TOPIC... (prefixes, default "alert." "story." "burst."), --since N|last, --state-file F (the last
// printed seq is written there; `--since last` resumes from it, or from 0 if it does not
// exist yet), --json, --seconds S (stop after S seconds), --wait S (how long --since waits for
// the replay endpoint's first answer), --config FILE, --endpoint ADDR,
// --replay ADDR, and for a CURVE daemon --curve-server-key FILE (the daemon's public key)
// with --curve-secret-key FILE (our key file from `newswatch keygen`). With --nats URL it
// reads the cluster's stream instead (cli/cli_tail_nats.cpp).
// Exactly-once holds within one run; across runs with --state-file it is at-least-once if
// tail itself is killed between printing an alert and saving the file.
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "alerts/alert_sequencer.hpp"
#include "alerts/curve.hpp"
#include "alerts/zmq_watch.hpp"
#include "cli/alert_lines.hpp"
#include "cli/cli.hpp"
#include "cli/tail_nats.hpp"
#include "common/escape.hpp"
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
  double seconds = 0;            // 0: until interrupted
  double wait = 5;               // --since: how long the replay endpoint may take to give its first answer; 0: forever
  bool endpoints_given = false;  // --endpoint or --replay on the command line: a bad one is a usage error
  std::string since;
  std::string state_file;
  std::string curve_server_key;
  std::string curve_secret_key;
};

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
    if (!connect(sub, o_.endpoint, "--endpoint")) return o_.endpoints_given ? kExitUsage : kExitInvalid;
    std::optional<zmq::socket_t> replay;
    if (!o_.replay->empty()) {
      replay.emplace(context, zmq::socket_type::dealer);
      replay->set(zmq::sockopt::linger, 0);
      secure(*replay, client_key, server_key);
      if (!connect(*replay, *o_.replay, "--replay")) return o_.endpoints_given ? kExitUsage : kExitInvalid;
    }
    // ZeroMQ connects in the background and a SUB socket cannot tell "no daemon" from "no
    // alerts yet": say where we listen, so a wrong endpoint is not a silent wait.
    print_error_line("newswatch tail: waiting for " + o_.endpoint + (replay ? " (replay " + *o_.replay + ")" : "") +
                     "; following " + std::to_string(o_.topics.size()) + " topic prefix(es)");
    const auto started = Clock::now();
    const auto deadline =
        started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
    const auto first_answer_due =
        started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.wait));
    while (g_interrupted == 0) {
      if (o_.seconds > 0 && Clock::now() >= deadline) break;
      // Only the first answer to --since has a deadline: later silences (a daemon restart) are retried.
      if (replay && !o_.since.empty() && !answered_ && o_.wait > 0 && Clock::now() >= first_answer_due) {
        print_error_line("newswatch tail: the replay endpoint " + *o_.replay + " did not answer within " +
                         std::to_string(static_cast<long long>(o_.wait)) +
                         "s: is newswatchd running with that replay_endpoint? (--wait 0 waits for it)");
        return kExitInvalid;
      }
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
        if (!save_position(o_.state_file, printed_))
          print_error_line(std::string("newswatch tail: cannot write state file ") + o_.state_file);
        saved_ = printed_;
      }
    }
    return exit_code_;
  }

 private:
  // False (said on stderr, naming the option and the value) when ZeroMQ refuses the address.
  static bool connect(zmq::socket_t& s, const std::string& endpoint, const char* option) {
    try {
      s.connect(endpoint);
      return true;
    } catch (const zmq::error_t& e) {
      print_error_line(std::string("newswatch tail: ") + option + " '" + endpoint + "' is not a ZeroMQ endpoint (" +
                       e.what() + "; expected tcp://HOST:PORT or ipc://PATH)");
      return false;
    }
  }

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
      print_error_line("newswatch tail: no answer from the replay endpoint " + *o_.replay + " yet; retrying");
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
      if (follows_topic(topic, o_.topics)) print(topic, payload);
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
    answered_ = true;
    const auto header = nlohmann::json::parse(frames[0], nullptr, false);
    if (!header.is_object() || !header.contains("ok")) {
      print_error_line("newswatch tail: malformed replay reply");
      return;
    }
    if (!header.value("ok", false)) {
      const auto oldest = header.value("oldest_seq", std::uint64_t{0});
      const std::string error = header.value("error", std::string("?"));
      if (oldest == 0 && error.find("no longer journalled") == std::string::npos) {
        print_error_line(std::string("newswatch tail: replay refused: ") + error);
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
    print_message(std::cout, topic, payload, o_.json);
  }

  TailOptions o_;
  alerts::AlertSequencer seq_;
  bool in_flight_ = false;
  bool warned_timeout_ = false;
  bool warned_reset_ = false;
  bool answered_ = false;  // the replay endpoint has answered once: later silences are retried
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
  app.add_option("--wait", o.wait,
                 "With --since: fail when the replay endpoint has not answered within this many seconds; 0 waits "
                 "for it forever")
      ->type_name("S");
  app.add_option("--endpoint", o.endpoint, "The daemon's PUB endpoint")->default_str("[publish] endpoint of --config");
  app.add_option("--replay", replay, "The daemon's replay endpoint; '' for none")
      ->default_str("[publish] replay_endpoint of --config");
  app.add_option("--curve-server-key", o.curve_server_key, "The daemon's public key file (CURVE)")->type_name("FILE");
  app.add_option("--curve-secret-key", o.curve_secret_key, "Our key file from `newswatch keygen` (CURVE)")
      ->type_name("FILE");
  std::string nats_url;
  app.add_option("--nats", nats_url,
                 "Follow the whole cluster from its NATS JetStream stream instead of one daemon; --since is then "
                 "a stream sequence")
      ->type_name("URL");
  if (auto code = parse_command_line(app, args)) return *code;
  const bool from_nats = app.count("--nats") > 0;
  if (from_nats && (app.count("--endpoint") + app.count("--replay") + app.count("--curve-server-key") +
                    app.count("--curve-secret-key")) > 0) {
    std::fprintf(stderr, "newswatch tail: --nats reads the stream: --endpoint, --replay and --curve-* do not apply\n");
    return kExitUsage;
  }
  if (!(o.seconds >= 0)) {
    print_error_line(std::string("newswatch tail: --seconds: '") + app.get_option("--seconds")->as<std::string>() +
                     "' is not a number of seconds >= 0");
    return kExitUsage;
  }
  o.config_given = app.count("--config") > 0;
  if (app.count("--replay") > 0) o.replay = replay;
  if (o.topics.empty()) o.topics = kJournalledTopics;
  if (!(o.wait >= 0)) {
    print_error_line("newswatch tail: --wait: must be a number of seconds >= 0");
    return kExitUsage;
  }
  o.endpoints_given = app.count("--endpoint") > 0 || app.count("--replay") > 0;
  if (o.curve_server_key.empty() != o.curve_secret_key.empty()) {
    print_error_line("newswatch tail: --curve-server-key and --curve-secret-key go together");
    return 2;
  }

  if (!from_nats && (o.endpoint.empty() || !o.replay)) {
    const auto config = load_config_if_present(o.config_path, o.config_given);
    if (!config) return kExitInvalid;
    if (o.endpoint.empty()) o.endpoint = config->publish.endpoint;
    if (!o.replay) o.replay = config->publish.replay_endpoint;
  }

  // Where to start: a number, `last` (the state file), or nothing (live from now).
  std::optional<std::uint64_t> since;
  if (o.since == "last") {
    if (o.state_file.empty()) {
      print_error_line("newswatch tail: --since last needs --state-file FILE");
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
        print_error_line(std::string("newswatch tail: ") + o.state_file + ": not a seq number");
        return 1;
      }
    }
  } else if (!o.since.empty()) {
    since = parse_seq(o.since);
    if (!since) {
      print_error_line("newswatch tail: --since takes a seq number or 'last'");
      return 2;
    }
  }
  if (from_nats) {
    NatsTailOptions n;
    n.url = nats_url;
    n.topics = o.topics;
    n.since = since;
    n.state_file = o.state_file;
    n.json = o.json;
    n.seconds = o.seconds;
    n.config_path = o.config_path;
    n.config_given = o.config_given;
    return tail_nats(n);
  }
  if (since && o.replay->empty()) {
    print_error_line("newswatch tail: --since needs a replay endpoint (--replay ADDR or replay_endpoint)");
    return 2;
  }

  std::optional<alerts::CurveKeyPair> client_key;
  std::string server_key;
  if (!o.curve_secret_key.empty()) {
    auto secret = alerts::read_key_file(o.curve_secret_key, alerts::KeyKind::secret_key);
    auto server = alerts::read_key_file(o.curve_server_key, alerts::KeyKind::public_key);
    if (!secret || !server) {
      print_error_line(std::string("newswatch tail: ") + (!secret ? secret.error() : server.error()).message);
      return 1;
    }
    auto pub = alerts::public_key_for(*secret);
    if (!pub) {
      print_error_line(std::string("newswatch tail: ") + o.curve_secret_key + ": " + pub.error().message);
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
    print_error_line(std::string("newswatch tail: ") + e.what());
    return 1;
  }
}

}  // namespace newswatch::cli
