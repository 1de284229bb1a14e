#pragma once
// Item identity: an item without a guid/id gets a hash of link + title (FNV-1a, fixed
// constants), so the same item in a later fetch, run or build keeps the same id, and from
// whichever URL its feed was fetched.

#include <string>
#include <string_view>

#include "feeds/feed.hpp"

namespace newswatch::feeds {

// Sets item.id, if the feed gave none, to "hash:" + 16 hex digits of `link` and the title
// (summary and content when both are empty), `link` being the
// item's link as the document gives it: resolved against the document's own xml:base (or
// home_page_url) only, never against the URL the feed was fetched from.
void assign_fallback_id(Item& item, std::string_view link);

}  // namespace newswatch::feeds
