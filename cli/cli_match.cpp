// `newswatch match [--config FILE] [--query Q] [--feed ID] [--explain] FILE|URL`: a dry run of
// the matcher on one feed, printing the alerts the config would publish, one payload per line;
// --explain says on stderr, per item and filter, why each filter fired or did not. With
// --query the one query is the watchlist (filter id "query"): no config file is needed, and a
// --config given explicitly lends its entities.

#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>

#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "daemon/compiled_config.hpp"
#include "daemon/ingest.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/language_id.hpp"
#include "filters/matcher.hpp"

namespace newswatch::cli {
namespace {

// The watchlist of `--query Q`: one filter, "query", with the entities of `config_path` if one
// is named. Errors point into the query as "--query:1:COL".
Result<CompiledConfig, std::vector<std::string>> query_watchlist(const std::string& query,
                                                                 const std::string& config_path) {
  Config config;
  if (!config_path.empty()) {
    auto read = load_config(config_path);
    if (!read) {
      std::vector<std::string> lines;
      for (const auto& e : read.error())
        lines.push_back(format_error(e));
      return lines;
    }
    config = std::move(*read);
  }
  if (query.empty()) return std::vector<std::string>{"--query: the query is empty"};
  filters::FilterDef f;
  f.id = "query";
  f.topic = "alert.query";
  f.query = query;
  f.pos = {"--query", 1, 1};
  f.query_pos = {"--query", 1, 0};  // columns count from the query's first character
  config.filters.assign(1, f);
  auto matcher = compile_watchlist(config);
  if (!matcher) return matcher.error();
  return CompiledConfig{std::move(config), std::move(*matcher)};
}

}  // namespace

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
  std::string query;
  add_config_option(app, config_path)
      ->description(
          "The daemon's config file (drop-ins: conf.d/*.toml beside it); with --query, read only if given, "
          "for its entities");
  app.add_option("--query", query,
                 "Test this one query (docs/query-language.md) instead of the config's filters; its alerts have "
                 "filter id 'query'")
      ->type_name("Q")
      ->default_str("the config's filters");
  app.add_option("--feed", feed_id,
                 "The configured feed id the feed stands for, which matters for filters with `feeds = [...]`")
      ->default_str("the feed whose url is FILE|URL, else FILE|URL itself");
  app.add_flag("--explain", explain,
               "Also write to stderr, for every item and filter, why the filter fired or not: the terms found, "
               "the score and threshold, the clause of the query that failed");
  app.add_option("FILE|URL", source, "The feed: a file, '-' for stdin, or an http, https or file URL")
      ->required()
      ->type_name("");
  if (auto code = parse_command_line(app, args)) return *code;

  auto loaded = app.count("--query") > 0 ? query_watchlist(query, app.count("--config") > 0 ? config_path : "")
                                         : load_compiled_config(config_path);
  if (!loaded) {
    for (const auto& line : loaded.error())
      print_error_line(line);
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
    print_error_line(std::string("newswatch match: ") + body.error().message);
    return 1;
  }
  auto feed = feeds::parse_feed(body->body, {body->base_url, body->content_type, body->content_language});
  if (!feed) {
    print_error_line(std::string("newswatch match: ") + source + ": " + feed.error().message);
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
    print_error_line(std::string("newswatch match: ") + languages.load_error() + ": languages from declarations only");
  }
  for (auto& item : feed->items) {
    const auto tell = [&](const std::string& what) {
      print_error_line(std::string("newswatch match: ") + source + ": item " + item.id + ": " + what);
    };
    item.language = filters::item_language(languages, item, configured_language);
    if (explain) {
      const auto why = m.explain({item.title, item.summary, item.content, item.language}, feed_id);
      if (!why) {
        tell(why.error().message);
        return 1;
      }
      print_error_line(std::string("item ") + item.id + " (language " + item.language + "): " + item.title);
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
        print_error_line(line);
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
