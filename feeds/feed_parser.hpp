#pragma once
// FeedParser: bytes of an RSS/RDF/Atom/JSON Feed document in, a Feed out. Pure: no I/O, never
// throws on bad input (an Error says why nothing usable was found), never expands DTD entities.
// Runs on the event loop, so its work is kept near-linear in the body size (hostile inputs
// included). Limits: an item keeps its first kMaxCategories (256) distinct categories; a
// problem in Feed::problems says when some were dropped.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "feeds/feed.hpp"

namespace newswatch::feeds {

struct ParseOptions {
  std::string base_url;      // the feed's URL, to resolve relative links
  std::string content_type;  // the HTTP Content-Type header, for its charset
  // The HTTP Content-Language header: the language of items that declare none, when the
  // document does not declare one for itself either. A list of several is ignored.
  std::string content_language;
  // A document cut short inside an item: also give that item, with the fields that closed
  // before the cut (as feedparser does; `newswatch parse` shows it). Off for the daemon: the
  // same item read whole on the next fetch could differ in the fields its identity hashes.
  bool keep_cut_item = false;
};

Result<Feed> parse_feed(std::string_view body, const ParseOptions& options = {});

// Gives items that declare no language the feed's, else the Content-Language of `options`
// (parse_feed does this; exposed for the JSON Feed reader and tests).
void inherit_language(Feed& feed, const ParseOptions& options);

}  // namespace newswatch::feeds
