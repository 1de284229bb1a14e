// `newswatch tail --nats URL`: follows the cluster's stream (an ordered JetStream consumer)
// and prints each message as `newswatch tail` prints the daemon's (cli/alert_lines.hpp).
// --since N is a stream sequence here (each node's own seq restarts per node), as is what
// --state-file keeps. The stream is gap-free and ordered: nothing to re-sequence.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

bool starts_with_any(const std::string& topic, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (topic.rfind(p, 0) == 0) return true;
  }
  return false;
}

bool save_seq(const std::string& path, std::uint64_t seq) {
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

}  // namespace

int tail_nats(const NatsTailOptions& o) {
  cluster::ClusterSettings settings;
  std::error_code ec;
  if (o.config_given || std::filesystem::exists(o.config_path, ec)) {
    auto loaded = load_config(o.config_path);
    if (!loaded) {
      for (const auto& e : loaded.error())
        std::fprintf(stderr, "%s\n", format_error(e).c_str());
      return kExitInvalid;
    }
    if (loaded->cluster) settings = *loaded->cluster;  // stream name, credentials, TLS
  }
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
      if (starts_with_any((*m)->topic, o.topics)) print_message(std::cout, (*m)->topic, (*m)->payload, o.json);
      last = (*m)->stream_seq;
    }
    if (!o.state_file.empty() && last != saved && (!*m || (*m)->pending == 0)) {
      if (!save_seq(o.state_file, last))
        std::fprintf(stderr, "newswatch tail: cannot write state file %s\n", o.state_file.c_str());
      saved = last;
    }
  }
  if (!o.state_file.empty() && last != saved) (void)save_seq(o.state_file, last);
  return kExitOk;
}

}  // namespace newswatch::cli
