// newswatchd: the daemon. Thin: parses the command line, loads the config, runs the App.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/command_line.hpp"
#include "common/escape.hpp"
#include "common/version.hpp"
#include "daemon/app.hpp"
#include "daemon/compiled_config.hpp"
#include "daemon/logging.hpp"
#include "daemon/preflight.hpp"

int main(int argc, char** argv) {
  using namespace newswatch;
  std::string config_path = daemon::kDefaultConfigPath;
  std::string log_level;
  bool check = false;
  bool once = false;
  CLI::App app{"newswatchd: polls RSS/Atom feeds, matches items against watchlists and publishes alerts on ZeroMQ.",
               "newswatchd"};
  apply_conventions(app);
  app.set_version_flag("--version", "newswatchd " + std::string(version()), "Print the version and exit");
  app.add_option("--config", config_path, "The config file (drop-ins: conf.d/*.toml beside it)")->type_name("FILE");
  app.add_flag("--check", check, "Validate the config, print a summary and exit (0 valid, 1 invalid)");
  app.add_flag("--once", once, "Run one poll cycle, publish, and exit");
  app.add_option("--log-level", log_level, "Log level, overriding [daemon] log_level")
      ->type_name("LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}))
      ->default_str("from the config");
  if (auto code = parse_command_line(app, std::vector<std::string>(argv + 1, argv + argc))) return *code;

  auto loaded = daemon::load_compiled_config(config_path);
  if (!loaded) {
    for (const auto& line : loaded.error())
      print_error_line(line);
    return 1;
  }
  const daemon::Config& config = loaded->config;
  if (check) {
    for (const auto& w : config.warnings)
      print_error_line(daemon::format_warning(w));
    // What the daemon would refuse at startup, found now: --check is the unit's ExecStartPre.
    const auto problems = daemon::preflight_problems(config);
    for (const auto& p : problems)
      print_error_line(config_path + ": " + p);
    if (!problems.empty()) return 1;
    std::printf("%s: ok: %zu feeds, %zu filters, %zu entities, %zu terms\n", config_path.c_str(), config.feeds.size(),
                config.filters.size(), config.entities.size(), loaded->matcher->term_count());
    return 0;
  }

  daemon::setup_logging("newswatchd", log_level.empty() ? config.daemon.log_level : log_level);
  spdlog::info("newswatchd {} starting with {}", version(), config_path);
  for (const auto& w : config.warnings)
    spdlog::warn("{}", daemon::format_warning(w));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int code = 0;
  {
    auto app = daemon::App::create(std::move(*loaded), {config_path, once});
    if (!app) {
      spdlog::critical("cannot start: {}", app.error().message);
      code = 1;
    } else {
      try {
        code = (*app)->run();
      } catch (const std::exception& e) {
        spdlog::critical("internal error: {}", e.what());
        code = 3;
      }
    }
  }
  curl_global_cleanup();
  return code;
}
