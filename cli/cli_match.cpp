// `newswatch match [--config FILE] [--feed ID] [--explain] FILE|URL`: a dry run of the matcher
// on one feed, printing the alerts the config would publish, one payload per line; --explain
// says on stderr, per item and filter, why each filter fired or did not.

#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>

#include "cli/cli.hpp"
#include "daemon/compiled_config.hpp"
#include "daemon/ingest.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/language_id.hpp"
#include "filters/matcher.hpp"

namespace newswatch::cli {

int cmd_match(const std::vector<std::string>& args) {
  CLI::App app{
      "A dry run of the matcher on one feed: prints, one JSON object per line, the alerts the config's "
      "filters would publish for it.",
      "newswatch match"};
  apply_conventions(app);
  std::string config_path = daemon::kDefaultConfigPath;
  std::string feed_id;
  std::string source;
  bool explain = false;
  add_config_option(app, config_path);
  app.add_option("--feed", feed_id,
                 "The configured feed id the feed stands for, which matters for filters with `feeds = [...]`")
      ->default_str("the feed whose url is FILE|URL, else FILE|URL itself");
  app.add_flag("--explain", explain,
               "Also write to stderr, for every item and filter, why the filter fired or not: the terms found, "
               "the score and threshold, the clause of the query that failed");
  app.add_option("FILE|URL", source, "The feed: a file or an http(s) URL")->required()->type_name("");
  if (auto code = parse_command_line(app, args)) return *code;

  auto loaded = load_compiled_config(config_path);
  if (!loaded) {
    for (const auto& line : loaded.error())
      std::fprintf(stderr, "%s\n", line.c_str());
    return 1;
  }
  const Config& config = loaded->config;
  if (feed_id.empty()) {
    feed_id = source;
    for (const auto& f : config.feeds) {
      if (f.url == source || f.url == "file://" + source) feed_id = f.id;
    }
  }

  auto body = read_feed_source(source);
  if (!body) {
    std::fprintf(stderr, "newswatch match: %s\n", body.error().message.c_str());
    return 1;
  }
  auto feed = feeds::parse_feed(body->body, {body->base_url, body->content_type, body->content_language});
  if (!feed) {
    std::fprintf(stderr, "newswatch match: %s: %s\n", source.c_str(), feed.error().message.c_str());
    return 1;
  }

  // A dry run publishes nothing, so it has no place in the daemon's seq sequence: the
  // alerts printed are numbered 1..n in output order, which keeps the output reproducible.
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::uint64_t seq = 0;
  const std::function<std::uint64_t()> next_seq = [&seq] { return ++seq; };
  const filters::Matcher& m = *loaded->matcher;
  std::string configured_language;
  for (const auto& f : config.feeds) {
    if (f.id == feed_id) configured_language = f.language;
  }
  const auto& languages = filters::LanguageIdentifier::standard();
  if (!languages.load_error().empty()) {
    std::fprintf(stderr, "newswatch match: %s: languages from declarations only\n", languages.load_error().c_str());
  }
  for (auto& item : feed->items) {
    const auto tell = [&](const std::string& what) {
      std::fprintf(stderr, "newswatch match: %s: item %s: %s\n", source.c_str(), item.id.c_str(), what.c_str());
    };
    item.language = filters::item_language(languages, item, configured_language);
    if (explain) {
      const auto why = m.explain({item.title, item.summary, item.content, item.language}, feed_id);
      if (!why) {
        tell(why.error().message);
        return 1;
      }
      std::fprintf(stderr, "item %s (language %s): %s\n", item.id.c_str(), item.language.c_str(), item.title.c_str());
      for (const auto& e : *why) {
        const auto& def = m.filters()[e.filter_index];
        std::string line = "  " + def.id + ": " + e.reason;
        if (e.score && e.fired) {
          std::ostringstream os;
          os << "; score " << *e.score << " of " << def.threshold;
          line += os.str();
        }
        if (!e.found.empty()) {
          line += "; found";
          for (const auto& t : e.found)
            line += " " + t;
        }
        std::fprintf(stderr, "%s\n", line.c_str());
      }
    }
    const auto raised = daemon::alerts_for_item(m, item, feed_id, now, next_seq);
    if (!raised) {
      tell(raised.error().message);
      return 1;
    }
    if (raised->truncated) tell(filters::truncation_note());
    for (const auto& a : raised->alerts) {
      std::fwrite(a.payload.data(), 1, a.payload.size(), stdout);
      std::fputc('\n', stdout);
    }
  }
  return std::fflush(stdout) == 0 ? 0 : 3;
}

}  // namespace newswatch::cli
