// `newswatch tail --nats URL`: follows the cluster's stream (an ordered JetStream consumer)
// and prints each message as `newswatch tail` prints the daemon's (cli/alert_lines.hpp).
// --since N is a stream sequence here (each node's own seq restarts per node), as is what
// --state-file keeps. The stream is gap-free and ordered: nothing to re-sequence.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "cli/alert_lines.hpp"
#include "cli/cli.hpp"
#include "cli/tail_nats.hpp"
#include "cluster/nats_session.hpp"
#include "cluster/stream_reader.hpp"

namespace newswatch::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int /*signo*/) { g_stop = 1; }

}  // namespace

int tail_nats(const NatsTailOptions& o) {
  const auto config = load_config_if_present(o.config_path, o.config_given);
  if (!config) return kExitInvalid;
  // The stream name, credentials and TLS of [cluster], if it has one.
  cluster::ClusterSettings settings = config->cluster.value_or(cluster::ClusterSettings{});
  if (auto problem = cluster::server_url_problem(o.url)) {
    std::fprintf(stderr, "newswatch tail: --nats '%s' %s\n", o.url.c_str(), problem->c_str());
    return kExitUsage;
  }
  settings.nats = {o.url};
  cluster::SessionOptions so;
  so.client_name = "newswatch tail";
  auto session = cluster::NatsSession::connect(settings, so);
  if (!session) {
    std::fprintf(stderr, "newswatch tail: %s\n", session.error().message.c_str());
    return kExitInvalid;
  }
  auto reader = cluster::StreamReader::open(*session, settings.stream, o.since);
  if (!reader) {
    std::fprintf(stderr, "newswatch tail: %s\n", reader.error().message.c_str());
    return kExitInvalid;
  }
  if (!o.json) {
    std::fprintf(stderr, "newswatch tail: following stream %s on %s\n", settings.stream.c_str(), o.url.c_str());
  }
  std::signal(SIGINT, on_stop);
  std::signal(SIGTERM, on_stop);
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::uint64_t last = 0;
  std::uint64_t saved = 0;
  std::string last_error;
  while (g_stop == 0 && (o.seconds <= 0 || Clock::now() < deadline)) {
    auto m = reader->next(100);
    if (!m) {
      // The connection reconnects by itself; say so once per problem, keep waiting.
      if (m.error().message != last_error) std::fprintf(stderr, "newswatch tail: %s\n", m.error().message.c_str());
      last_error = m.error().message;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    last_error.clear();
    if (*m) {
      if (follows_topic((*m)->topic, o.topics)) print_message(std::cout, (*m)->topic, (*m)->payload, o.json);
      last = (*m)->stream_seq;
    }
    if (!o.state_file.empty() && last != saved && (!*m || (*m)->pending == 0)) {
      if (!save_position(o.state_file, last))
        std::fprintf(stderr, "newswatch tail: cannot write state file %s\n", o.state_file.c_str());
      saved = last;
    }
  }
  if (!o.state_file.empty() && last != saved) (void)save_position(o.state_file, last);
  return kExitOk;
}

}  // namespace newswatch::cli
