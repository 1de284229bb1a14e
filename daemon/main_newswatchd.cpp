// newswatchd: the daemon. Thin: parses the command line, loads the config, runs the App.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "daemon/app.hpp"
#include "daemon/compiled_config.hpp"
#include "daemon/logging.hpp"

namespace {

int usage(std::FILE* out, int code) {
  std::fputs("usage: newswatchd [--config FILE] [--check] [--once] [--log-level LEVEL]\n", out);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace newswatch;
  std::string config_path = daemon::kDefaultConfigPath;
  std::string log_level;
  bool check = false;
  bool once = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config_path = a.substr(9);
    } else if (a == "--log-level" && i + 1 < argc) {
      log_level = argv[++i];
    } else if (a == "--check") {
      check = true;
    } else if (a == "--once") {
      once = true;
    } else if (a == "-h" || a == "--help") {
      return usage(stdout, 0);
    } else {
      std::fprintf(stderr, "newswatchd: unknown argument '%s'\n", a.c_str());
      return usage(stderr, 2);
    }
  }

  auto loaded = daemon::load_compiled_config(config_path);
  if (!loaded) {
    for (const auto& line : loaded.error())
      std::fprintf(stderr, "%s\n", line.c_str());
    return 1;
  }
  const daemon::Config& config = loaded->config;
  if (check) {
    std::printf("%s: ok: %zu feeds, %zu filters, %zu entities, %zu terms\n", config_path.c_str(), config.feeds.size(),
                config.filters.size(), config.entities.size(), loaded->matcher->term_count());
    return 0;
  }

  daemon::setup_logging("newswatchd", log_level.empty() ? config.daemon.log_level : log_level);
  if (!log_level.empty() && !daemon::set_log_level(log_level)) {
    std::fprintf(stderr, "newswatchd: unknown log level '%s'\n", log_level.c_str());
    return 2;
  }
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
