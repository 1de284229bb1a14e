#pragma once
// The `newswatch` subcommands, one function each in its own cli_<name>.cpp (args exclude
// the subcommand name), each returning the process exit code (common/command_line.hpp).

#include <optional>
#include <string>
#include <vector>

#include "common/command_line.hpp"
#include "common/result.hpp"
#include "daemon/config.hpp"

namespace newswatch::cli {

// The tool reads the daemon's config and speaks its protocol: its types are the client's vocabulary.
using namespace newswatch::daemon;  // NOLINT(google-build-using-namespace)

// Adding a subcommand: write cli/cli_<name>.cpp with `int cmd_<name>(args)` following
// the pattern below, declare it here, and add its row to the table in main_newswatch.cpp.
//
//   int cmd_x(const std::vector<std::string>& args) {
//     CLI::App app{"One sentence on what it does.", "newswatch x"};
//     apply_conventions(app);                      // before adding options
//     std::string config_path = daemon::kDefaultConfigPath;
//     add_config_option(app, config_path);
//     app.add_flag("--json", json, "Print JSON");
//     if (auto code = parse_command_line(app, args)) return *code;   // help, version, usage error
//     ...
//   }
int cmd_tail(const std::vector<std::string>& args);
int cmd_parse(const std::vector<std::string>& args);
int cmd_match(const std::vector<std::string>& args);
int cmd_cluster(const std::vector<std::string>& args);
int cmd_import_opml(const std::vector<std::string>& args);
int cmd_export_opml(const std::vector<std::string>& args);
int cmd_keygen(const std::vector<std::string>& args);
int cmd_status(const std::vector<std::string>& args);
int cmd_bursts(const std::vector<std::string>& args);
int cmd_config(const std::vector<std::string>& args);

// `--config FILE`, the same on every subcommand.
CLI::Option* add_config_option(CLI::App& app, std::string& path);

// The config at `path` when it was named on the command line (`named`) or exists, else the
// defaults; nullopt once its errors are printed on stderr, one a line (exit kExitInvalid).
std::optional<Config> load_config_if_present(const std::string& path, bool named);

// The bytes of a feed named on the command line: a file path, `-` for stdin, a file:// URL,
// or an http(s) URL fetched once. content_type and base_url are filled in for the parser.
// Errors say why: the strerror of a file, the fetch outcome, or an unsupported scheme.
struct FeedSource {
  std::string body;
  std::string content_type;
  std::string content_language;  // the HTTP Content-Language header, for items' language
  std::string base_url;
};
Result<FeedSource> read_feed_source(const std::string& file_or_url);
// The local path a file:// URL names (percent-decoded); an error for another host.
Result<std::string> file_url_path(const std::string& url);

}  // namespace newswatch::cli
