// `newswatch import-opml FILE` and `newswatch export-opml`: move subscriptions in and out.
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/opml.hpp"
#include "common/escape.hpp"
#include "daemon/config.hpp"

namespace newswatch::cli {

int cmd_import_opml(const std::vector<std::string>& args) {
  CLI::App app{
      "Print [[feed]] tables (TOML, on stdout) for the feeds of an OPML export that the config does not "
      "have yet.",
      "newswatch import-opml"};
  apply_conventions(app);
  std::string file;
  std::string config_path = daemon::kDefaultConfigPath;
  add_config_option(app, config_path)->description("The config whose feed ids and urls to avoid, if it exists");
  app.add_option("FILE", file, "The OPML file (or an http(s) URL)")->required()->type_name("");
  if (auto code = parse_command_line(app, args)) return *code;
  const bool explicit_config = app.count("--config") > 0;
  const auto source = read_feed_source(file);
  if (!source) {
    print_error_line(std::string("newswatch import-opml: ") + source.error().message);
    return 1;
  }
  const auto config = load_config_if_present(config_path, explicit_config);
  if (!config) return kExitInvalid;
  std::set<std::string> taken;
  std::set<std::string> known_urls;
  for (const auto& f : config->feeds) {
    taken.insert(f.id);
    known_urls.insert(f.url);
  }
  auto feeds = parse_opml(source->body, taken);
  if (!feeds) {
    print_error_line(std::string("newswatch import-opml: ") + file + ": " + feeds.error().message);
    return 1;
  }
  std::vector<OpmlFeed> fresh;
  for (auto& f : *feeds) {
    if (known_urls.insert(f.url).second) fresh.push_back(std::move(f));
  }
  std::cout << "# Imported from " << file << " by newswatch import-opml: " << fresh.size() << " feeds\n\n"
            << feeds_to_toml(fresh);
  std::fprintf(stderr, "newswatch import-opml: %zu feeds (%zu already configured)\n", fresh.size(),
               feeds->size() - fresh.size());
  return 0;
}

int cmd_export_opml(const std::vector<std::string>& args) {
  CLI::App app{"Print the configured feeds as OPML on stdout.", "newswatch export-opml"};
  apply_conventions(app);
  std::string config_path = daemon::kDefaultConfigPath;
  add_config_option(app, config_path);
  if (auto code = parse_command_line(app, args)) return *code;
  const auto config = load_config_if_present(config_path, true);
  if (!config) return kExitInvalid;
  std::cout << export_opml(config->feeds);
  return 0;
}

}  // namespace newswatch::cli
