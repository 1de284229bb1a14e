#include <fstream>
#include <sstream>

#include "cli/cli.hpp"
#include "feeds/http_fetcher.hpp"

namespace newswatch::cli {

Result<FeedSource> read_feed_source(const std::string& file_or_url) {
  FeedSource src;
  if (file_or_url.rfind("http://", 0) == 0 || file_or_url.rfind("https://", 0) == 0) {
    feeds::FetchOptions options;
    options.user_agent = "newswatch/0.1 (command line)";
    options.timeout = std::chrono::seconds(30);
    auto r = feeds::fetch_blocking({file_or_url, "", ""}, options);
    if (r.outcome != feeds::FetchOutcome::ok) {
      return make_error(file_or_url + ": " + feeds::to_string(r.outcome) + (r.error.empty() ? "" : ": " + r.error));
    }
    src.body = std::move(r.body);
    src.content_type = std::move(r.content_type);
    src.content_language = std::move(r.content_language);
    src.base_url = r.effective_url.empty() ? file_or_url : r.effective_url;
    return src;
  }
  std::ifstream in(file_or_url, std::ios::binary);
  if (!in) return make_error("cannot read " + file_or_url);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error("cannot read " + file_or_url);
  src.body = ss.str();
  return src;
}

}  // namespace newswatch::cli
