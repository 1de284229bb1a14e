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
#include "daemon/compiled_config.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/matcher.hpp"
#include "stories/story_engine.hpp"

namespace newswatch::cli {
namespace {

constexpr const char* kUsage = "usage: newswatch cluster [--config FILE] [--window DUR] FILE|URL...\n";

int usage_error(const std::string& why) {
  std::fprintf(stderr, "newswatch cluster: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int cmd_cluster(const std::vector<std::string>& args) {
  std::string config_path;
  std::string window_text;
  std::vector<std::string> sources;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name, std::string& out) -> bool {
      const std::string eq = std::string(name) + "=";
      if (a.rfind(eq, 0) == 0) {
        out = a.substr(eq.size());
        return !out.empty();
      }
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::fputs(
          "Runs the story engine over the items of the feeds, in argument order (document order within\n"
          "a feed), each arriving at its published time (else updated, else the previous item's), and\n"
          "prints one JSON object per item: {\"source\", \"id\", \"title\", \"language\", \"story\"}.\n"
          "Entities come from the config's gazetteer (--config, else the default config if it exists).\n"
          "--window overrides [stories] window (default 72h).\n",
          stdout);
      return 0;
    }
    if (a == "--config" || a.rfind("--config=", 0) == 0) {
      if (!value("--config", config_path)) return usage_error("--config needs a file");
    } else if (a == "--window" || a.rfind("--window=", 0) == 0) {
      if (!value("--window", window_text)) return usage_error("--window needs a duration");
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      sources.push_back(a);
    }
  }
  if (sources.empty()) return usage_error("missing FILE|URL");

  // The config gives entities (and the window); without one, items have no entities.
  std::optional<CompiledConfig> compiled;
  const bool explicit_config = !config_path.empty();
  if (!explicit_config && std::ifstream(kDefaultConfigPath).good()) config_path = kDefaultConfigPath;
  if (!config_path.empty()) {
    auto loaded = load_compiled_config(config_path);
    if (!loaded) {
      for (const auto& line : loaded.error())
        std::fprintf(stderr, "%s\n", line.c_str());
      return 1;
    }
    compiled = std::move(*loaded);
  }
  stories::StoryTuning tuning;
  if (compiled) tuning.window = compiled->config.stories.window;
  if (!window_text.empty()) {
    const auto w = parse_duration(window_text);
    if (!w || *w < std::chrono::seconds(1)) {
      return usage_error("--window must be a duration such as \"24h\" or \"3d\", got '" + window_text + "'");
    }
    tuning.window = std::chrono::duration_cast<std::chrono::seconds>(*w);
  }
  stories::StoryEngine engine(tuning);

  int status = 0;
  std::optional<stories::TimePoint> previous;
  for (const auto& source : sources) {
    auto body = read_feed_source(source);
    if (!body) {
      std::fprintf(stderr, "newswatch cluster: %s\n", body.error().message.c_str());
      status = 1;
      continue;
    }
    auto feed = feeds::parse_feed(body->body, {body->base_url, body->content_type});
    if (!feed) {
      std::fprintf(stderr, "newswatch cluster: %s: %s\n", source.c_str(), feed.error().message.c_str());
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
      in.language = "und";  // feeds::Item has no language yet: the lead switches this to item.language
      if (compiled) {
        const auto result = compiled->matcher->match({item.title, item.summary, item.content}, feed_id);
        if (!result) {
          std::fprintf(stderr, "newswatch cluster: %s: item %s: %s\n", source.c_str(), item.id.c_str(),
                       result.error().message.c_str());
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
