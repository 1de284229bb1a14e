#pragma once
// JSON for parsed items: the one-object-per-line shape of `newswatch parse` and of an
// alert's "item" (keys id, title, link, published, updated, author, summary, content, categories,
// language).

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "feeds/feed.hpp"

namespace newswatch::feeds {

// One compact JSON object, no trailing newline; dates RFC 3339 UTC or null.
std::string item_to_json(const Item& item);

// JSON Feed 1.0/1.1 (https://jsonfeed.org) text, already UTF-8, to a Feed. Never throws.
Result<Feed> parse_json_feed(std::string_view text, std::string_view base_url);

}  // namespace newswatch::feeds
