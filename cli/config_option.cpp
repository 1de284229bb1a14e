// `--config FILE` on every subcommand, one wording and one default.
#include "cli/cli.hpp"

namespace newswatch::cli {

CLI::Option* add_config_option(CLI::App& app, std::string& path) {
  return app.add_option("--config", path, "The daemon's config file (drop-ins: conf.d/*.toml beside it)")
      ->type_name("FILE");
}

}  // namespace newswatch::cli
