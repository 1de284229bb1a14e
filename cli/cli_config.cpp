// `newswatch config [--config FILE]`: the effective config as the daemon would run it, the
// main file and its conf.d/ drop-ins merged and every default filled in, as TOML on stdout
// (like `nginx -T`). Warnings go to stderr; an invalid config prints its errors and exits 1.
#include <cstdio>

#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "daemon/compiled_config.hpp"
#include "daemon/config_toml.hpp"

namespace newswatch::cli {

int cmd_config(const std::vector<std::string>& args) {
  CLI::App app{
      "Print the effective config as TOML: the main file and its conf.d/*.toml merged, every default filled in.",
      "newswatch config"};
  apply_conventions(app);
  std::string config_path = daemon::kDefaultConfigPath;
  add_config_option(app, config_path);
  if (auto code = parse_command_line(app, args)) return *code;
  // Compiled too, so that a query error is reported here as it would be at start-up.
  auto loaded = load_compiled_config(config_path);
  if (!loaded) {
    for (const auto& line : loaded.error())
      print_error_line(line);
    return kExitInvalid;
  }
  for (const auto& w : loaded->config.warnings)
    print_error_line(format_warning(w));
  const std::string text = config_to_toml(loaded->config);
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) return kExitInternal;
  return kExitOk;
}

}  // namespace newswatch::cli
