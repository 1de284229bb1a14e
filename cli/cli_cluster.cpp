// `newswatch cluster [--config FILE] [--window DUR] FILE|URL...`: the daemon's story engine run
// offline over feeds, printing each item's story assignment, one JSON object per line.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "alerts/alert.hpp"
#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "daemon/compiled_config.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/matcher.hpp"
#include "stories/story_engine.hpp"

namespace newswatch::cli {

int cmd_cluster(const std::vector<std::string>& args) {
  CLI::App app{
      "Runs the story engine over the items of the feeds, in argument order (document order within a feed), "
      "each arriving at its published time (else updated, else the previous item's), and prints one JSON object "
      "per item: {\"source\", \"id\", \"title\", \"language\", \"story\"}.",
      "newswatch cluster"};
  apply_conventions(app);
  std::string config_path;
  std::string window_text;
  std::vector<std::string> sources;
  add_config_option(app, config_path)
      ->default_str(std::string(kDefaultConfigPath) + " if it exists; without a config, items have no entities");
  app.add_option("--window", window_text, "How far back copies and stories are looked for, e.g. 24h or 3d")
      ->type_name("DUR")
      ->default_str("[stories] window of the config, else 72h");
  app.add_option("FILE|URL", sources, "The feeds: files or http(s) URLs")->required()->type_name("");
  if (auto code = parse_command_line(app, args)) return *code;

  // The config gives entities (and the window); without one, items have no entities.
  std::optional<CompiledConfig> compiled;
  const bool explicit_config = !config_path.empty();
  if (!explicit_config && std::ifstream(kDefaultConfigPath).good()) config_path = kDefaultConfigPath;
  if (!config_path.empty()) {
    auto loaded = load_compiled_config(config_path);
    if (!loaded) {
      for (const auto& line : loaded.error())
        print_error_line(line);
      return 1;
    }
    compiled = std::move(*loaded);
  }
  stories::StoryTuning tuning;
  if (compiled) tuning.window = compiled->config.stories.window;
  if (!window_text.empty()) {
    const auto w = parse_duration(window_text);
    if (!w || *w < std::chrono::seconds(1)) {
      print_error_line(std::string("newswatch cluster: --window must be a duration such as \"24h\" or \"3d\", got '") +
                       window_text + "'");
      return kExitUsage;
    }
    tuning.window = std::chrono::duration_cast<std::chrono::seconds>(*w);
  }
  stories::StoryEngine engine(tuning);

  int status = 0;
  std::optional<stories::TimePoint> previous;
  for (const auto& source : sources) {
    auto body = read_feed_source(source);
    if (!body) {
      print_error_line(std::string("newswatch cluster: ") + body.error().message);
      status = 1;
      continue;
    }
    auto feed = feeds::parse_feed(body->body, {body->base_url, body->content_type, body->content_language});
    if (!feed) {
      print_error_line(std::string("newswatch cluster: ") + source + ": " + feed.error().message);
      status = 1;
      continue;
    }
    // A configured feed with this url stands for the source (it matters to `feeds = [...]`).
    std::string feed_id = source;
    if (compiled) {
      for (const auto& f : compiled->config.feeds) {
        if (f.url == source || f.url == "file://" + source) feed_id = f.id;
      }
    }
    for (const auto& item : feed->items) {
      stories::StoryItem in;
      in.item_id = item.id;
      in.feed_id = feed_id;
      in.title = item.title;
      in.summary = item.summary.empty() ? item.content : item.summary;
      in.language = item.language.empty() ? "und" : item.language;
      if (compiled) {
        const auto result = compiled->matcher->match({item.title, item.summary, item.content}, feed_id);
        if (!result) {
          print_error_line(std::string("newswatch cluster: ") + source + ": item " + item.id + ": " +
                           result.error().message);
          return 3;
        }
        in.entities = result->entities;
      }
      if (item.published) {
        in.arrival = *item.published;
      } else if (item.updated) {
        in.arrival = *item.updated;
      } else if (previous) {
        in.arrival = *previous;
      } else {
        in.arrival = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
      }
      previous = in.arrival;
      const auto assignment = engine.assign(in);
      nlohmann::ordered_json line;
      line["source"] = source;
      line["id"] = item.id;
      line["title"] = item.title;
      line["language"] = in.language;
      line["story"] = alerts::story_json(assignment);
      const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      std::fwrite(text.data(), 1, text.size(), stdout);
    }
  }
  if (std::fflush(stdout) != 0) return 3;
  return status;
}

}  // namespace newswatch::cli
