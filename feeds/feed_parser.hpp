#pragma once
// FeedParser: bytes of an RSS/RDF/Atom/JSON Feed document in, a Feed out. Pure: no I/O, never
// throws on bad input (an Error says why nothing usable was found), never expands DTD entities.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "feeds/feed.hpp"

namespace newswatch::feeds {

struct ParseOptions {
  std::string base_url;      // the feed's URL, to resolve relative links
  std::string content_type;  // the HTTP Content-Type header, for its charset
};

Result<Feed> parse_feed(std::string_view body, const ParseOptions& options = {});

}  // namespace newswatch::feeds
