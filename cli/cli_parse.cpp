// `newswatch parse FILE|URL`: the parser's view of a feed, one JSON object per item, with each
// item's language as the daemon would give it (docs/languages.md).
#include <cstdio>
#include <string>

#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "feeds/feed_json.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/language_id.hpp"

namespace newswatch::cli {

int cmd_parse(const std::vector<std::string>& args) {
  CLI::App app{"Print the items of one feed as the parser sees them, one JSON object per line.", "newswatch parse"};
  apply_conventions(app);
  std::string config_path = daemon::kDefaultConfigPath;
  std::string source;
  add_config_option(app, config_path)->description("Accepted for symmetry with the other subcommands; unused");
  app.add_option("FILE|URL", source, "The feed: a file or an http(s) URL")->required()->type_name("");
  if (auto code = parse_command_line(app, args)) return *code;

  auto src = read_feed_source(source);
  if (!src) {
    print_error_line(std::string("newswatch parse: ") + src.error().message);
    return 1;
  }
  feeds::ParseOptions options;
  options.base_url = src->base_url;
  options.content_type = src->content_type;
  options.content_language = src->content_language;
  options.keep_cut_item = true;  // show what feedparser shows of a document cut short
  auto feed = feeds::parse_feed(src->body, options);
  if (!feed) {
    print_error_line(std::string("newswatch parse: ") + source + ": " + feed.error().message);
    return 1;
  }
  const auto& languages = filters::LanguageIdentifier::standard();
  if (!languages.load_error().empty()) {
    print_error_line(std::string("newswatch parse: ") + languages.load_error() + ": languages from declarations only");
  }
  std::string out;
  for (auto& item : feed->items) {
    item.language = filters::item_language(languages, item, "");
    out += feeds::item_to_json(item);
    out += '\n';
  }
  if (!out.empty() && std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
    std::fputs("newswatch parse: cannot write to stdout\n", stderr);
    return 3;
  }
  if (std::fflush(stdout) != 0) return 3;
  return 0;
}

}  // namespace newswatch::cli
