// `newswatch import-opml FILE` and `newswatch export-opml`: move subscriptions in and out.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/opml.hpp"
#include "common/escape.hpp"
#include "daemon/config.hpp"

namespace newswatch::cli {
namespace {

// The config named on the command line, or the default one when it exists; nullopt
// (with an exit code) when an explicitly named config is broken.
struct LoadedConfig {
  std::optional<Config> config;
  int exit_code = 0;
};

LoadedConfig load_optional_config(const std::string& path, bool explicit_path) {
  std::error_code ec;
  if (!explicit_path && !std::filesystem::exists(path, ec)) return {};
  auto r = load_config(path);
  if (!r) {
    for (const auto& e : r.error())
      print_error_line(format_error(e));
    return {std::nullopt, 1};
  }
  return {std::move(*r), 0};
}

}  // namespace

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
  auto loaded = load_optional_config(config_path, explicit_config);
  if (loaded.exit_code != 0) return loaded.exit_code;
  std::set<std::string> taken;
  std::set<std::string> known_urls;
  if (loaded.config) {
    for (const auto& f : loaded.config->feeds) {
      taken.insert(f.id);
      known_urls.insert(f.url);
    }
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
  auto loaded = load_optional_config(config_path, true);
  if (loaded.exit_code != 0) return loaded.exit_code;
  std::cout << export_opml(loaded.config->feeds);
  return 0;
}

}  // namespace newswatch::cli
