// `newswatch status [--config FILE] [--json]`: the daemon's per-feed status, from GET /feeds
// on its metrics listener ([metrics] listen), as a table or as the JSON the daemon sent; in
// cluster mode, also the members and which node owns which host (GET /cluster).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "feeds/http_fetcher.hpp"

namespace newswatch::cli {
namespace {

// The URL of /feeds for a listen address: a wildcard host is reached on loopback.
std::string feeds_url(std::string listen) {
  const auto colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : listen.substr(colon);
  if (host.empty() || host == "0.0.0.0" || host == "*") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return "http://" + host + port + "/feeds";
}

std::string text_or_dash(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  // The daemon's answer is input too: nothing in it may drive the terminal.
  return escape_controls(it->is_string() ? it->get<std::string>() : it->dump());
}

// In cluster mode the daemon also answers GET /cluster: its members and which node owns which
// host, printed under the feeds. A daemon without [cluster] answers 404, and nothing is printed.
void print_cluster(const std::string& feeds_url, const feeds::FetchOptions& options) {
  const std::string suffix = "/feeds";
  if (feeds_url.size() < suffix.size() ||
      feeds_url.compare(feeds_url.size() - suffix.size(), suffix.size(), suffix) != 0)
    return;
  const std::string url = feeds_url.substr(0, feeds_url.size() - suffix.size()) + "/cluster";
  const auto r = feeds::fetch_blocking({url, "", ""}, options);
  if (r.outcome != feeds::FetchOutcome::ok) return;
  const auto c = nlohmann::json::parse(r.body, nullptr, false);
  if (!c.is_object()) return;
  std::string members;
  for (const auto& m : c.value("members", nlohmann::json::array()))
    if (m.is_string()) members += (members.empty() ? "" : ", ") + m.get<std::string>();
  std::printf("\ncluster: node %s; live members: %s; stream has this node's journal up to seq %s\n",
              text_or_dash(c, "node").c_str(), escape_controls(members).c_str(), text_or_dash(c, "acked_seq").c_str());
  const auto hosts = c.value("hosts", nlohmann::json::object());
  if (!hosts.is_object() || hosts.empty()) return;
  std::printf("%-40s %s\n", "HOST", "OWNER");
  for (const auto& [host, node] : hosts.items())
    std::printf("%-40s %s\n", escape_controls(host).c_str(),
                escape_controls(node.is_string() ? node.get<std::string>() : node.dump()).c_str());
}

}  // namespace

int cmd_status(const std::vector<std::string>& args) {
  CLI::App app{"Show each feed's state as the running daemon sees it (GET /feeds on its [metrics] listen address).",
               "newswatch status"};
  apply_conventions(app);
  std::string config_path = daemon::kDefaultConfigPath;
  std::string url;
  bool json = false;
  add_config_option(app, config_path)->description("The config whose [metrics] listen to ask, if it exists");
  app.add_option("--url", url, "The daemon's /feeds URL")->default_str("from [metrics] listen of --config");
  app.add_flag("--json", json, "Print the daemon's JSON as it came");
  if (auto code = parse_command_line(app, args)) return *code;

  if (url.empty()) {
    const auto config = load_config_if_present(config_path, app.count("--config") > 0);
    if (!config) return kExitInvalid;
    if (config->metrics.listen.empty()) {
      print_error_line(std::string("newswatch status: [metrics] listen is empty in ") + config_path +
                       ": the daemon serves no /feeds");
      return kExitInvalid;
    }
    url = feeds_url(config->metrics.listen);
  }
  feeds::FetchOptions options;
  options.user_agent = "newswatch status";
  options.timeout = std::chrono::seconds(10);
  const auto r = feeds::fetch_blocking({url, "", ""}, options);
  if (r.outcome != feeds::FetchOutcome::ok) {
    print_error_line("newswatch status: " + url + ": " + feeds::to_string(r.outcome) +
                     (r.error.empty() ? "" : ": " + r.error) + " (is newswatchd running?)");
    return kExitInvalid;
  }
  if (json) {
    std::fwrite(r.body.data(), 1, r.body.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitInternal;
  }
  const auto feeds = nlohmann::json::parse(r.body, nullptr, false);
  if (!feeds.is_array()) {
    print_error_line(std::string("newswatch status: ") + url + ": not a feed list");
    return kExitInvalid;
  }
  std::printf("%-24s %-12s %-14s %8s  %-20s  %-20s\n", "FEED", "STATE", "LAST STATUS", "FAILURES", "LAST SUCCESS",
              "NEXT DUE");
  for (const auto& f : feeds) {
    if (!f.is_object()) continue;
    std::printf("%-24s %-12s %-14s %8s  %-20s  %-20s\n", text_or_dash(f, "id").c_str(),
                text_or_dash(f, "state").c_str(), text_or_dash(f, "last_status").c_str(),
                text_or_dash(f, "consecutive_failures").c_str(), text_or_dash(f, "last_success").c_str(),
                f.value("in_flight", false) ? "fetching now" : text_or_dash(f, "next_due").c_str());
  }
  print_cluster(url, options);
  return std::fflush(stdout) == 0 ? kExitOk : kExitInternal;
}

}  // namespace newswatch::cli
