#include <fstream>
#include <sstream>

#include "daemon/cli.hpp"

namespace newswatch::daemon {

Result<FeedSource> read_feed_source(const std::string& file_or_url) {
  FeedSource src;
  std::ifstream in(file_or_url, std::ios::binary);
  if (!in) return make_error("cannot read " + file_or_url);
  std::ostringstream ss;
  ss << in.rdbuf();
  src.body = ss.str();
  return src;
}

}  // namespace newswatch::daemon
