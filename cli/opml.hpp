#pragma once
// OPML import/export: a feed reader's subscription list to [[feed]] tables and back.
// Pure: text in, text out. Ids derive from titles, stably, and never collide.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "daemon/config.hpp"

namespace newswatch::cli {

using daemon::FeedDef;

struct OpmlFeed {
  std::string id;
  std::string title;
  std::string url;
};

// Every outline with an xmlUrl, nested folders included, in document order. Ids are
// derived from the title (or the URL's host) and made unique against `taken` and each other.
Result<std::vector<OpmlFeed>> parse_opml(std::string_view text, std::set<std::string> taken = {});

// "[[feed]]" tables for the given feeds, with the title as a comment-free `title` key.
std::string feeds_to_toml(const std::vector<OpmlFeed>& feeds);

// An OPML 2.0 document listing the configured feeds.
std::string export_opml(const std::vector<FeedDef>& feeds);

// "UN News: Africa" -> "un-news-africa"; empty when nothing usable is left.
std::string slug(std::string_view title);

}  // namespace newswatch::cli
