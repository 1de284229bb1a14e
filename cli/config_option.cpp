// `--config FILE` on every subcommand, one wording and one default, and one way to read it.
#include <filesystem>

#include "cli/cli.hpp"
#include "common/escape.hpp"

namespace newswatch::cli {

CLI::Option* add_config_option(CLI::App& app, std::string& path) {
  return app.add_option("--config", path, "The daemon's config file (drop-ins: conf.d/*.toml beside it)")
      ->type_name("FILE");
}

std::optional<Config> load_config_if_present(const std::string& path, bool named) {
  std::error_code ec;
  // The default path is optional: the tool works against a daemon with a built-in config too.
  if (!named && !std::filesystem::exists(path, ec)) return Config{};
  auto loaded = load_config(path);
  if (!loaded) {
    for (const auto& e : loaded.error())
      print_error_line(format_error(e));
    return std::nullopt;
  }
  return std::move(*loaded);
}

}  // namespace newswatch::cli
