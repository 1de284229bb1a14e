#pragma once
// The `newswatch` subcommands, one function each (args exclude the subcommand name).
// Each returns the process exit code: 0 ok, 1 invalid input/config, 2 usage, 3 internal.

#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/config.hpp"

namespace newswatch::cli {

// The tool reads the daemon's config and speaks its protocol: its types are the client's vocabulary.
using namespace newswatch::daemon;  // NOLINT(google-build-using-namespace)

int cmd_tail(const std::vector<std::string>& args);
int cmd_parse(const std::vector<std::string>& args);
int cmd_match(const std::vector<std::string>& args);
int cmd_import_opml(const std::vector<std::string>& args);
int cmd_export_opml(const std::vector<std::string>& args);
int cmd_keygen(const std::vector<std::string>& args);
int cmd_bursts(const std::vector<std::string>& args);

// The bytes of a feed named on the command line: a file path, or an http(s) URL fetched
// once. content_type and base_url are filled in for the parser.
struct FeedSource {
  std::string body;
  std::string content_type;
  std::string base_url;
};
Result<FeedSource> read_feed_source(const std::string& file_or_url);

}  // namespace newswatch::cli
