#pragma once
// Item identity: an item without a guid/id gets a hash of link + title (FNV-1a, fixed
// constants), so the same item in a later fetch, run or build keeps the same id.

#include <string>
#include <string_view>

#include "feeds/feed.hpp"

namespace newswatch::feeds {

// "hash:" + 16 hex digits of the link and title (summary and content when both are empty).
std::string stable_item_hash(const Item& item);

// Sets item.id to stable_item_hash(item) if the feed gave none.
void assign_fallback_id(Item& item);

}  // namespace newswatch::feeds
