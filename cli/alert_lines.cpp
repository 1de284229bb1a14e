#include "cli/alert_lines.hpp"

#include "common/escape.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "bursts/burst_message.hpp"

namespace newswatch::cli {

namespace {

// "#SEQ<mark> TOPIC [FEED] TITLE  (NOTE)  LINK": the line of an alert and of a story update.
// Built with += : GCC 12 warns (-Wrestrict, falsely) on chains of operator+ here.
std::string item_line(const nlohmann::json& j, const std::string& topic, const char* mark, const std::string& note) {
  const auto& item = j.value("item", nlohmann::json::object());
  std::string line = "#";
  line += std::to_string(j.value("seq", 0));
  line += mark;
  line += ' ';
  line += topic;
  line += " [";
  line += j.value("feed", "");
  line += "] ";
  line += item.value("title", "");
  line += "  (";
  line += note;
  line += ")  ";
  line += item.value("link", "");
  return line;
}

// A story update under the alert it belongs to: "#7 ↳ also: story.sahel [echo] Title  (copy of
// ID; story 3 items, 2 sources)  link".
std::string story_update_line(const std::string& topic, const nlohmann::json& j) {
  const auto& story = j.value("story", nlohmann::json::object());
  std::string note;
  const auto copy_of = story.find("copy_of");
  if (copy_of != story.end() && copy_of->is_string()) {
    note += "copy of ";
    note += copy_of->get<std::string>();
    note += "; ";
  }
  note += "story ";
  note += std::to_string(story.value("size", 0));
  note += " items, ";
  note += std::to_string(story.value("sources", 0));
  note += " sources";
  return item_line(j, topic, " \u21b3 also:", note);
}

}  // namespace

std::string readable_line(const std::string& topic, const std::string& payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return topic + " " + payload;
  if (topic.rfind("sys.", 0) == 0) return topic + " " + payload;
  if (topic.rfind("burst.", 0) == 0) {
    if (auto line = bursts::format_burst_line(payload)) return "#" + std::to_string(j.value("seq", 0)) + " " + *line;
  }
  if (topic.rfind("story.", 0) == 0) return story_update_line(topic, j);
  std::vector<std::string> terms;
  for (const auto& m : j.value("matches", nlohmann::json::array())) {
    const std::string t = m.value("term", "");
    if (std::find(terms.begin(), terms.end(), t) == terms.end()) terms.push_back(t);
  }
  std::string joined;
  for (const auto& t : terms)
    joined += (joined.empty() ? "" : ", ") + t;
  return item_line(j, topic, "", joined);
}

void print_message(std::ostream& out, const std::string& topic, const std::string& payload, bool json) {
  if (json) {
    out << payload << '\n' << std::flush;
  } else {
    // Titles and links come from feeds: escaped, so none can drive the terminal.
    out << escape_controls(readable_line(topic, payload)) << '\n' << std::flush;
  }
}

bool follows_topic(const std::string& topic, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return topic.rfind(p, 0) == 0; });
}

bool save_position(const std::string& path, std::uint64_t position) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << position << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace newswatch::cli
