// `newswatch parse FILE|URL`: the parser's view of a feed, one JSON object per item, with each
// item's language as the daemon would give it (docs/languages.md).
#include <cstdio>
#include <string>

#include "cli/cli.hpp"
#include "feeds/feed_json.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/language_id.hpp"

namespace newswatch::cli {
namespace {

int usage() {
  std::fputs("usage: newswatch parse [--config FILE] FILE|URL\n", stderr);
  return 2;
}

}  // namespace

int cmd_parse(const std::vector<std::string>& args) {
  std::string source;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs("usage: newswatch parse [--config FILE] FILE|URL\n", stdout);
      return 0;
    }
    if (a == "--config") {
      if (++i >= args.size()) return usage();
      continue;  // accepted for symmetry with the other subcommands; parse needs no config
    }
    if (a.rfind("--config=", 0) == 0) continue;
    if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "newswatch parse: unknown option '%s'\n", a.c_str());
      return usage();
    }
    if (!source.empty()) return usage();
    source = a;
  }
  if (source.empty()) return usage();

  auto src = read_feed_source(source);
  if (!src) {
    std::fprintf(stderr, "newswatch parse: %s\n", src.error().message.c_str());
    return 1;
  }
  feeds::ParseOptions options;
  options.base_url = src->base_url;
  options.content_type = src->content_type;
  options.content_language = src->content_language;
  auto feed = feeds::parse_feed(src->body, options);
  if (!feed) {
    std::fprintf(stderr, "newswatch parse: %s: %s\n", source.c_str(), feed.error().message.c_str());
    return 1;
  }
  const auto& languages = filters::LanguageIdentifier::standard();
  if (!languages.load_error().empty()) {
    std::fprintf(stderr, "newswatch parse: %s: languages from declarations only\n", languages.load_error().c_str());
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
